/**
 * The operator dashboard page (GET /dashboard): static HTML, CSS and script, and Chart.js from
 * node_modules, so the page works on machines without internet. The page itself is public (it
 * holds no data); the admin signs in on it and it calls the admin-only /analytics routes.
 * Its CSP (api/middleware/security-headers.ts) allows only this origin's scripts and styles.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { DASHBOARD_PATH } from '../middleware/security-headers';

const here = path.resolve(process.cwd(), 'api/dashboard');
const ASSETS: Record<string, { file: string; type: string }> = {
  [DASHBOARD_PATH]: { file: path.join(here, 'page.html'), type: 'text/html; charset=utf-8' },
  [`${DASHBOARD_PATH}/page.js`]: { file: path.join(here, 'page.js'), type: 'text/javascript; charset=utf-8' },
  [`${DASHBOARD_PATH}/page.css`]: { file: path.join(here, 'page.css'), type: 'text/css; charset=utf-8' },
  [`${DASHBOARD_PATH}/vendor/chart.umd.min.js`]: {
    file: path.resolve(process.cwd(), 'node_modules/chart.js/dist/chart.umd.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

export function dashboardRoutes() {
  // Read once at start: a missing file fails the process at boot, not the first operator.
  const files = Object.entries(ASSETS).map(([route, a]) => [route, readFileSync(a.file), a.type] as const);
  const app = new Hono<AppEnv>();
  for (const [route, content, type] of files) {
    app.get(route, (c) => c.body(content, 200, { 'content-type': type }));
  }
  return app;
}
