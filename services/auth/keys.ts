/** The auth service's Redis keys: the seed's names and TTLs, plus the revocation markers. */
export const authKeys = {
  /** Hash of the user's live sessions: refresh-token family id → metadata. TTL 7 days. */
  session: (userId: string) => `session:${userId}`,
  /** One refresh token: JSON {user_id, role, family_id, secret_hash}. TTL 30 days. */
  refresh: (tokenId: string) => `refresh:${tokenId}`,
  /** Set once a refresh token has been exchanged; a second exchange is reuse. */
  refreshUsed: (tokenId: string) => `refresh_used:${tokenId}`,
  /** Every refresh token id of one family, so the family can be revoked at once. */
  refreshFamily: (familyId: string) => `refresh_family:${familyId}`,
  /** An access token that was logged out. TTL: its remaining lifetime. */
  blacklist: (jti: string) => `blacklist:${jti}`,
  /** A revoked session: access tokens carrying it as `sid` are refused. TTL: access-token lifetime. */
  revokedFamily: (familyId: string) => `revoked_family:${familyId}`,
  /** sha256 of the pending code. TTL 5 minutes. */
  otp: (userId: string, type: string) => `otp:${userId}:${type}`,
  /** Wrong and right guesses counted in a 15-minute window. */
  otpAttempts: (userId: string, type: string) => `otp_attempts:${userId}:${type}`,
} as const;

export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
export const OTP_TTL_SECONDS = 5 * 60;
export const OTP_ATTEMPT_WINDOW_SECONDS = 15 * 60;
export const OTP_MAX_ATTEMPTS = 5;
