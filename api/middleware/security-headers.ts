/**
 * Security headers on every response, from Hono's own secure-headers middleware: nosniff,
 * X-Frame-Options DENY, HSTS, a same-origin resource policy, no Referer, and a CSP. JSON answers
 * get the REST-API policy (`default-src 'none'; frame-ancestors 'none'`): nothing in them may
 * run or be framed. Swagger UI at /docs (api/docs/) and the operator dashboard (/dashboard,
 * api/dashboard/) run only files this origin serves (Swagger UI from the installed
 * swagger-ui-dist), so their policy allows this origin's scripts, styles and fetches and nothing
 * else: no inline script, no other host. Swagger UI sets style attributes and shows inline SVG
 * icons, so its page allows inline styles and data: images (never scripts).
 *
 * Every response is also `Cache-Control: no-store` unless its route chose otherwise: token
 * pairs, profiles, addresses, carts, orders and payments must never sit in a shared or disk
 * cache, and a default that is safe for all is harder to get wrong than a list of routes.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../context';

export const DOCS_PATH = '/docs';
export const DASHBOARD_PATH = '/dashboard';

const common = { xFrameOptions: 'DENY', referrerPolicy: 'no-referrer' } as const;

const forApi = secureHeaders({
  ...common,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
});

const forDocs = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
});

const forDashboard = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
});

const isDashboard = (p: string) => p === DASHBOARD_PATH || p.startsWith(`${DASHBOARD_PATH}/`);
const isDocs = (p: string) => p === DOCS_PATH || p.startsWith(`${DOCS_PATH}/`);

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const headers = isDocs(c.req.path) ? forDocs : isDashboard(c.req.path) ? forDashboard : forApi;
    await headers(c, next);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('Cache-Control', 'no-store');
  };
}
