import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../api/app';
import type { Readiness } from '../../platform/health';
import { createLogger } from '../../platform/logger';
import { createServices } from '../../services';
import { unique, useDeps } from '../support/deps';

const stack = (...args: string[]) => execFileSync('bash', ['scripts/stack/stack.sh', ...args], { stdio: 'pipe' });

describe('GET /readyz over HTTP', () => {
  const deps = useDeps();
  let server: ServerType;
  let base: string;
  let token: string;

  beforeAll(async () => {
    const logger = createLogger('silent');
    const services = createServices(deps(), logger);
    const app = createApp(deps(), services, logger);
    const user = await services.auth.register({
      email: `${unique('ready')}@example.id`,
      password: 'kopi-susu-gula-aren',
      first_name: 'Rina',
      last_name: 'Saputri',
      phone: '+6281200000000',
    });
    token = (await services.tokens.issue(user.id, 'customer')).access_token;
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    stack('up', 'redis'); // never leave the stack without Redis, even if a test failed
    await new Promise((resolve) => server.close(resolve));
  });

  it('is 200 with every dependency up', async () => {
    const res = await fetch(`${base}/readyz`);
    const body = (await res.json()) as Readiness;
    expect(res.status).toBe(200);
    expect(body.down).toEqual([]);
    expect(Object.keys(body.checks).sort()).toEqual([
      'clickhouse',
      'elasticsearch',
      'kafka',
      'postgres',
      'redis',
      'temporal',
    ]);
  });

  it('turns 503 naming Redis while Redis is stopped, and 200 again once it is back', async () => {
    stack('down', 'redis');
    const started = Date.now();
    const down = await fetch(`${base}/readyz`);
    const downBody = (await down.json()) as Readiness;
    expect(down.status).toBe(503);
    expect(downBody.down).toEqual(['redis']);
    expect(downBody.checks.redis.status).toBe('down');
    expect(Date.now() - started).toBeLessThan(10_000); // answered, not hung

    // A request that needs Redis gets a 503 naming it, quickly; one that can do without still works.
    const me = await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(503);
    expect(await me.json()).toEqual({
      error: {
        code: 'dependency_unavailable',
        message: 'redis is unavailable; try again shortly',
        details: { dependency: 'redis' },
      },
    });
    expect((await fetch(`${base}/products?page_size=1`)).status).toBe(200);

    stack('up', 'redis');
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await fetch(`${base}/readyz`)).status;
    }
    expect(status).toBe(200);
  });

  it('answers /healthz without touching dependencies', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
