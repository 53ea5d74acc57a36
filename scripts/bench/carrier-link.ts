/**
 * `npx tsx scripts/bench/carrier-link.ts [--parcels 300]`: the carrier connection's throughput
 * against a carrier simulator of its own (child process, free port, throwaway state file) and the
 * real Postgres. Books N parcels (7 events each, 5 ms apart) and prints:
 * - live: events/s from the carrier's push to the ack (sink done + cursor stored), while they travel;
 * - catch-up: events/s replaying the whole log from seq 0 on a fresh stream;
 * - resume: how long the link takes to reconnect and go on after every socket is cut.
 * The sink is a no-op, so the figures are the link's own cost (one cursor UPDATE per event).
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { getConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import type { CarrierEvent } from '../../contracts/carrier';
import { createCarrierLink } from '../../services/transport/carrier-link';

const args = process.argv.slice(2);
const PARCELS = args.includes('--parcels') ? Number(args[args.indexOf('--parcels') + 1]) : 300;
const config = getConfig();
const { apiKey } = config.carrier;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `done`, or fails naming what never happened (a bench must not hang). */
async function waitFor(done: () => boolean, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

async function main() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pasar-carrier-bench-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('node', ['--import', 'tsx', 'simulators/carrier/server.ts'], {
    env: { ...process.env, CARRIER_PORT: String(port), CARRIER_STATE_FILE: join(dir, 'events.jsonl') },
    stdio: 'ignore',
  });
  const db = new pg.Client({ connectionString: config.postgres.url });
  await db.connect();
  const streams: string[] = [];
  try {
    while (
      !(await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await sleep(100);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const address = {
      name: 'Bench',
      phone: '+6281200000000',
      line1: 'Jl. Uji 1',
      city: 'Jakarta',
      province: 'DKI Jakarta',
      postal_code: '10110',
    };

    const run = async (label: string, expected: number, before: () => Promise<void>) => {
      const stream = `bench-${label}-${Date.now()}`;
      streams.push(stream);
      let handed = 0;
      const link = createCarrierLink({
        carrierUrl: url,
        apiKey,
        databaseUrl: config.postgres.url,
        sink: async (_e: CarrierEvent) => void handed++,
        logger: createLogger('silent', 'bench'),
        stream,
        lockKey: randomInt(1e9),
        backoff: { baseMs: 20, maxMs: 200 },
      });
      await link.start();
      const started = performance.now();
      await before();
      await waitFor(() => handed >= expected, `${expected} events (${label}; got ${handed})`);
      const secs = (performance.now() - started) / 1000;
      await link.stop();
      return { secs, perSecond: Math.round(expected / secs) };
    };

    const events = PARCELS * 7;
    const live = await run('live', events, async () => {
      for (let i = 0; i < PARCELS; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, PARCELS - i) }, (_, j) =>
            call('POST', '/v1/bookings', {
              reference: `bench-${Date.now()}-${i + j}`,
              carrier: 'jne',
              service: 'REG',
              origin: address,
              destination: address,
              weight_grams: 1000,
              delivery: 'websocket',
              step_ms: 5,
            }),
          ),
        );
      }
    });
    console.log(
      `live:     ${events} events from ${PARCELS} parcels in ${live.secs.toFixed(2)} s: ${live.perSecond} events/s push → ack`,
    );
    const catchUp = await run('catchup', events, async () => undefined);
    console.log(
      `catch-up: ${events} events replayed from seq 0 in ${catchUp.secs.toFixed(2)} s: ${catchUp.perSecond} events/s`,
    );

    // Resume: a link at the end of the stream, every socket cut, one new parcel's first event timed.
    let got = 0;
    const stream = `bench-resume-${Date.now()}`;
    streams.push(stream);
    const last = Number((await call('GET', '/v1/test/stream')).last_seq);
    await db.query('INSERT INTO transport.carrier_stream_cursors (stream, last_acked_seq) VALUES ($1, $2)', [
      stream,
      last,
    ]);
    const link = createCarrierLink({
      carrierUrl: url,
      apiKey,
      databaseUrl: config.postgres.url,
      sink: async () => void got++,
      logger: createLogger('silent', 'bench'),
      stream,
      lockKey: randomInt(1e9),
    });
    await link.start();
    await waitFor(() => link.stats().state === 'streaming', 'the link to stream');
    await call('POST', '/v1/test/drop-connections');
    const cut = performance.now();
    await call('POST', '/v1/bookings', {
      reference: `bench-resume-${Date.now()}`,
      carrier: 'jne',
      service: 'REG',
      origin: address,
      destination: address,
      weight_grams: 1000,
      delivery: 'websocket',
      scenario: 'no_pickup',
    });
    await waitFor(() => got >= 1, 'the first event after the cut');
    console.log(
      `resume:   first event after a cut handed on in ${Math.round(performance.now() - cut)} ms (default backoff 125–250 ms)`,
    );
    await link.stop();
  } finally {
    await db.query('DELETE FROM transport.carrier_stream_cursors WHERE stream = ANY($1)', [streams]);
    await db.end();
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
