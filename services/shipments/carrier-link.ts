/**
 * The shipment service's live connection to the carrier's push stream (contracts/carrier.ts).
 *
 * - One replica at a time: it holds a Postgres session advisory lock; the others wait as standbys
 *   and one takes over when that session ends (at once if the process dies).
 * - Resumes from the last acknowledged seq, kept in Postgres (carrier-cursor.ts) and written on
 *   the lock's own session, so a replica that lost the lock cannot move it.
 * - Parcels side by side, each parcel in order: events are handed to the sink by parcel (awb).
 *   One parcel's events go strictly in seq order, one sink call at a time; the events of a parcel
 *   that queue while its call is in the sink go on together as the next batch. At most
 *   `concurrency` parcels are in the sink at once.
 * - Acks up to the lowest unfinished seq: the cursor (and the ack after it) moves to the highest
 *   seq with every event at or below it finished, never past an event still in the sink, still
 *   queued, or failed. Cursor writes are coalesced: one at a time, at most one per `ackIntervalMs`,
 *   and a last one before the link reconnects or stops.
 * - A sink failure is never acked: nothing more is handed on, the calls in the sink finish, the
 *   cursor is written up to the lowest unfinished seq, the socket is cut and the link reconnects
 *   from there. The failed event comes again; so do other parcels' events above it that had
 *   finished (the sink dedupes on `event_id`). An event at or below the cursor (a replay overlap)
 *   is not handed on again.
 * - A malformed frame (not JSON, or an event the schema refuses: carrier-frame.ts) is not a
 *   failure: it would come again on every reconnect and stop the stream for good. It is handed
 *   to `refuseMalformed` (recorded as refused, logged, counted) in its place in the stream and
 *   acked like an event once recorded, so the events after it flow. A frame whose seq is unusable
 *   is refused without moving the cursor (the next event's ack passes it).
 * - A socket cut (the carrier, the network) hands on what was already read before reconnecting,
 *   so a cut repeats nothing; `stop()` hands on nothing more and lets the calls in the sink finish.
 * - Reconnects with exponential backoff and jitter; a ping that gets no pong cuts a dead socket.
 *
 * Delivery to the sink is at least once (a crash between the sink and the cursor write repeats the
 * events finished since the last write, at most `ackIntervalMs` of them plus those in flight); the
 * sink dedupes on `event_id`.
 */
import pg from 'pg';
import WebSocket from 'ws';
import type { Logger } from '../../platform/logger';
import type { CarrierEvent, CarrierEventBatchSink, CarrierEventSink } from '../../contracts/carrier';
import { advanceCursor, readCursor } from './carrier-cursor';
import { readCarrierFrame, type MalformedCarrierFrame } from './carrier-frame';

/** Events read ahead of the cursor before the socket stops reading (a long replay must not fill memory). */
const HIGH_WATER = 1000;
const LOW_WATER = 100;

/** Any constant shared by every carrier link of one database (migrate 72707, outbox relay 72708). */
export const CARRIER_LINK_LOCK = 72709;

export type LinkState = 'stopped' | 'standby' | 'connecting' | 'streaming' | 'backoff';

interface CarrierLinkCommonOptions {
  carrierUrl: string;
  apiKey: string;
  databaseUrl: string;
  logger: Logger;
  /** The cursor's key; one per carrier account (default: the carrier URL). */
  stream?: string;
  lockKey?: number;
  backoff?: { baseMs: number; maxMs: number };
  standbyPollMs?: number;
  heartbeatMs?: number;
  handshakeTimeoutMs?: number;
  /** A sink call that has not resolved by then counts as failed, so a hung dependency never stalls the stream silently. */
  sinkTimeoutMs?: number;
  /** Parcels in the sink at once (default 32). */
  concurrency?: number;
  /** Most events of one parcel in one batch (default 100). */
  maxBatch?: number;
  /** Least time between two cursor writes (default 50 ms): the acks of a busy stream are coalesced. */
  ackIntervalMs?: number;
  /**
   * Records a malformed frame as refused (the shop's refusal record, log line and counter); the
   * frame is acked once it resolves, and retried like a sink failure when it throws. Without it
   * (benches, tests of the stream alone) the frame is logged and passed.
   */
  refuseMalformed?: (frame: MalformedCarrierFrame) => Promise<void>;
}

/**
 * Where the events go: `batchSink` takes one parcel's queued events at once (in seq order),
 * `sink` one event at a time (a parcel's batch then goes through it in order, each event finished
 * as its call resolves).
 */
