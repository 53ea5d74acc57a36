/**
 * The HTTP client of the operator scripts (demo, benchmarks). `from` picks the loopback source
 * address (any 127.x.y.z reaches 127.0.0.1 on Linux), so a script can act as shoppers arriving
 * from addresses of their own: the shop's per-address limits (sign-up, login) then see a crowd,
 * as in production, not one client, and counters left by a test run on 127.0.0.1 do not apply.
 */
import { randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';

// Replies are read loosely, as a script does; their shapes are documented at /docs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply {
  status: number;
  body: Json;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 256 });

/** A random loopback address other than 127.0.0.1. */
export const loopbackAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

export function httpCall(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string>; from?: string } = {},
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
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
