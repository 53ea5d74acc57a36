/**
 * The shipment service's live connection to the carrier's push stream (contracts/carrier.ts).
 *
 * - One replica at a time: it holds a Postgres session advisory lock; the others wait as standbys
 *   and one takes over when that session ends (at once if the process dies).
 * - Resumes from the last acknowledged seq, kept in Postgres (carrier-cursor.ts) and written on
 *   the lock's own session, so a replica that lost the lock cannot move it.
 * - Events are handed to the sink one at a time in seq order. Only after the sink resolves is the
 *   cursor advanced and the ack sent. A sink failure is never acked: the socket is cut and the
 *   link reconnects from the last ack, so that event (and everything after it) comes again.
 *   An event at or below the cursor (a replay overlap) is not handed on again.
 * - Reconnects with exponential backoff and jitter; a ping that gets no pong cuts a dead socket.
 *
 * Delivery to the sink is at least once (a crash between the sink and the cursor write repeats
 * one event); the sink dedupes on `event_id`.
 */
import pg from 'pg';
import WebSocket from 'ws';
import type { Logger } from '../../platform/logger';
import type { CarrierEventSink } from '../../contracts/carrier';
import { advanceCursor, readCursor } from './carrier-cursor';
import { parseCarrierEvent } from './carrier-event-schema';

/** Frames read ahead of the sink before the socket stops reading (a long replay must not fill memory). */
const HIGH_WATER = 1000;
const LOW_WATER = 100;

/** Any constant shared by every carrier link of one database (migrate 72707, outbox relay 72708). */
export const CARRIER_LINK_LOCK = 72709;

export type LinkState = 'stopped' | 'standby' | 'connecting' | 'streaming' | 'backoff';

export interface CarrierLinkOptions {
  carrierUrl: string;
  apiKey: string;
  databaseUrl: string;
  sink: CarrierEventSink;
  logger: Logger;
  /** The cursor's key; one per carrier account (default: the carrier URL). */
  stream?: string;
  lockKey?: number;
  backoff?: { baseMs: number; maxMs: number };
  standbyPollMs?: number;
  heartbeatMs?: number;
  handshakeTimeoutMs?: number;
  /** A sink that has not resolved by then counts as failed, so a hung dependency never stalls the stream silently. */
  sinkTimeoutMs?: number;
}

export interface CarrierLinkStats {
  state: LinkState;
  last_acked_seq: number;
  handed_on: number;
  skipped_replays: number;
  sink_failures: number;
  /** Times the socket stopped reading because the sink was HIGH_WATER frames behind. */
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

export function createCarrierLink(options: CarrierLinkOptions): CarrierLink {
  const { carrierUrl, apiKey, databaseUrl, sink, logger } = options;
  const stream = options.stream ?? carrierUrl;
  const lockKey = options.lockKey ?? CARRIER_LINK_LOCK;
  const { baseMs, maxMs } = options.backoff ?? { baseMs: 250, maxMs: 30_000 };
  const standbyPollMs = options.standbyPollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 5000;
  const sinkTimeoutMs = options.sinkTimeoutMs ?? 30_000;

  let state: LinkState = 'stopped';
  let running = false;
  let session: pg.Client | undefined;
  let socket: WebSocket | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let cursor = 0;
  const stats = {
    handed_on: 0,
    skipped_replays: 0,
    sink_failures: 0,
    read_pauses: 0,
    connections: 0,
    last_error: undefined as string | undefined,
  };

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

  /** One websocket connection, until it closes; resolves whether any event was acked on it. */
  function streamOnce(db: pg.Client): Promise<boolean> {
    const wsUrl = `${carrierUrl.replace(/^http/, 'ws')}/v1/stream?after=${cursor}`;
    state = 'connecting';
    const ws = new WebSocket(wsUrl, {
      headers: { authorization: `Bearer ${apiKey}` },
      handshakeTimeout: handshakeTimeoutMs,
    });
    socket = ws;
    let progressed = false;
    let broken = false;
    let chain = Promise.resolve();
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

    const handle = async (raw: string) => {
      if (broken) return; // after a failure nothing more is handed on or acked on this socket
      let frame: unknown;
      try {
        frame = JSON.parse(raw);
      } catch {
        throw new Error('carrier sent a frame that is not JSON');
      }
      const f = frame as { type?: unknown; event?: unknown };
      if (f.type !== 'event') return; // other frame types are the carrier's business
      const parsed = parseCarrierEvent(f.event);
      if (!parsed.ok) throw new Error(`carrier sent an invalid event (${parsed.field}: ${parsed.message})`);
      const event = parsed.event;
      if (event.seq <= cursor) {
        stats.skipped_replays++;
        return;
      }
      try {
        await withTimeout(sink(event), sinkTimeoutMs);
      } catch (err) {
        stats.sink_failures++;
        throw new Error(`sink refused event ${event.event_id} (seq ${event.seq}): ${(err as Error).message}`);
      }
      await advanceCursor(db, stream, event.seq);
      cursor = event.seq;
      stats.handed_on++;
      progressed = true;
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ack', seq: event.seq }));
    };

    return new Promise((resolve) => {
      ws.on('open', () => {
        state = 'streaming';
        stats.connections++;
        logger.info({ stream, after: cursor }, 'carrier stream connected');
      });
      let pending = 0;
      ws.on('message', (data) => {
        // Past the high-water mark the socket stops reading; TCP flow control then holds the carrier back.
        if (++pending >= HIGH_WATER && !ws.isPaused) {
          ws.pause();
          stats.read_pauses++;
        }
        chain = chain
          .then(() => handle(String(data)))
          .finally(() => {
            if (--pending <= LOW_WATER && ws.isPaused) ws.resume();
          })
          .catch((err: Error) => {
            broken = true;
            stats.last_error = err.message;
            logger.warn(
              { err: err.message, stream, last_acked_seq: cursor },
              'carrier stream: not acked; reconnecting from the last ack',
            );
            ws.terminate();
          });
      });
      ws.on('unexpected-response', (_req, res) => {
        stats.last_error = `carrier refused the stream: HTTP ${res.statusCode}`;
        ws.terminate();
      });
      ws.on('error', (err) => (stats.last_error = `carrier stream: ${err.message}`));
      ws.on('close', () => {
        clearInterval(heartbeat);
        socket = undefined;
        // The event in the sink's hands finishes before anyone reconnects: two sockets never overlap.
        void chain.then(() => resolve(progressed));
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
    stats: () => ({ state, last_acked_seq: cursor, ...stats }),
  };
}