export type CarrierLinkOptions = CarrierLinkCommonOptions &
  ({ sink: CarrierEventSink; batchSink?: never } | { batchSink: CarrierEventBatchSink; sink?: never });

export interface CarrierLinkStats {
  state: LinkState;
  last_acked_seq: number;
  /** Events the sink took (a batch counts its events). */
  handed_on: number;
  /** Sink calls: batches with `batchSink`, events with `sink`. */
  sink_calls: number;
  /** Parcels in the sink now. */
  in_flight: number;
  skipped_replays: number;
  /** Malformed frames refused and passed. */
  malformed: number;
  sink_failures: number;
  cursor_writes: number;
  /** Times the socket stopped reading because HIGH_WATER events were read ahead of the cursor. */
  read_pauses: number;
  connections: number;
  last_error?: string;
}

export interface CarrierLink {
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): CarrierLinkStats;
}

/** Equal jitter: half the exponential delay fixed, half random, so replicas never reconnect in step. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An event (or a malformed frame in its place) read from the socket, until the cursor passes it. */
interface Entry {
  seq: number;
  /** Undefined for a malformed frame, which is refused instead of handed on. */
  event?: CarrierEvent;
  malformed?: MalformedCarrierFrame;
  finished: boolean;
}

/** One parcel's events waiting for the sink, and whether a call of it is in the sink. */
interface Parcel {
  awb: string;
  queue: Entry[];
  busy: boolean;
  ready: boolean;
}

/** A stream frame as an entry of the window; undefined for other frame types (the carrier's business). */
function entryOf(raw: string, lastRead: number, logger: Logger): Entry | undefined {
  const frame = readCarrierFrame(raw);
  if (frame.kind === 'other') return undefined;
  if (frame.kind === 'malformed') {
    // No usable seq: refused in its place without moving the cursor (the next event's ack passes it).
    return { seq: frame.frame.seq ?? lastRead, malformed: frame.frame, finished: false };
  }
  if (frame.cleaned.length > 0) {
    // The frame cannot be answered with a 400: its tracking goes on, without the characters.
    const { event_id, awb } = frame.event;
    logger.warn(
      { event_id, awb, fields: frame.cleaned },
      'carrier event text held control or invisible format characters; taken out',
    );
  }
  return { seq: frame.event.seq, event: frame.event, finished: false };
}

