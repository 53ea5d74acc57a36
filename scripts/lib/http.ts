/**
 * The HTTP client of the operator scripts (demo, benchmarks). `from` picks the loopback source
 * address (any 127.x.y.z reaches 127.0.0.1 on Linux), so a script can act as shoppers arriving
 * from addresses of their own: the shop's per-address limits (sign-up, login) then see a crowd,
 * as in production, not one client, and counters left by a test run on 127.0.0.1 do not apply.
 *
 * A connection that drops under a call (ECONNRESET, "socket hang up", EPIPE) is retried only when
 * repeating the call cannot do anything twice: a GET/HEAD/OPTIONS, or a call carrying an
 * Idempotency-Key the route honours (POST /checkout). A plain POST is never retried blindly: the
 * shop may have done it before the connection dropped (a second sign-up, a second cart line); the
 * error reaches the caller, which knows how to check or start over.
 */
import { randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

// Replies are read loosely, as a script does; their shapes are documented at /docs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply {
  status: number;
  body: Json;
}

/**
 * An idle kept-alive socket is closed by the client after 30 s, well before the shop's 65 s
 * (platform/http-server.ts): whoever closes an idle connection first must be the client, or a
 * call sent on it as the server closes it meets a reset. Node's Agent (≥ 19) also reads the
 * server's `Keep-Alive: timeout=N` and closes a second before it, so a server with a shorter
 * keep-alive (Node's default 5 s) is handled too, with only that second to spare on a loaded
 * machine: the retries below cover the rest. (`keepAliveMsecs` is the TCP probe delay, not this.)
 */
export const CLIENT_IDLE_SOCKET_MS = 30_000;
// `timeout` also arms on a busy socket, where it only emits 'timeout' (nobody listens): a slow answer is awaited.
const keepAlive = new Agent({ keepAlive: true, maxSockets: 256, timeout: CLIENT_IDLE_SOCKET_MS });

/** Tries of one idempotent call in all, and the first pause between them (doubling, with jitter). */
export const CALL_TRIES = 5;
const FIRST_BACKOFF_MS = 50;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether repeating the call cannot do anything twice (see the top of this file). */
export const isIdempotent = (method: string, headers: Record<string, string> = {}) =>
  SAFE_METHODS.has(method.toUpperCase()) || Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key');

/** A connection that dropped under a call ("socket hang up" carries ECONNRESET too). */
export const isConnectionDrop = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test((err as Error | undefined)?.message ?? '');
};

/** A random loopback address other than 127.0.0.1. */
export const loopbackAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

export async function httpCall(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string>; from?: string } = {},
): Promise<Reply> {
  const retried = isIdempotent(method, opts.headers);
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(base, method, path, opts);
    } catch (err) {
      if (!retried || attempt >= CALL_TRIES || !isConnectionDrop(err)) throw err;
      const backoff = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
      await sleep(backoff + randomInt(0, backoff)); // jittered: a crowd that dropped together does not return together
    }
  }
}

function callOnce(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string>; from?: string },
): Promise<Reply> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        localAddress: opts.from,
        agent: opts.from ? false : keepAlive,
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        // A connection that drops mid-answer is a drop too (unhandled, it would end the process).
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
