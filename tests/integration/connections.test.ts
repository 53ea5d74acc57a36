/**
 * The API holds a rush of connections (issue 19: a 1,000-shopper flash sale once died on
 * `read ECONNRESET`). The real API, served exactly as workers/api.ts serves it (serveHttp), on an
 * ephemeral port: 1,000 connections opened in the same instant each answer, stay open, and answer
 * again when reused, with no reset; the listener has the backlog that takes such a rush at once.
 */
import { spawnSync } from 'node:child_process';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createApp } from '../../api/app';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';
import { HTTP_SERVER, serveHttp, somaxconn, type HttpServer } from '../../platform/http-server';
import { createLogger } from '../../platform/logger';
import { createServices } from '../../services';

const SHOPPERS = 1000;

interface Answer {
  status: number;
  reused: boolean;
  port: number;
  keepAlive: string | undefined;
}

describe('the API under a rush of connections', () => {
  let deps: Deps;
  let server: HttpServer;
  let port = 0;
  // As many connections as requests, and every one kept (Node keeps 256 idle ones by default).
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });

  beforeAll(async () => {
    const logger = createLogger('silent');
    deps = createDeps(getConfig());
    const app = createApp(deps, createServices(deps, logger), logger);
    await new Promise<void>((resolve) => {
      server = serveHttp({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
        port = info.port;
        resolve();
      });
    });
  });

  afterAll(async () => {
    agent.destroy();
    await server.drain();
    await closeDeps(deps);
  });

  /** GET /healthz on the agent's connections; what answered, on which local port, reused or not. */
  const healthz = () =>
    new Promise<Answer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res: IncomingMessage) => {
        res.resume();
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            reused: req.reusedSocket,
            port: (req.socket as Socket).localPort ?? 0,
            keepAlive: res.headers['keep-alive'] as string | undefined,
          }),
        );
      });
      req.on('error', reject);
      req.end();
    });

  /** All at once: every request is issued in the same tick, before the server accepts any. */
  const rush = async () => {
    const settled = await Promise.allSettled(Array.from({ length: SHOPPERS }, healthz));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
    return { failed, answers: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])) };
  };

  const connections = () =>
    new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

  it('answers 1,000 connections opened at once, keeps them all, and answers each again on reuse', async () => {
    const first = await rush();
    expect(first.failed).toEqual([]);
    expect(first.answers.filter((a) => a.status !== 200)).toEqual([]);
    // One connection per request (maxSockets: Infinity), each announced as kept alive for 65 s.
    expect(new Set(first.answers.map((a) => a.port)).size).toBe(SHOPPERS);
    expect(new Set(first.answers.map((a) => a.keepAlive))).toEqual(
      new Set([`timeout=${HTTP_SERVER.keepAliveTimeoutMs / 1000}`]),
    );
    expect(await connections()).toBe(SHOPPERS);

    const second = await rush();
    expect(second.failed).toEqual([]);
    expect(second.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(second.answers.every((a) => a.reused)).toBe(true);
    expect(await connections()).toBe(SHOPPERS);
  });

  it('is the server workers/api.ts runs: its timeouts are the documented ones', () => {
    expect(server.keepAliveTimeout).toBe(HTTP_SERVER.keepAliveTimeoutMs);
    expect(server.headersTimeout).toBe(HTTP_SERVER.headersTimeoutMs);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    expect(server.requestTimeout).toBe(HTTP_SERVER.requestTimeoutMs);
  });

  const hasSs = spawnSync('ss', ['-V']).status === 0;
  (hasSs ? it : it.skip)('listens with the backlog it asked for, as far as the kernel allows', () => {
    // `ss` shows a listener's accept-queue limit as its Send-Q: min(backlog, net.core.somaxconn).
    const line = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim();
    const limit = Number(line.split(/\s+/)[2]);
    expect(limit).toBe(Math.min(HTTP_SERVER.backlog, somaxconn() ?? HTTP_SERVER.backlog));
    expect(limit).toBeGreaterThanOrEqual(SHOPPERS);
  });
});
