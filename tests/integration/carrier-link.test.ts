/**
 * The carrier connection against the real simulator (a process of the test's own) and the real
 * Postgres: events reach the sink in seq order; a socket cut mid-delivery resumes from the last
 * ack with nothing lost and nothing handed on twice; a sink failure is not acked and comes again;
 * the simulator's restart is survived; one replica holds the stream and a standby takes over from
 * the stored cursor. Each test uses its own stream (cursor row) and lock key.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { getConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import type { CarrierEvent, Scenario } from '../../contracts/carrier';
import { backoffDelay, createCarrierLink, type CarrierLink } from '../../services/shipments/carrier-link';
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

function link(sink: (e: CarrierEvent) => Promise<void>, stream: string, lockKey: number) {
  const l = createCarrierLink({
    carrierUrl: carrier().url,
    apiKey: carrier().apiKey,
    databaseUrl: config.postgres.url,
    sink,
    logger,
    stream,
    lockKey,
    backoff: { baseMs: 50, maxMs: 400 },
    standbyPollMs: 100,
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

describe('carrier link', () => {
  it('hands every event to the sink in seq order and stores the cursor it acked', async () => {
    const stream = unique('stream');
    const got: CarrierEvent[] = [];
    const l = link(async (e) => void got.push(e), stream, randomInt(1e9));
    const [a, b] = [await book('normal', 20), await book('duplicated', 20)];
    await l.start();
    await until(() => positionsOf(got, a).length === 7 && positionsOf(got, b).length === 14, 'both journeys');
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(positionsOf(got, a)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await until(async () => (await storedCursor(stream)) === got.at(-1)!.seq, 'the cursor to reach the last seq');
    expect(l.stats().state).toBe('streaming');
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
          // Prove the cursor never moved past the failure while it failed.
          expect(await storedCursor(stream)).toBe(e.seq - 1);
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
    const seqs: number[] = [];
    // A sink slower than the socket: frames pile up past the high-water mark while it works.
    const l = link(
      async (e) => void (await new Promise((r) => setTimeout(r, 1)), seqs.push(e.seq)),
      unique('stream'),
      randomInt(1e9),
    );
    await l.start();
    await until(() => seqs.length >= target, `${target} events`, 60_000);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(l.stats().read_pauses).toBeGreaterThan(0);
    expect(l.stats().connections).toBe(1); // resumed reading on the same socket, never cut and reconnected
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(0, 100, 5000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 5000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(600);
    expect(backoffDelay(20, 100, 5000, () => 1)).toBe(5000);
  });
});
