/**
 * An HTTP client that connects from a chosen loopback source address (any 127.x.y.z reaches a
 * server on 127.0.0.1 on Linux), so a test can act as many clients on different addresses:
 * per-address limits are then tested for real, and each test gets counters of its own.
 */
import { request } from 'node:http';
import { randomInt } from 'node:crypto';
import type { Client, Reply } from '../../support/http';

/** A fresh loopback address, never 127.0.0.1 (the rest of the suite's address). */
export const randomAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

export function clientFrom(base: string, localAddress = randomAddress()): Client {
  const call = <T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string> } = {},
  ) =>
    new Promise<Reply<T>>((resolve, reject) => {
      const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const headers: Record<string, string> = { ...opts.headers };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const req = request(`${base}${path}`, { method, headers, localAddress }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, String(v));
          resolve({ status: res.statusCode!, body: (text ? JSON.parse(text) : undefined) as T, headers: h });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    get: (path, token) => call('GET', path, { token }),
    post: (path, body, token) => call('POST', path, { body, token }),
    patch: (path, body, token) => call('PATCH', path, { body, token }),
    put: (path, body, token) => call('PUT', path, { body, token }),
    del: (path, token) => call('DELETE', path, { token }),
    raw: call,
  };
}
