/** The auth service's Redis keys: the seed's names and TTLs, plus the revocation and abuse counters. */
import { createHash } from 'node:crypto';

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
  /** Wrong reset codes for one email (known or not), cleared when a new code is requested. */
  resetAttempts: (emailKey: string) => `reset_attempts:${emailKey}`,
  /** Failed password logins of one email from any address. TTL: the rate-limit window. */
  loginFailures: (emailKey: string) => `login_failures:${emailKey}`,
  /** Set when an email's password login is locked. TTL: the lock's duration. */
  loginLock: (emailKey: string) => `login_lock:${emailKey}`,
  /** Failed password logins from one source address across every email (password spraying). */
  loginAddressFailures: (address: string) => `login_address_failures:${address}`,
} as const;

/** An email as it appears in Redis key names: hashed, so keys carry no personal data. */
export const emailKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
export const OTP_TTL_SECONDS = 5 * 60;
export const OTP_ATTEMPT_WINDOW_SECONDS = 15 * 60;
export const OTP_MAX_ATTEMPTS = 5;
