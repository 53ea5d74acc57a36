/**
 * A carrier simulator of a test's own: the real entry point (simulators/carrier/server.ts) as a
 * child process on a free port with its own state file, so a test can kill and restart it (its log
 * survives, as the stack's does) without touching the stack's carrier other tests use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConfig } from '../../../platform/config';
import type { Address, BookingRequest } from '../../../contracts/carrier';
import { kill } from '../../support/worker-process';

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

export interface CarrierProcess {
  url: string;
  apiKey: string;
  webhookSecret: string;
  start(): Promise<void>;
  /** SIGKILL: no goodbye, like a crash. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** An authenticated call to the simulator's API. */
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** Starts one simulator for the test file; `webhookUrl` is where it posts webhook bookings' events. */
export function useCarrierProcess(options: { webhookUrl?: () => string } = {}): () => CarrierProcess {
  let carrier: CarrierProcess | undefined;
  let dir: string | undefined;
  let child: ChildProcess | undefined;
  const { apiKey, webhookSecret } = getConfig().carrier;

  beforeAll(async () => {
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'pasar-carrier-'));
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      CARRIER_PORT: String(port),
      CARRIER_STATE_FILE: join(dir, 'events.jsonl'),
      ...(options.webhookUrl ? { CARRIER_WEBHOOK_URL: options.webhookUrl() } : {}),
    };
    const call: CarrierProcess['call'] = async (method, path, body) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    };
    const start = async () => {
      child = spawn('node', ['--import', 'tsx', 'simulators/carrier/server.ts'], { env, stdio: 'ignore' });
      for (let i = 0; i < 200; i++) {
        const up = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the test carrier simulator did not start');
    };
    const stop = async () => {
      if (child) await kill(child, 'SIGKILL');
      child = undefined;
    };
    carrier = { url, apiKey, webhookSecret, start, stop, restart: async () => (await stop(), await start()), call };
    await start();
  });

  afterAll(async () => {
    await carrier?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return () => {
    if (!carrier) throw new Error('the carrier simulator is only available inside tests');
    return carrier;
  };
}

const address = (city: string): Address => ({
  name: 'Sari Wulandari',
  phone: '+6281234567890',
  line1: 'Jl. Merdeka No. 1',
  city,
  province: 'DKI Jakarta',
  postal_code: '10110',
});

/** A valid booking request with a fresh reference; override any field. */
export function bookingRequest(overrides: Partial<BookingRequest> & { step_ms?: number } = {}) {
  return {
    reference: `ref-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    carrier: 'jne',
    service: 'REG',
    origin: address('Jakarta'),
    destination: address('Bandung'),
    weight_grams: 1200,
    delivery: 'websocket',
    ...overrides,
  } as BookingRequest & { step_ms?: number };
}
