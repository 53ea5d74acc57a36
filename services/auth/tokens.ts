/**
 * Access tokens (short-lived HS256 JWTs with iss/aud/exp/jti, the session id `sid` and the
 * account's session version `sv`) and rotating refresh tokens (opaque `<id>.<secret>`, only a hash
 * stored in Redis). A refresh token can be exchanged once; presenting it again revokes its whole
 * family (reuse detection). Both are refused once their account is gone, disabled, or has moved
 * to another session version (services/auth/accounts.ts): every rotation re-reads the account
 * from Postgres, every request its cached standing.
 */
import { createHash, createSecretKey, randomBytes, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Redis } from 'ioredis';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import { accountKey, INITIAL_SESSION_VERSION, refusal, type AccountStanding, type Accounts } from './accounts';
import { authKeys, SESSION_TTL_SECONDS } from './keys';

export const ISSUER = 'pasar';
export const AUDIENCE = 'pasar-api';
const ALGORITHMS: jwt.Algorithm[] = ['HS256'];

export type Role = 'customer' | 'admin';

export interface AccessClaims {
  sub: string;
  role: Role;
  sid: string;
  /** The account's session version at issue; absent in tokens issued before it existed (= 1). */
  sv?: number;
  jti: string;
  exp: number;
  iat: number;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

interface StoredRefresh {
  user_id: string;
  role: Role;
  family_id: string;
  secret_hash: string;
  /** The account's session version at login; absent in tokens stored before it existed (= 1). */
  session_version?: number;
}

/**
 * RFC 8725: a token must carry `exp` and `iat`, and live no longer than we would have issued it
 * for. jsonwebtoken accepts a signed token without `exp` (it never expires) or with `exp` years
 * ahead; a leaked signing key or a forged-for-later token would then outlive every rotation.
 */
export function withinLifetime(claims: { exp?: unknown; iat?: unknown }, ttlSeconds: number, skewSeconds: number) {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || typeof iat !== 'number') return false;
  const now = Math.floor(Date.now() / 1000);
  const max = ttlSeconds + skewSeconds;
  return exp - iat <= max && exp - now <= max && iat <= now + skewSeconds;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * An HMAC secret as the KeyObject jsonwebtoken signs and verifies with, made once per secret.
 * Given a string, jsonwebtoken v9 tries to parse it as a key at every call (`createPublicKey` to
 * verify, `createPrivateKey` to sign: OpenSSL's decoders try every format before it throws), then
 * falls back to a secret key: about 0.3 ms of CPU per token, against 0.01 ms with a KeyObject
 * (docs/performance.md). An empty secret is refused, as jsonwebtoken refuses it, rather than
 * becoming an empty HMAC key.
 */
export function hmacKey(secret: string): KeyObject {
  if (!secret) throw new Error('an HMAC secret must not be empty');
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

const unauthorized = (message: string) => new AppError('unauthorized', message);

export function createTokenService(redis: Redis, auth: Config['auth'], accounts: Accounts) {
  const key = hmacKey(auth.jwtSecret);

  function signAccess(account: AccountStanding, familyId: string): string {
    return jwt.sign({ role: account.role, sid: familyId, sv: account.version }, key, {
      algorithm: 'HS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: account.userId,
      expiresIn: auth.accessTokenTtlSeconds,
      jwtid: randomUUID(),
    });
  }

  async function storeRefresh(account: AccountStanding, familyId: string): Promise<string> {
    const { userId, role, version } = account;
    const tokenId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const stored: StoredRefresh = {
      user_id: userId,
      role,
      family_id: familyId,
      secret_hash: sha256(secret),
      session_version: version,
    };
    const ttl = auth.refreshTokenTtlSeconds;
    await redis
      .multi()
      .set(authKeys.refresh(tokenId), JSON.stringify(stored), 'EX', ttl)
      .sadd(authKeys.refreshFamily(familyId), tokenId)
      .expire(authKeys.refreshFamily(familyId), ttl)
      .hset(authKeys.session(userId), familyId, JSON.stringify({ refreshed_at: new Date().toISOString() }))
      .expire(authKeys.session(userId), SESSION_TTL_SECONDS)
      .exec();
    return `${tokenId}.${secret}`;
  }

  /** Signs for the account as it stands now (its current role and version), if it may sign in. */
  async function pair(account: AccountStanding | undefined, familyId: string, sv?: number): Promise<TokenPair> {
    const refused = account && refusal(account, sv ?? account.version, account.role);
    if (!account || refused) throw unauthorized(refused ?? 'no account for this token');
    return {
      access_token: signAccess(account, familyId),
      refresh_token: await storeRefresh(account, familyId),
      token_type: 'Bearer',
      expires_in: auth.accessTokenTtlSeconds,
    };
  }

  /** Ends one session: its refresh tokens are deleted and its access tokens refused. */
  async function revokeFamily(userId: string, familyId: string): Promise<void> {
    const ids = await redis.smembers(authKeys.refreshFamily(familyId));
    const m = redis.multi();
    for (const id of ids) m.del(authKeys.refresh(id));
    await m
      .del(authKeys.refreshFamily(familyId))
      .hdel(authKeys.session(userId), familyId)
      .set(authKeys.revokedFamily(familyId), '1', 'EX', auth.accessTokenTtlSeconds)
      .exec();
  }

  return {
    /** Starts a new session (a new refresh-token family) with the account's role and version in Postgres. */
    issue: async (userId: string) => pair(await accounts.load(userId), randomUUID()),

    /** Exchanges a refresh token for a new pair; a second use of one token revokes the session. */
    async refresh(refreshToken: string): Promise<TokenPair> {
      const [tokenId, secret] = refreshToken.split('.');
      if (!tokenId || !secret) throw unauthorized('invalid refresh token');
      const raw = await redis.get(authKeys.refresh(tokenId));
      if (!raw) throw unauthorized('invalid refresh token');
      const stored = JSON.parse(raw) as StoredRefresh;
      const given = Buffer.from(sha256(secret));
      if (!timingSafeEqual(given, Buffer.from(stored.secret_hash))) throw unauthorized('invalid refresh token');
      const claimed = await redis.set(authKeys.refreshUsed(tokenId), '1', 'EX', auth.refreshTokenTtlSeconds, 'NX');
      if (claimed !== 'OK') {
        await revokeFamily(stored.user_id, stored.family_id);
        throw unauthorized('refresh token reuse detected; the session has been revoked');
      }
      if (!(await redis.hexists(authKeys.session(stored.user_id), stored.family_id))) {
        throw unauthorized('session expired; log in again');
      }
      // Postgres, not the cache: a rotation is rare, and it must see any disable or role change.
      const account = await accounts.load(stored.user_id);
      const sv = stored.session_version ?? INITIAL_SESSION_VERSION;
      if (!account || refusal(account, sv, account.role)) await revokeFamily(stored.user_id, stored.family_id);
      return pair(account, stored.family_id, sv);
    },

    /**
     * Verifies an access token's signature, algorithm, issuer, audience and expiry, then revocation
     * and its account's standing (one MGET; Postgres only when the standing is not cached).
     */
    async verifyAccess(token: string): Promise<AccessClaims> {
      let claims: AccessClaims;
      try {
        claims = jwt.verify(token, key, {
          algorithms: ALGORITHMS,
          issuer: ISSUER,
          audience: AUDIENCE,
        }) as AccessClaims;
      } catch (err) {
        throw unauthorized(err instanceof jwt.TokenExpiredError ? 'access token expired' : 'invalid access token');
      }
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.jti !== 'string') {
        throw unauthorized('invalid access token');
      }
      if (!withinLifetime(claims, auth.accessTokenTtlSeconds, auth.clockSkewSeconds)) {
        throw unauthorized('invalid access token: exp and iat are required and bound the lifetime');
      }
      const [blacklisted, revoked, standing] = await redis.mget(
        authKeys.blacklist(claims.jti),
        authKeys.revokedFamily(claims.sid),
        accountKey(claims.sub),
      );
      if (blacklisted || revoked) throw unauthorized('access token has been revoked');
      const refused = refusal(
        await accounts.fromCache(claims.sub, standing),
        claims.sv ?? INITIAL_SESSION_VERSION,
        claims.role,
      );
      if (refused) throw unauthorized(refused);
      return claims;
    },

    /** Logs out: the access token is blacklisted for the rest of its life and its session revoked. */
    async logout(claims: AccessClaims): Promise<void> {
      const remaining = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
      await redis.set(authKeys.blacklist(claims.jti), '1', 'EX', remaining);
      await revokeFamily(claims.sub, claims.sid);
    },

    /** Revokes every session of a user (after a password reset). */
    async revokeAll(userId: string): Promise<void> {
      const families = await redis.hkeys(authKeys.session(userId));
      for (const f of families) await revokeFamily(userId, f);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
