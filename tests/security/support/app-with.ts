/**
 * A second HTTP server over the same real stack, deps and services as useServer's, whose config
 * differs: e.g. the production default of a limit the rest of the suite raises (see
 * tests/support/suite-env.ts).
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../../api/app';
import type { Config } from '../../../platform/config';
import { createLogger } from '../../../platform/logger';
import type { TestServer } from '../../support/server';

export function useAppWith(server: () => TestServer, change: (config: Config) => Config): () => string {
  let http: ServerType | undefined;
  let base: string | undefined;
  beforeAll(async () => {
    const { deps, services } = server();
    const app = createApp({ ...deps, config: change(deps.config) }, services, createLogger('silent'));
    await new Promise<void>((resolve) => {
      http = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    base = `http://127.0.0.1:${(http!.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  });
  return () => {
    if (!base) throw new Error('the server is only available inside tests');
    return base;
  };
}
