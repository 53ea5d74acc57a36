/**
 * Service-to-service tokens: JWTs signed with a separate internal secret and audience, so no
 * shopper's token (audience pasar-api, the public secret) can ever pass as a service.
 */
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../../platform/errors';
import { hmacKey, withinLifetime } from './tokens';

export const INTERNAL_AUDIENCE = 'pasar-internal';
/** The longest a service token may live; a longer-lived one is refused like a forged one. */
export const SERVICE_TOKEN_MAX_TTL_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;

/** Each secret's KeyObject, made at its first use (a process knows one internal secret). */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = hmacKey(secret);
    keys.set(secret, key);
  }
  return key;
}

export function signServiceToken(secret: string, service: string, ttlSeconds = SERVICE_TOKEN_MAX_TTL_SECONDS): string {
  if (ttlSeconds > SERVICE_TOKEN_MAX_TTL_SECONDS) {
    throw new Error(`service tokens live at most ${SERVICE_TOKEN_MAX_TTL_SECONDS} s`);
  }
  return jwt.sign({ role: 'service' }, keyOf(secret), {
    algorithm: 'HS256',
    issuer: 'pasar',
    audience: INTERNAL_AUDIENCE,
    subject: `service:${service}`,
    expiresIn: ttlSeconds,
  });
}

/** Returns the calling service's name, or throws 403. */
export function verifyServiceToken(secret: string, token: string): string {
  try {
    const claims = jwt.verify(token, keyOf(secret), {
      algorithms: ['HS256'],
      issuer: 'pasar',
      audience: INTERNAL_AUDIENCE,
    });
    if (
      typeof claims === 'object' &&
      claims.role === 'service' &&
      typeof claims.sub === 'string' &&
      withinLifetime(claims, SERVICE_TOKEN_MAX_TTL_SECONDS, CLOCK_SKEW_SECONDS)
    ) {
      return claims.sub;
    }
  } catch {
    // fall through: any failure is the same refusal
  }
  throw new AppError('forbidden', 'this route is for Pasar services only');
}
