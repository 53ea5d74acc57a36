/**
 * Swagger UI at GET /docs, served from this origin: the page and its boot script here, the viewer
 * itself from the installed swagger-ui-dist package, so the page loads nothing from a third party
 * and works without internet. Its CSP (api/middleware/security-headers.ts) allows only this
 * origin's scripts, styles and fetches.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { DOCS_PATH } from '../middleware/security-headers';

const here = path.resolve(process.cwd(), 'api/docs');
const dist = path.resolve(process.cwd(), 'node_modules/swagger-ui-dist');
const JS = 'text/javascript; charset=utf-8';
const ASSETS: Record<string, { file: string; type: string }> = {
  [DOCS_PATH]: { file: path.join(here, 'page.html'), type: 'text/html; charset=utf-8' },
  [`${DOCS_PATH}/assets/boot.js`]: { file: path.join(here, 'boot.js'), type: JS },
  [`${DOCS_PATH}/assets/swagger-ui-bundle.js`]: { file: path.join(dist, 'swagger-ui-bundle.js'), type: JS },
  [`${DOCS_PATH}/assets/swagger-ui.css`]: { file: path.join(dist, 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  // Named by the page, so the browser never asks this origin for /favicon.ico (a 404).
  [`${DOCS_PATH}/assets/favicon-32x32.png`]: { file: path.join(dist, 'favicon-32x32.png'), type: 'image/png' },
};

export function docsRoutes() {
  // Read once at start: a missing file fails the process at boot, not the first reader.
  const files = Object.entries(ASSETS).map(([route, a]) => [route, readFileSync(a.file), a.type] as const);
  const app = new Hono<AppEnv>();
  for (const [route, content, type] of files) {
    // The viewer changes only with the package: a day's caching spares ~1.5 MB per visit.
    const cache = route === DOCS_PATH ? 'no-store' : 'public, max-age=86400';
    app.get(route, (c) => c.body(content, 200, { 'content-type': type, 'cache-control': cache }));
  }
  return app;
}
