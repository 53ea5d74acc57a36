/**
 * The carrier link's own cost, against a carrier simulator of its own (child process, free port,
 * throwaway state file) and the real Postgres, with a sink that does nothing (the cursor writes
 * are the link's work). N parcels, 7 events each, 5 ms apart:
 * - live: events/s from the carrier's push to the ack while the parcels travel;
 * - catch-up: events/s replaying the whole log from seq 0 on a fresh stream, against a bare
 *   websocket reading (and acking) the same log; with the CPU the link (this process) used for
 *   it, from /proc, and its cursor writes (one UPDATE each), per 1,000 events;
 * - slow sink: the same replay into a sink that takes SLOW_SINK_MS per event (a Temporal signal's
 *   round trip on a busy machine), so what the link does while the sink waits shows: one event at
 *   a time, or several parcels at once;
 * - resume: ms until the first event after every socket is cut reaches the sink.
 */
import { spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createCarrierLink, type CarrierLink } from '../../../services/shipments/carrier-link';
import { cpuBetween, cpuSnapshot } from '../lib/cpu';
import { benchLogger } from '../lib/kafka';
import { round, sleep } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

/** What one event costs a sink that signals a workflow: about a Temporal signal's round trip. */
const SLOW_SINK_MS = 10;

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Polls until `done`, or fails naming what never happened (a bench must not hang). */
async function waitFor(done: () => boolean, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const ADDRESS = {
  name: 'Bench',
  phone: '+6281200000000',
  line1: 'Jl. Uji 1',
  city: 'Jakarta',
  province: 'DKI Jakarta',
  postal_code: '10110',
};
const booking = (extra: Record<string, unknown>) => ({
  reference: `bench-${randomUUID()}`,
  carrier: 'jne',
  service: 'REG',
  origin: ADDRESS,
  destination: ADDRESS,
  weight_grams: 1000,
  delivery: 'websocket',
  ...extra,
});

/** Events/s of a bare websocket reading the log from seq 0, acking each frame, no cursor. */
async function bareReadRate(url: string, apiKey: string, expected: number) {
  const started = performance.now();
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream?after=0`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  let read = 0;
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      const { event } = JSON.parse(String(data)) as { event: { seq: number } };
      ws.send(JSON.stringify({ type: 'ack', seq: event.seq }));
      if (++read === expected) resolve();
    });
    ws.on('error', reject);
  });
  const secs = (performance.now() - started) / 1000;
  ws.terminate();
  return expected / secs;
}

export async function carrierLinkPart(ctx: BenchContext): Promise<PartResult> {
  const parcels = ctx.quick ? 20 : 300;
  const { apiKey } = ctx.config.carrier;
  const databaseUrl = ctx.config.postgres.url;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pasar-carrier-bench-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('node', ['--import', 'tsx', 'simulators/carrier/server.ts'], {
    env: { ...process.env, CARRIER_PORT: String(port), CARRIER_STATE_FILE: join(dir, 'events.jsonl') },
    stdio: 'ignore',
  });
  const streams: string[] = [];
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  /** A link on a stream of its own; `handed()` counts what reached its sink. */
  const link = (label: string, options: { backoff?: { baseMs: number; maxMs: number }; sinkMs?: number } = {}) => {
    const stream = `bench-${label}-${randomUUID()}`;
    streams.push(stream);
    let handed = 0;
    const { sinkMs, ...rest } = options;
    const l = createCarrierLink({
      carrierUrl: url,
      apiKey,
      databaseUrl,
      sink: sinkMs ? async () => void (await sleep(sinkMs), handed++) : async () => void handed++,
      logger: benchLogger,
      stream,
      lockKey: randomInt(1e9),
      ...rest,
    });
    return { link: l, stream, handed: () => handed };
  };
  /** Events/s from the link's start until `expected` events reached its sink; `before` runs after the start. */
  const rate = async (label: string, expected: number, before: () => Promise<void>, sinkMs?: number) => {
    const l = link(label, { backoff: { baseMs: 20, maxMs: 200 }, sinkMs });
    await l.link.start();
    const started = performance.now();
    await before();
    await waitFor(() => l.handed() >= expected, `${expected} events (${label}; got ${l.handed()})`);
    const secs = (performance.now() - started) / 1000;
    await l.link.stop();
    lastStats = l.link.stats();
    return expected / secs;
  };
  let lastStats: ReturnType<CarrierLink['stats']> | undefined;

  try {
    const healthy = () =>
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    const deadline = Date.now() + 60_000;
    while (!(await healthy())) {
      if (Date.now() > deadline) throw new Error('the carrier simulator did not answer in 60 s');
      await sleep(100);
    }
    const events = parcels * 7;
    const live = await rate('live', events, async () => {
      for (let i = 0; i < parcels; i += 50)
        await Promise.all(
          Array.from({ length: Math.min(50, parcels - i) }, () =>
            call('POST', '/v1/bookings', booking({ step_ms: 5 })),
          ),
        );
    });
    const bare = await bareReadRate(url, apiKey, events);
    const cpu0 = cpuSnapshot();
    const catchUp = await rate('catchup', events, async () => undefined);
    const cpu = cpuBetween(cpu0, cpuSnapshot());
    // A link that does not count its writes wrote once per event.
    const writes = (lastStats as { cursor_writes?: number } | undefined)?.cursor_writes ?? events;
    const slow = await rate('slow', events, async () => undefined, SLOW_SINK_MS);

    // Resume: a link at the end of the stream, every socket cut, one new parcel's first event timed.
    const resume = link('resume');
    const last = Number((await call('GET', '/v1/test/stream')).last_seq);
    await ctx.deps.db
      .$executeRaw`INSERT INTO transport.carrier_stream_cursors (stream, last_acked_seq) VALUES (${resume.stream}, ${last})`;
    await resume.link.start();
    await waitFor(() => resume.link.stats().state === 'streaming', 'the link to stream');
    await call('POST', '/v1/test/drop-connections');
    const cut = performance.now();
    await call('POST', '/v1/bookings', booking({ scenario: 'no_pickup' }));
    await waitFor(() => resume.handed() >= 1, 'the first event after the cut');
    const resumeMs = performance.now() - cut;
    await resume.link.stop();
    return {
      figures: {
        parcels,
        events,
        live_events_per_second: round(live),
        catch_up_events_per_second: round(catchUp),
        catch_up_link_cpu_ms_per_1000_events: Math.round(((cpu.byKind.bench ?? 0) * 1e6) / events),
        catch_up_cursor_writes_per_1000_events: Math.round((writes * 1000) / events),
        bare_read_events_per_second: round(bare),
        [`slow_sink_${SLOW_SINK_MS}ms_events_per_second`]: round(slow),
        resume_ms: Math.round(resumeMs),
      },
      ratios: [
        ratio('carrier link catch-up events/s vs a bare websocket read of the same log', catchUp, bare, 'events/s'),
        ratio(
          `carrier link catch-up into a ${SLOW_SINK_MS} ms sink vs a bare websocket read of the same log`,
          slow,
          bare,
          'events/s',
        ),
      ],
    };
  } finally {
    await ctx.deps.db.$executeRaw`DELETE FROM transport.carrier_stream_cursors WHERE stream = ANY(${streams})`;
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
