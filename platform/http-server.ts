/**
 * How the API accepts and keeps connections. `serve()` of @hono/node-server listens with Node's
 * defaults: a backlog of 511 and a 5 s keep-alive, which a 1,000-shopper flash sale met with
 * `read ECONNRESET` (issue 19). Each value below is chosen on purpose; docs/performance.md
 * ("Connections") says the same for operators.
 */
import { readFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';

export const HTTP_SERVER = {
  /**
   * Connections the kernel completes and queues before the process accepts them: 1,000 shoppers
   * arriving in the same instant (while the event loop is busy) fit twice over. Node's default is
   * 511; the kernel silently caps any value at net.core.somaxconn (4096 on Linux ≥ 5.4, 128 on
   * older kernels — a pod on one of those needs the sysctl raised, or this is 128).
   */
  backlog: 2048,
  /**
   * An idle kept-alive connection is closed after 65 s: longer than a load balancer's idle timeout
   * (60 s on AWS ALB, nginx and most ingresses), so the proxy is the side that closes it. A proxy
   * never sends on a connection it closed itself; a server closing one the client is just reusing
   * answers that request with a reset (a 502 behind a proxy, `read ECONNRESET` in the bench).
   * Node announces it (`Keep-Alive: timeout=65`); Node's Agent and undici close idle sockets a
   * little before that, and the bench's client after 30 s (scripts/lib/http.ts). Node 20's default
   * is 5 s.
   */
  keepAliveTimeoutMs: 65_000,
  /**
   * Time to receive a request's headers: longer than the keep-alive timeout, as Node's docs and
   * every load-balancer guide ask (on older Node lines the headers clock of a kept-alive socket
   * ran from the previous answer, nodejs/node#27363, and a shorter value cut idle connections).
   */
  headersTimeoutMs: 66_000,
  /**
   * Time to receive the whole request (bodies are at most 64 KiB of JSON, api/app.ts): a client
   * that has not sent one in 2 minutes is gone or hostile. It is no limit on how long the answer
   * takes. Node requires it ≥ headersTimeout; its default is 300 s.
   */
  requestTimeoutMs: 120_000,
  // No `maxConnections`: Node resets every connection above it, the opposite of what a rush needs;
  // the bound is the open-files limit (ulimit -n), far above what one process serves.
} as const;

type Fetch = Parameters<typeof createAdaptorServer>[0]['fetch'];

/** The kernel's cap on any listen backlog, or undefined where it cannot be read (not Linux). */
export function somaxconn(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** An HTTP server made by serveHttp: a node:http Server that can also drain (see below). */
export type HttpServer = Server & {
  /**
   * Stops the server the way a rolling restart needs: no new connections; idle kept-alive ones
   * closed now; each answer in flight finishes, says `Connection: close` if its headers are not out
   * yet, and its connection closes once idle. close() alone would wait up to the 65 s keep-alive
   * for the connections that were answering when it was called.
   */
  drain(): Promise<void>;
};

/**
 * `serve()` of @hono/node-server with the values above: the same options and listening callback,
 * so a process swaps one for the other. `info` also says the backlog the kernel grants.
 */
export function serveHttp(
  options: { fetch: Fetch; hostname: string; port: number },
  listening?: (info: AddressInfo & { backlog: number }) => void,
): HttpServer {
  const server = createAdaptorServer({
    fetch: options.fetch,
    hostname: options.hostname,
    serverOptions: {
      keepAliveTimeout: HTTP_SERVER.keepAliveTimeoutMs,
      headersTimeout: HTTP_SERVER.headersTimeoutMs,
      requestTimeout: HTTP_SERVER.requestTimeoutMs,
    },
  }) as Server;

  const answering = new Set<ServerResponse>();
  let draining = false;
  // Before Hono's listener, which may answer at once: a request that arrives while draining is
  // answered with `Connection: close`.
  server.prependListener('request', (_req, res: ServerResponse) => {
    answering.add(res);
    res.once('close', () => answering.delete(res));
    if (draining) res.shouldKeepAlive = false;
  });
  const drain = () => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const res of answering) {
      if (!res.headersSent) res.shouldKeepAlive = false;
      res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
    }
    server.closeIdleConnections();
    return closed;
  };

  server.listen({ host: options.hostname, port: options.port, backlog: HTTP_SERVER.backlog }, () => {
    const cap = somaxconn();
    const backlog = cap === undefined ? HTTP_SERVER.backlog : Math.min(HTTP_SERVER.backlog, cap);
    listening?.({ ...(server.address() as AddressInfo), backlog });
  });
  return Object.assign(server, { drain });
}
