/**
 * The carrier connection against the real simulator (a process of the test's own) and the real
 * Postgres: each parcel's events reach the sink in seq order, parcels side by side, a parcel's
 * queued events as one batch; the ack never passes the lowest unfinished seq; a socket cut
 * mid-delivery resumes from the last ack with nothing lost and nothing handed on twice; a sink
 * failure is not acked and comes again (other parcels' events finished above it come again too);
 * a crash between the sink and the cursor write repeats events, which the sink's dedupe absorbs;
 * the simulator's restart is survived; one replica holds the stream and a standby takes over from
 * the stored cursor; a malformed frame is recorded as refused and passed, never a reason to
 * reconnect. Each test uses its own stream (cursor row) and lock key.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { getConfig } from '../../platform/config';
import { createPrisma } from '../../platform/clients/prisma';
import { createLogger } from '../../platform/logger';
import { processRegistry } from '../../platform/metrics/registry';
import type { CarrierEvent, Scenario } from '../../contracts/carrier';
import {
  backoffDelay,
  createCarrierLink,
  type CarrierLink,
  type CarrierLinkOptions,
} from '../../services/shipments/carrier-link';
import { createCarrierRefusals } from '../../services/shipments/carrier-refusals';
import { unique } from '../support/deps';
import { bookingRequest, useCarrierProcess } from './carrier/carrier-process';

const config = getConfig();
const logger = createLogger('silent', 'carrier-link-test');
const carrier = useCarrierProcess();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const links: CarrierLink[] = [];
let db: pg.Client;

beforeAll(async () => {
  db = new pg.Client({ connectionString: config.postgres.url });
  await db.connect();
});
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});
afterAll(() => db.end());

function link(
  sink: ((e: CarrierEvent) => Promise<void>) | { batchSink: (events: CarrierEvent[]) => Promise<void> },
  stream: string,
  lockKey: number,
  extra: Partial<Pick<CarrierLinkOptions, 'ackIntervalMs' | 'concurrency' | 'refuseMalformed'>> = {},
) {
  const l = createCarrierLink({
    carrierUrl: carrier().url,
    apiKey: carrier().apiKey,
    databaseUrl: config.postgres.url,
    ...(typeof sink === 'function' ? { sink } : sink),
    logger,
    stream,
    lockKey,
    backoff: { baseMs: 50, maxMs: 400 },
    standbyPollMs: 100,
    ...extra,
  });
  links.push(l);
  return l;
}

async function book(scenario: Scenario, stepMs: number): Promise<string> {
  const { status, body } = await carrier().call('POST', '/v1/bookings', bookingRequest({ scenario, step_ms: stepMs }));
  expect(status).toBe(201);
  return body.awb as string;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const storedCursor = async (stream: string) =>
  Number(
    (
      await db.query<{ s: string }>(
        'SELECT last_acked_seq AS s FROM transport.carrier_stream_cursors WHERE stream = $1',
        [stream],
      )
    ).rows[0]?.s ?? -1,
  );

const positionsOf = (events: CarrierEvent[], awb: string) => events.filter((e) => e.awb === awb).map((e) => e.position);
const seqsOf = (events: CarrierEvent[], awb: string) => events.filter((e) => e.awb === awb).map((e) => e.seq);
const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);
const JOURNEY = [1, 2, 3, 4, 5, 6, 7];

/** A stream whose cursor starts at the carrier's current end: the test reads only its own parcels. */
async function streamFromEnd(): Promise<{ stream: string; start: number }> {
  const stream = unique('stream');
  const { body } = await carrier().call('GET', '/v1/test/stream');
  await db.query('INSERT INTO transport.carrier_stream_cursors (stream, last_acked_seq) VALUES ($1, $2)', [
    stream,
    body.last_seq,
  ]);
  return { stream, start: body.last_seq as number };
}

/** The highest ack the carrier heard on any socket. */
const carrierAck = async () => Math.max(0, ...((await carrier().call('GET', '/v1/test/stream')).body.acks as number[]));

