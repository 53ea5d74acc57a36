/**
 * The carrier-link process (workers/carrier-link.ts) as Kubernetes sees it: /healthz while it
 * runs, /readyz ready with Postgres, Temporal and the carrier up; the carrier gone → 503 naming
 * the carrier within the probe timeout, never a hang; back → ready again and streaming. Events
 * for parcels the shop never booked are acknowledged (nothing will ever take them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { kill } from '../support/worker-process';
import { bookingRequest, freePort, useCarrierProcess } from './carrier/carrier-process';

const carrier = useCarrierProcess();
let child: ChildProcess | undefined;
let healthPort = 0;

afterAll(async () => {
  if (child) await kill(child, 'SIGTERM');
});

const readyz = () =>
  fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('carrier-link process', () => {
  it('is ready with its dependencies up, names the carrier when it is down, and recovers', async () => {
    healthPort = await freePort();
    child = spawn('node', ['--import', 'tsx', 'workers/carrier-link.ts'], {
      env: {
        ...process.env,
        CARRIER_URL: carrier().url,
        CARRIER_LINK_HEALTH_PORT: String(healthPort),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const ready = await until(readyz, (r) => r.status === 200, 'ready');
    expect(ready.body.checks).toMatchObject({
      postgres: { status: 'up' },
      temporal: { status: 'up' },
      carrier: { status: 'up' },
    });
    expect(['streaming', 'standby']).toContain(ready.body.link.state);
    expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200);

    await carrier().stop();
    const started = Date.now();
    const down = await until(readyz, (r) => r.status === 503, 'not ready');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(down.body.down).toEqual(['carrier']);
    expect(down.body.checks.carrier.error).toMatch(/unavailable/);

    await carrier().start();
    await until(readyz, (r) => r.status === 200, 'ready again');
    if (ready.body.link.state === 'streaming') {
      // A parcel the shop never booked: its events are acknowledged and the cursor moves on.
      const { body } = await carrier().call('POST', '/v1/bookings', bookingRequest({ scenario: 'no_pickup' }));
      const seq = await until(
        async () => (await carrier().call('GET', `/v1/bookings/${body.awb}`)).body.events[0]?.seq as number | undefined,
        (v) => v !== undefined,
        "the parcel's first event",
      );
      await until(readyz, (r) => r.body.link.last_acked_seq >= seq!, 'the unknown parcel acked');
    }
  });
});
