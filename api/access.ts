/**
 * Who may call a route, declared once with the route: `guarded(access, config)` is `createRoute`
 * with both the guard (run before the route's validators: no token is a 401, never a 400) and
 * the OpenAPI `security` that documents it, so the two cannot drift apart.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context';
import { requireAdmin, requireService, requireUser } from './middleware/auth';

/** Any signed-in user (shoppers and admins), admins only, or another Pasar service. */
export type Access = 'user' | 'admin' | 'service';

/** The OpenAPI security schemes the requirements below name; api/app.ts registers them. */
export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A user\'s access token from POST /auth/login; routes that list the role "admin" need an admin\'s',
  },
  serviceAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A service-to-service token signed with the internal secret (audience pasar-internal)',
  },
} as const;

type Requirement = Partial<Record<keyof typeof SECURITY_SCHEMES, string[]>>[];

/** Each access as an OpenAPI security requirement (3.1 lets a non-OAuth scheme list the roles it needs). */
export const ACCESS_SECURITY: Record<Access, Requirement> = {
  user: [{ bearerAuth: [] }],
  admin: [{ bearerAuth: ['admin'] }],
  service: [{ serviceAuth: [] }],
};

const GUARDS: Record<Access, MiddlewareHandler<AppEnv>> = {
  user: requireUser,
  admin: requireAdmin,
  service: requireService,
};

/** `createRoute` for a route only `access` may call: its guard and its documented security in one. */
export function guarded<
  P extends string,
  R extends Omit<RouteConfig, 'path' | 'security' | 'middleware'> & { path: P },
>(access: Access, config: R) {
  return createRoute({ ...config, security: ACCESS_SECURITY[access], middleware: GUARDS[access] });
}
