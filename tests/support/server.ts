/**
 * Starts the real API on an ephemeral port against the real stack, with the outbox relay
 * running, so tests talk HTTP exactly as a client would.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../api/app';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';
import { createLogger } from '../../platform/logger';
import { createOutboxRelay, type OutboxRelay } from '../../platform/outbox/relay';
import { createServices, type Services } from '../../services';

export interface TestServer {
  base: string;
  deps: Deps;
  services: Services;
  relay: OutboxRelay;
}

export function useServer(): () => TestServer {
  let server: ServerType | undefined;
  let ctx: TestServer | undefined;
  beforeAll(async () => {
    const logger = createLogger('silent');
    const deps = createDeps(getConfig());
    const services = createServices(deps, logger);
    await services.auth.ensureAdmin(deps.config.auth.admin.email, deps.config.auth.admin.password);
    const app = createApp(deps, services, logger);
    const relay = createOutboxRelay(deps.db, deps.kafka, logger);
    await relay.start();
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    ctx = { base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, deps, services, relay };
  });
  afterAll(async () => {
    await ctx?.relay.stop();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (ctx) await closeDeps(ctx.deps);
  });
  return () => {
    if (!ctx) throw new Error('the server is only available inside tests');
    return ctx;
  };
}