export function createCarrierLink(options: CarrierLinkOptions): CarrierLink {
  const { carrierUrl, apiKey, databaseUrl, logger } = options;
  const stream = options.stream ?? carrierUrl;
  const lockKey = options.lockKey ?? CARRIER_LINK_LOCK;
  const { baseMs, maxMs } = options.backoff ?? { baseMs: 250, maxMs: 30_000 };
  const standbyPollMs = options.standbyPollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 5000;
  const sinkTimeoutMs = options.sinkTimeoutMs ?? 30_000;
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const maxBatch = Math.max(1, options.maxBatch ?? 100);
  const ackIntervalMs = options.ackIntervalMs ?? 50;

  let state: LinkState = 'stopped';
  let running = false;
  let session: pg.Client | undefined;
  let socket: WebSocket | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let cursor = 0;
  let inFlight = 0;
  const stats = {
    handed_on: 0,
    sink_calls: 0,
    skipped_replays: 0,
    malformed: 0,
    sink_failures: 0,
    cursor_writes: 0,
    read_pauses: 0,
    connections: 0,
    last_error: undefined as string | undefined,
  };

  /** Records a malformed frame as refused (or logs it, without `refuseMalformed`); then it is finished. */
  async function refuse(entry: Entry, frame: MalformedCarrierFrame): Promise<void> {
    const { seq, eventId, field, message } = frame;
    if (options.refuseMalformed) {
      try {
        await withTimeout(options.refuseMalformed(frame), sinkTimeoutMs);
      } catch (err) {
        stats.sink_failures++;
        throw new Error(`malformed frame ${eventId} (seq ${seq}) not recorded: ${(err as Error).message}`);
      }
    } else logger.warn({ event_id: eventId, seq, field, problem: message }, 'carrier sent a malformed frame; passed');
    entry.finished = true;
    stats.malformed++;
  }

  /** Hands one parcel's batch to the sink; marks each event finished once the sink took it. */
  async function handOn(batch: Entry[]): Promise<void> {
    const first = batch[0]!;
    if (first.malformed) return refuse(first, first.malformed);
    const refused = (err: unknown, first: CarrierEvent, count: number) => {
      stats.sink_failures++;
      const what = count === 1 ? `event ${first.event_id}` : `${count} events of ${first.awb} from ${first.event_id}`;
      return new Error(`sink refused ${what} (seq ${first.seq}): ${(err as Error).message}`);
    };
    if (options.batchSink) {
      stats.sink_calls++;
      try {
        await withTimeout(options.batchSink(batch.map((e) => e.event!)), sinkTimeoutMs);
      } catch (err) {
        throw refused(err, first.event!, batch.length);
      }
      for (const e of batch) e.finished = true;
      stats.handed_on += batch.length;
      return;
    }
    for (const e of batch) {
      stats.sink_calls++;
      try {
        await withTimeout(options.sink!(e.event!), sinkTimeoutMs);
      } catch (err) {
        throw refused(err, e.event!, 1);
      }
      e.finished = true;
      stats.handed_on++;
    }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => (clearTimeout(timer), resolve());
    });

  async function openSession(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: databaseUrl,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      application_name: 'pasar-carrier-link',
    });
    client.on('error', (err) => {
      logger.warn({ err }, 'carrier link lost its Postgres session; cutting the stream');
      socket?.terminate();
    });
    await client.connect();
    return client;
  }

  async function closeSession() {
    const s = session;
    session = undefined;
    // Ending the session releases the advisory lock; a standby takes over on its next poll.
    await s?.end().catch(() => undefined);
  }

  /** Standby until this replica holds the lock. */
  async function acquire(): Promise<boolean> {
    while (running) {
      session ??= await openSession();
      const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey]);
      if (rows[0]?.locked) return true;
      state = 'standby';
      await sleep(standbyPollMs);
    }
    return false;
  }

  /**
   * One websocket connection, until it closed and the events it handed on are finished and
   * written; resolves whether the cursor moved on it.
   */
  function streamOnce(db: pg.Client): Promise<boolean> {
    const after = cursor;
    const wsUrl = `${carrierUrl.replace(/^http/, 'ws')}/v1/stream?after=${after}`;
    state = 'connecting';
    const ws = new WebSocket(wsUrl, {
      headers: { authorization: `Bearer ${apiKey}` },
      handshakeTimeout: handshakeTimeoutMs,
    });
    socket = ws;

    /** Events read and not yet passed by the cursor, in seq order (from `head` on). */
    const window: Entry[] = [];
    let head = 0;
    const parcels = new Map<string, Parcel>();
    /** Parcels with queued events and none in the sink, in the order they became so. */
    const ready: Parcel[] = [];
    let lastRead = after;
    let malformedFrames = 0;
    /** Every event at or below it is finished: how far the cursor may go. */
    let finishedUpTo = after;
    let written = after;
    let writing = false;
    let writeFailed = false;
    let writeTimer: NodeJS.Timeout | undefined;
    let lastWriteAt = 0;
    let progressed = false;
    /** After a failure or a stop: nothing more is handed on on this socket. */
    let halted = false;
    let closed = false;
    let settle: (() => void) | undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));

    let awaitingPong = false;
    const heartbeat = setInterval(() => {
      // Paused (the sink is behind) we read nothing, pongs included: no verdict until reading again.
      if (ws.isPaused) return void (awaitingPong = false);
      // No pong since the last ping: the peer or the network is gone without a FIN.
      if (awaitingPong) return ws.terminate();
      awaitingPong = true;
      ws.ping();
    }, heartbeatMs);
    ws.on('pong', () => (awaitingPong = false));

    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = halted = true;
      stats.last_error = err.message;
      logger.warn(
        { err: err.message, stream, last_acked_seq: written },
        'carrier stream: not acked; reconnecting from the last ack',
      );
      ws.terminate();
    };

    /** Writes the cursor up to `finishedUpTo`, then acks it: one write at a time, spaced by ackIntervalMs while open. */
    const write = () => {
      if (writing || writeFailed || finishedUpTo <= written) return;
      const wait = closed ? 0 : lastWriteAt + ackIntervalMs - Date.now();
      if (wait > 0) {
        writeTimer ??= setTimeout(() => ((writeTimer = undefined), write()), wait);
        return;
      }
      clearTimeout(writeTimer);
      writeTimer = undefined;
      const seq = finishedUpTo;
      writing = true;
      advanceCursor(db, stream, seq)
        .then(
          () => {
            written = cursor = seq;
            progressed = true;
            stats.cursor_writes++;
            if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ack', seq }));
          },
          (err: Error) => {
            writeFailed = true;
            fail(new Error(`carrier stream cursor not stored: ${err.message}`));
          },
        )
        .finally(() => {
          writing = false;
          lastWriteAt = Date.now();
          write();
          done();
        });
    };

    /** Moves `finishedUpTo` over the finished events at the head of the window. */
    const advance = () => {
      while (head < window.length && window[head]!.finished) finishedUpTo = window[head++]!.seq;
      if (head >= 1024 && head * 2 >= window.length) {
        window.splice(0, head);
        head = 0;
      }
      if (ws.isPaused && ws.readyState === WebSocket.OPEN && window.length - head <= LOW_WATER) ws.resume();
      write();
    };

    const queueUp = (parcel: Parcel) => {
      parcel.ready = true;
      ready.push(parcel);
    };

    const pump = () => {
      while (!halted && inFlight < concurrency && ready.length > 0) {
        const parcel = ready.shift()!;
        parcel.ready = false;
        parcel.busy = true;
        inFlight++;
        const batch = parcel.queue.splice(0, maxBatch);
        handOn(batch)
          .catch(fail)
          .finally(() => {
            inFlight--;
            parcel.busy = false;
            if (parcel.queue.length === 0) parcels.delete(parcel.awb);
            else if (!halted) queueUp(parcel);
            advance();
            pump();
            done();
          });
      }
    };

    /** Once closed: resolves after the last sink call finished and the last cursor write. */
    const done = () => {
      if (!closed || inFlight > 0 || (!halted && ready.length > 0)) return;
      write();
      if (writing) return;
      clearTimeout(writeTimer);
      settle?.();
      settle = undefined;
    };

    return new Promise((resolve) => {
      ws.on('open', () => {
        state = 'streaming';
        stats.connections++;
        logger.info({ stream, after }, 'carrier stream connected');
      });
      ws.on('message', (data) => {
        if (halted) return; // after a failure nothing more is handed on or acked on this socket
        const entry = entryOf(String(data), lastRead, logger);
        if (!entry) return;
        // A malformed frame without a seq sits at `lastRead`: refused, never skipped as a replay.
        if (entry.seq <= lastRead && !(entry.malformed && entry.malformed.seq === undefined)) {
          stats.skipped_replays++;
          return;
        }
        lastRead = entry.seq;
        window.push(entry);
        // A malformed frame is a parcel of its own (no airway bill holds a control character):
        // refused beside the others, blocking none.
        const key = entry.event?.awb ?? `\u0000malformed:${++malformedFrames}`;
        let parcel = parcels.get(key);
        if (!parcel) parcels.set(key, (parcel = { awb: key, queue: [], busy: false, ready: false }));
        parcel.queue.push(entry);
        if (!parcel.busy && !parcel.ready) queueUp(parcel);
        // Past the high-water mark the socket stops reading; TCP flow control then holds the carrier back.
        if (window.length - head >= HIGH_WATER && !ws.isPaused) {
          ws.pause();
          stats.read_pauses++;
        }
        pump();
      });
      ws.on('unexpected-response', (_req, res) => {
        stats.last_error = `carrier refused the stream: HTTP ${res.statusCode}`;
        ws.terminate();
      });
      ws.on('error', (err) => (stats.last_error = `carrier stream: ${err.message}`));
      ws.on('close', () => {
        clearInterval(heartbeat);
        if (socket === ws) socket = undefined;
        closed = true;
        // A stop hands on nothing more; a cut hands on what was read (it is ours to ack).
        if (!running) halted = true;
        pump();
        done();
        // The events in the sink's hands finish, and the cursor is written, before anyone
        // reconnects: two sockets never overlap.
        void settled.then(() => resolve(progressed));
      });
    });
  }

  async function run() {
    let attempt = 0;
    while (running) {
      try {
        if (!(await acquire())) break;
        cursor = await readCursor(session!, stream);
        if (await streamOnce(session!)) attempt = 0;
      } catch (err) {
        stats.last_error = (err as Error).message;
        logger.warn({ err }, 'carrier link error');
      }
      // A dead session has lost the lock already; a live one keeps it (the carrier was the problem).
      const alive = await session?.query('SELECT 1').then(
        () => true,
        () => false,
      );
      if (!alive) await closeSession();
      if (!running) break;
      state = 'backoff';
      await sleep(backoffDelay(attempt++, baseMs, maxMs));
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      state = 'standby';
      loop = run();
    },
    async stop() {
      running = false;
      socket?.terminate();
      wake?.();
      await loop;
      await closeSession();
      state = 'stopped';
    },
    stats: () => ({ state, last_acked_seq: cursor, in_flight: inFlight, ...stats }),
  };
}
