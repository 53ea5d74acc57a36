/**
 * Service-to-service tokens: JWTs signed with a separate internal secret and audience, so no
 * shopper's token (audience pasar-api, the public secret) can ever pass as a service.
 */
import jwt from 'jsonwebtoken';
import { AppError } from '../../platform/errors';

export const INTERNAL_AUDIENCE = 'pasar-internal';

export function signServiceToken(secret: string, service: string, ttlSeconds = 300): string {
  return jwt.sign({ role: 'service' }, secret, {
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
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: 'pasar', audience: INTERNAL_AUDIENCE });
    if (typeof claims === 'object' && claims.role === 'service' && typeof claims.sub === 'string') return claims.sub;
  } catch {
    // fall through: any failure is the same refusal
  }
  throw new AppError('forbidden', 'this route is for Pasar services only');
}
