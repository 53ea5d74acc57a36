/** Authentication and authorization guards: a shopper, an admin, or another Pasar service. */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../platform/errors';
import { verifyServiceToken } from '../../services/auth/service-tokens';
import type { TokenService } from '../../services/auth/tokens';
import type { AppEnv } from '../context';

function bearer(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) throw new AppError('unauthorized', 'missing bearer token');
  return match[1];
}

export function requireUser(tokens: TokenService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('user', await tokens.verifyAccess(bearer(c.req.header('authorization'))));
    await next();
  };
}

export function requireAdmin(tokens: TokenService): MiddlewareHandler<AppEnv> {
  const user = requireUser(tokens);
  return (c, next) =>
    user(c, async () => {
      if (c.get('user').role !== 'admin') throw new AppError('forbidden', 'admin only');
      await next();
    });
}

/** Service-to-service routes: a token signed with the internal secret and audience, nothing else. */
export function requireService(internalSecret: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let token: string;
    try {
      token = bearer(c.req.header('authorization'));
    } catch {
      throw new AppError('unauthorized', 'missing service token');
    }
    c.set('service', verifyServiceToken(internalSecret, token));
    await next();
  };
}