describe('carrier link', () => {
  it("hands every event to the sink, each parcel's in seq order, and stores the cursor it acked", async () => {
    const stream = unique('stream');
    const got: CarrierEvent[] = [];
    const l = link(async (e) => void got.push(e), stream, randomInt(1e9));
    const [a, b] = [await book('normal', 20), await book('duplicated', 20)];
    await l.start();
    await until(() => positionsOf(got, a).length === 7 && positionsOf(got, b).length === 14, 'both journeys');
    const seqs = got.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const awb of new Set(got.map((e) => e.awb))) expect(ascending(seqsOf(got, awb))).toBe(true);
    expect(positionsOf(got, a)).toEqual(JOURNEY);
    const last = Math.max(...seqs);
    await until(async () => (await storedCursor(stream)) === last, 'the cursor to reach the last seq');
    expect(l.stats().state).toBe('streaming');
  });

  it("hands two parcels on side by side, each in seq order, a parcel's queued events as one batch", async () => {
    const { stream } = await streamFromEnd();
    const [a, b] = [await book('normal', 20), await book('normal', 20)];
    let releaseA!: () => void;
    const aHeld = new Promise<void>((resolve) => (releaseA = resolve));
    const batches: CarrierEvent[][] = [];
    const got: CarrierEvent[] = [];
    const l = link(
      {
        batchSink: async (events) => {
          batches.push(events);
          if (events[0]!.awb === a && events[0]!.position === 1) await aHeld;
          got.push(...events);
        },
      },
      stream,
      randomInt(1e9),
    );
    await l.start();
    // B's whole journey goes through while A's first event is still in the sink.
    await until(() => positionsOf(got, b).length === 7, "B's journey while A's first event waits");
    const aFirst = batches.find((batch) => batch[0]!.awb === a)![0]!;
    expect(batches.filter((batch) => batch[0]!.awb === a)).toHaveLength(1); // A's next events wait behind it
    await until(() => l.stats().in_flight === 1, "only A's first event in the sink");
    // Nothing at or above A's unfinished event is acked or stored, though B's later events are done.
    expect(Math.max(...seqsOf(got, b))).toBeGreaterThan(aFirst.seq);
    expect(l.stats().last_acked_seq).toBeLessThan(aFirst.seq);
    expect(await storedCursor(stream)).toBeLessThan(aFirst.seq);
    expect(await carrierAck()).toBeLessThan(aFirst.seq);
    releaseA();
    await until(() => positionsOf(got, a).length === 7, "A's journey");
    expect(positionsOf(got, a)).toEqual(JOURNEY);
    expect(positionsOf(got, b)).toEqual(JOURNEY);
    expect(ascending(seqsOf(got, a))).toBe(true);
    expect(ascending(seqsOf(got, b))).toBe(true);
    // Every A event queued behind the held one (its journey was over by then) went on as one batch.
    expect(batches.filter((batch) => batch[0]!.awb === a).map((batch) => batch.map((e) => e.position))).toEqual([
      [1],
      [2, 3, 4, 5, 6, 7],
    ]);
    for (const batch of batches) expect(new Set(batch.map((e) => e.awb)).size).toBe(1);
    const last = Math.max(...got.map((e) => e.seq));
    await until(async () => (await storedCursor(stream)) === last, 'the cursor to reach the last seq');
    await until(async () => (await carrierAck()) === last, 'the ack to reach the last seq');
  });

  it('never acks past the lowest unfinished seq, with parcels finishing out of order and a failure', async () => {
    const { stream, start } = await streamFromEnd();
    const awbs = await Promise.all(Array.from({ length: 8 }, (_, i) => book(i === 0 ? 'duplicated' : 'normal', 10)));
    const finished = new Set<number>();
    const problems: string[] = [];
    /** Every seq from the stream's start up to `ack` must be finished (the stream's seqs are contiguous). */
    const check = (ack: number, what: string) => {
      for (let seq = start + 1; seq <= ack; seq++)
        if (!finished.has(seq)) return void problems.push(`${what} ${ack} passed unfinished seq ${seq}`);
    };
    let failAt: string | undefined = `${awbs[3]}-4`;
    const got: CarrierEvent[] = [];
    const l: CarrierLink = link(
      {
        batchSink: async (events) => {
          check(l.stats().last_acked_seq, 'the link acked');
          await new Promise((r) => setTimeout(r, randomInt(15)));
          check(l.stats().last_acked_seq, 'the link acked');
          if (events.some((e) => e.event_id === failAt)) {
            failAt = undefined;
            throw new Error('Temporal unavailable');
          }
          for (const e of events) finished.add(e.seq);
          got.push(...events);
        },
      },
      stream,
      randomInt(1e9),
    );
    const watch = setInterval(() => check(l.stats().last_acked_seq, 'the link acked'), 2);
    let watching = true;
    const storedWatch = (async () => {
      while (watching) {
        check(await storedCursor(stream), 'the stored cursor');
        check(await carrierAck(), 'the carrier heard an ack of');
        await sleep(5);
      }
    })();
    try {
      await l.start();
      await until(() => awbs.every((awb) => new Set(positionsOf(got, awb)).size === 7), 'every journey');
      const last = start + 7 * 8 + 7;
      await until(async () => (await storedCursor(stream)) === last, 'the cursor to reach the last seq');
    } finally {
      clearInterval(watch);
      watching = false;
      await storedWatch;
    }
    expect(problems).toEqual([]);
    expect(failAt).toBeUndefined();
    expect(l.stats().sink_failures).toBe(1);
    for (const awb of awbs) {
      // In order on each socket: a repeat after the reconnect starts over from the cursor.
      const seqs = seqsOf(got, awb);
      expect(new Set(seqs).size).toBe(awb === awbs[0] ? 14 : 7);
    }
    // Acks coalesced: fewer cursor writes than events.
    expect(l.stats().cursor_writes).toBeLessThan(l.stats().handed_on);
  });

  it('resumes from the last ack after the socket is cut mid-delivery: nothing lost, nothing handed on twice', async () => {
    const stream = unique('stream');
    const got: CarrierEvent[] = [];
    // Start from the stream's current end, so this test reads only its own parcel.
    const { body: health } = await carrier().call('GET', '/v1/test/stream');
    await db.query('INSERT INTO transport.carrier_stream_cursors (stream, last_acked_seq) VALUES ($1, $2)', [
      stream,
      health.last_seq,
    ]);
    const l = link(async (e) => void got.push(e), stream, randomInt(1e9));
    await l.start();
    const awb = await book('normal', 150);
    for (const after of [2, 4, 6]) {
      await until(() => positionsOf(got, awb).length >= after, `position ${after}`);
      expect((await carrier().call('POST', '/v1/test/drop-connections')).body.dropped).toBe(1);
    }
    await until(() => positionsOf(got, awb).length === 7, 'delivered');
    await sleep(300);
    expect(got.map((e) => e.seq)).toEqual(got.map((_, i) => health.last_seq + 1 + i));
    expect(positionsOf(got, awb)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(l.stats().connections).toBeGreaterThanOrEqual(4);
  });

  it('does not ack an event the sink failed on: nothing after it is handed on, and it comes again', async () => {
    const stream = unique('stream');
    const { body: health } = await carrier().call('GET', '/v1/test/stream');
    await db.query('INSERT INTO transport.carrier_stream_cursors (stream, last_acked_seq) VALUES ($1, $2)', [
      stream,
      health.last_seq,
    ]);
    const awb = await book('normal', 20);
    const calls: string[] = [];
    const applied: CarrierEvent[] = [];
    let failures = 2;
    const l = link(
      async (e) => {
        calls.push(`${e.position}`);
        if (e.awb === awb && e.position === 4 && failures-- > 0) {
          // Prove the cursor never moved past the failure while it failed (it may lag: writes are coalesced).
          expect(await storedCursor(stream)).toBeLessThan(e.seq);
          throw new Error('shipment store unavailable');
        }
        applied.push(e);
      },
      stream,
      randomInt(1e9),
    );
    await l.start();
    await until(() => positionsOf(applied, awb).length === 7, 'the whole journey');
    expect(calls).toEqual(['1', '2', '3', '4', '4', '4', '5', '6', '7']);
    expect(positionsOf(applied, awb)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(l.stats().sink_failures).toBe(2);
    expect(l.stats().last_error).toMatch(/shipment store unavailable/);
  });

  it("a failure of parcel A after B's later events finished: the cursor stays below A's event, which comes again", async () => {
    const { stream } = await streamFromEnd();
    const [a, b] = [await book('normal', 20), await book('normal', 20)];
    const calls: CarrierEvent[] = [];
    const done: CarrierEvent[] = [];
    let failed: CarrierEvent | undefined;
    const seen: { link: number; stored: number; carrier: number }[] = [];
    const l = link(
      async (e) => {
        calls.push(e);
        if (e.awb === a && e.position === 3 && !failed) {
          // B's journey, later in the stream than this event, finishes first.
          await until(() => positionsOf(done, b).length === 7, "B's journey");
          seen.push({
            link: l.stats().last_acked_seq,
            stored: await storedCursor(stream),
            carrier: await carrierAck(),
          });
          failed = e;
          throw new Error('shipment store unavailable');
        }
        done.push(e);
      },
      stream,
      randomInt(1e9),
    );
    await l.start();
    await until(() => positionsOf(done, a).length === 7, "A's journey after the reconnect");
    const a3 = failed!;
    expect(Math.max(...seqsOf(done, b))).toBeGreaterThan(a3.seq);
    for (const s of seen) expect(Math.max(s.link, s.stored, s.carrier)).toBeLessThan(a3.seq);
    expect(positionsOf(done, a)).toEqual(JOURNEY);
    expect(positionsOf(calls, a)).toEqual([1, 2, 3, 3, 4, 5, 6, 7]);
    // B's events above A's failed one had finished, but the cursor could not pass A's: they come
    // again (the sink dedupes on event_id). Those below it do not.
    for (const e of calls.filter((c) => c.awb === b)) {
      const times = calls.filter((c) => c.event_id === e.event_id).length;
      expect([e.position, times]).toEqual([e.position, e.seq > a3.seq ? 2 : 1]);
    }
    expect(new Set(done.filter((e) => e.awb === b).map((e) => e.event_id)).size).toBe(7);
    expect(l.stats().sink_failures).toBe(1);
    expect(l.stats().connections).toBeGreaterThanOrEqual(2);
    const last = Math.max(...calls.map((e) => e.seq));
    await until(async () => (await storedCursor(stream)) === last, 'the cursor to reach the last seq');
  });

  it('a crash between the sink and the cursor write hands those events on again, with no double effect', async () => {
    const { stream } = await streamFromEnd();
    const lockKey = randomInt(1e9);
    await book('normal', 20);
    const calls = new Map<string, number>();
    // The sink records each event once by event_id, as the tracking intake does (recorded events are not signalled again).
    const effects = new Map<string, CarrierEvent>();
    // Cursor writes 60 s apart: after the first, finished events wait in memory, as in the instant
    // before a write.
    const l = link(
      async (e) => {
        calls.set(e.event_id, (calls.get(e.event_id) ?? 0) + 1);
        if (!effects.has(e.event_id)) effects.set(e.event_id, e);
      },
      stream,
      lockKey,
      { ackIntervalMs: 60_000 },
    );
    await l.start();
    await until(() => effects.size === 7, 'the journey');
    const events = [...effects.values()];
    const stored = await storedCursor(stream);
    expect(stored).toBeLessThan(events.at(-1)!.seq);
    // The process dies: its Postgres session, which holds the lock and writes the cursor, is gone.
    const { rows } = await db.query<{ ended: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ended FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = $1",
      [lockKey],
    );
    expect(rows).toEqual([{ ended: true }]);
    const repeated = events.filter((e) => e.seq > stored);
    await until(() => repeated.every((e) => calls.get(e.event_id) === 2), 'the unwritten events again');
    for (const e of events) expect([e.position, calls.get(e.event_id)]).toEqual([e.position, e.seq > stored ? 2 : 1]);
    expect([...effects.values()].map((e) => e.position)).toEqual(JOURNEY);
    expect(repeated.length).toBeGreaterThan(0);
    expect(l.stats().connections).toBe(2);
    // A stop writes what finished.
    await l.stop();
    expect(await storedCursor(stream)).toBe(events.at(-1)!.seq);
  });

  it('survives the simulator restarting mid-journey and resumes from its durable log', async () => {
    const stream = unique('stream');
    const got: CarrierEvent[] = [];
    const l = link(async (e) => void got.push(e), stream, randomInt(1e9));
    const awb = await book('failed_attempt', 250);
    await l.start();
    await until(() => positionsOf(got, awb).length >= 2, 'two events');
    await carrier().restart();
    await until(() => positionsOf(got, awb).length === 9, 'delivery after the restart');
    expect(positionsOf(got, awb)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const seqs = got.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('lets one replica hold the stream; a standby takes over from the stored cursor', async () => {
    const stream = unique('stream');
    const lockKey = randomInt(1e9);
    const first: CarrierEvent[] = [];
    const second: CarrierEvent[] = [];
    const a = link(async (e) => void first.push(e), stream, lockKey);
    const b = link(async (e) => void second.push(e), stream, lockKey);
    await a.start();
    await until(() => a.stats().state === 'streaming', 'the first replica to stream');
    await b.start();
    const awb = await book('normal', 120);
    await until(() => positionsOf(first, awb).length >= 3, 'three events on the first replica');
    expect(b.stats().state).toBe('standby');
    expect(second).toEqual([]);
    await a.stop();
    await until(() => positionsOf(second, awb).length + positionsOf(first, awb).length >= 7, 'the rest on the standby');
    // Together exactly the journey: the standby started after the first one's last ack.
    expect([...positionsOf(first, awb), ...positionsOf(second, awb)]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(second.length).toBeGreaterThan(0);
  });

  it('works through a replay longer than its read-ahead window (the socket paused and resumed) in order', async () => {
    const { body } = await carrier().call('GET', '/v1/test/stream');
    for (let i = 0; i < 160; i += 40) await Promise.all(Array.from({ length: 40 }, () => book('normal', 5)));
    await until(
      async () => (await carrier().call('GET', '/v1/test/stream')).body.last_seq >= body.last_seq + 160 * 7,
      'the journeys',
    );
    const target = (await carrier().call('GET', '/v1/test/stream')).body.last_seq as number;
    expect(target).toBeGreaterThan(1100);
    const got: CarrierEvent[] = [];
    // A sink that holds every call until the socket stopped reading: events pile up to the high-water mark.
    const l: CarrierLink = link(
      async (e) => {
        await until(() => l.stats().read_pauses > 0, 'the socket to pause', 60_000);
        got.push(e);
      },
      unique('stream'),
      randomInt(1e9),
    );
    await l.start();
    await until(() => got.length >= target, `${target} events`, 60_000);
    expect(got.map((e) => e.seq).sort((x, y) => x - y)).toEqual(got.map((_, i) => i + 1));
    for (const awb of new Set(got.map((e) => e.awb))) expect(ascending(seqsOf(got, awb))).toBe(true);
    expect(l.stats().read_pauses).toBeGreaterThan(0);
    expect(l.stats().connections).toBe(1); // resumed reading on the same socket, never cut and reconnected
  });

  it('records a malformed frame as refused and passes it: the cursor moves on, the next events flow, no reconnect', async () => {
    const lines: Record<string, unknown>[] = [];
    const capture = createLogger('info', 'carrier-link-test', { write: (l: string) => void lines.push(JSON.parse(l)) });
    const prisma = createPrisma(config.postgres.url, config.dependencyTimeoutMs);
    try {
      const refusals = createCarrierRefusals(prisma, capture);
      const refusedCount = async () =>
        ((await processRegistry().getSingleMetric('pasar_carrier_events_refused_total')?.get())?.values ?? []).find(
          (v) => v.labels.reason === 'malformed' && v.labels.source === 'link',
        )?.value ?? 0;
      const countedBefore = await refusedCount();
      const { stream } = await streamFromEnd();
      const id = unique('bad');
      const good = {
        awb: `JNE${randomInt(1e9)}`,
        reference: unique('ref'),
        carrier: 'jne',
        status: 'picked_up',
        position: 3,
        occurred_at: new Date().toISOString(),
      };
      // Three poison frames, as the stream's first events: a status the shop does not know, an
      // airway bill with a direction override, and an event with no id and a NUL in its text.
      const bad = [
        { event: { ...good, event_id: `${id}-status`, status: 'teleported' }, field: 'status' },
        { event: { ...good, event_id: `${id}-awb`, awb: 'JNE\u202E123' }, field: 'awb' },
        { event: { ...good, awb: 'JNE\u0000' }, field: 'event_id' },
      ];
      const seqs: number[] = [];
      for (const b of bad) {
        const res = await carrier().call('POST', '/v1/test/stream/raw-event', { event: b.event });
        expect(res.status).toBe(201);
        seqs.push(res.body.seq as number);
      }
      const awb = await book('normal', 20);
      const got: CarrierEvent[] = [];
      const l = link(async (e) => void got.push(e), stream, randomInt(1e9), {
        refuseMalformed: (frame) => refusals.refuseMalformed(frame, 'link'),
      });
      await l.start();
      await until(() => positionsOf(got, awb).length === 7, 'the journey after the malformed frames');
      expect(positionsOf(got, awb)).toEqual(JOURNEY);
      const last = Math.max(...seqsOf(got, awb));
      await until(async () => (await storedCursor(stream)) === last, 'the cursor past the malformed frames');
      expect(l.stats()).toMatchObject({ state: 'streaming', connections: 1, malformed: 3, sink_failures: 0 });

      // Recorded once each, with the field at fault; logged for the alert; counted.
      const rows = await db.query<{ event_id: string; reason: string; source: string; payload: any }>(
        `SELECT event_id, reason, source, payload FROM transport.carrier_event_refusals
         WHERE reference = $1 ORDER BY (payload->>'seq')::int`,
        [good.reference],
      );
      expect(rows.rows.map((r) => [r.reason, r.source, r.payload.problem.field, r.payload.seq])).toEqual(
        bad.map((b, i) => ['malformed', 'link', b.field, seqs[i]]),
      );
      expect(rows.rows.map((r) => r.event_id).slice(0, 2)).toEqual([`${id}-status`, `${id}-awb`]);
      expect(rows.rows[2]!.event_id).toMatch(/^malformed:[0-9a-f]{40}$/);
      // Refused side by side (each frame a parcel of its own), so logged in any order.
      const alerts = lines.filter((x) => x.alert === 'carrier_event_refused' && x.reason === 'malformed');
      const bySeq = alerts
        .map((x) => [x.level, x.field, x.seq] as [number, string, number])
        .sort((x, y) => x[2] - y[2]);
      expect(bySeq).toEqual(bad.map((b, i) => [40, b.field, seqs[i]]));
      expect((await refusedCount()) - countedBefore).toBe(3);

      // A replay of the same frames (a link resuming from before them) records and counts nothing twice.
      await l.stop();
      await db.query('UPDATE transport.carrier_stream_cursors SET last_acked_seq = $2 WHERE stream = $1', [
        stream,
        seqs[0]! - 1,
      ]);
      const again: CarrierEvent[] = [];
      const replay = link(async (e) => void again.push(e), stream, randomInt(1e9), {
        refuseMalformed: (frame) => refusals.refuseMalformed(frame, 'link'),
      });
      await replay.start();
      await until(async () => (await storedCursor(stream)) === last, 'the replay past the malformed frames');
      expect(positionsOf(again, awb)).toEqual(JOURNEY);
      expect(replay.stats()).toMatchObject({ connections: 1, malformed: 3 });
      expect((await refusedCount()) - countedBefore).toBe(3);
      const [{ n }] = (
        await db.query<{ n: string }>(
          'SELECT count(*) AS n FROM transport.carrier_event_refusals WHERE reference = $1',
          [good.reference],
        )
      ).rows as [{ n: string }];
      expect(Number(n)).toBe(3);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(0, 100, 5000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 5000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(600);
    expect(backoffDelay(20, 100, 5000, () => 1)).toBe(5000);
  });
});
