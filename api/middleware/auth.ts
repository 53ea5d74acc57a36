/**
 * Authentication and authorization guards: a signed-in user, an admin, or another Pasar service.
 * They are static (route objects declare them, api/access.ts) and read what they verify with from
 * the request's context, which `authContext` (mounted once in api/app.ts) sets.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../platform/errors';
import { verifyServiceToken } from '../../services/auth/service-tokens';
import type { AppEnv, AuthDeps } from '../context';

function bearer(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) throw new AppError('unauthorized', 'missing bearer token');
  return match[1];
}

function authDeps(c: Context<AppEnv>): AuthDeps {
  const deps = c.get('auth') as AuthDeps | undefined;
  // A programming error, not the caller's: a router served without api/app.ts's authContext.
  if (!deps) throw new Error('route guard without auth deps: mount authContext() before the routes');
  return deps;
}

/** Sets what the guards verify with, once per request. */
export function authContext(deps: AuthDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('auth', deps);
    await next();
  };
}

/** Any signed-in user (a shopper or an admin): a valid, unrevoked access token. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('user', await authDeps(c).tokens.verifyAccess(bearer(c.req.header('authorization'))));
  await next();
};

/** An admin's access token; anyone else signed in gets 403. */
export const requireAdmin: MiddlewareHandler<AppEnv> = (c, next) =>
  requireUser(c, async () => {
    if (c.get('user').role !== 'admin') throw new AppError('forbidden', 'admin only');
    await next();
  });

/** Service-to-service routes: a token signed with the internal secret and audience, nothing else. */
export const requireService: MiddlewareHandler<AppEnv> = async (c, next) => {
  let token: string;
  try {
    token = bearer(c.req.header('authorization'));
  } catch {
    throw new AppError('unauthorized', 'missing service token');
  }
  c.set('service', verifyServiceToken(authDeps(c).internalSecret, token));
  await next();
};
