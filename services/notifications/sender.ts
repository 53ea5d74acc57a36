/**
 * The sender: one loop that takes pending emails oldest first and hands them to the Mailer, one
 * at a time, so they leave in the order they were written. Producers (the notification consumer,
 * OTP and reset in the API) only write rows; the sender is the only thing that waits on the mail
 * server, so a slow or dead mail server slows nothing else in the shop.
 *
 * Exactly one email per row:
 * - a row is claimed with a lease (store.claimNext) that counts the attempt before anything is
 *   sent; if the process dies after sending but before recording `sent`, the row comes back when
 *   the lease ends with attempts > 1, and the sender asks the mail server whether that
 *   Message-ID (derived from the row id) already arrived before sending again;
 * - with Mailpit (wasDelivered) that closes the gap: exactly one. A provider that cannot answer
 *   leaves a window of at most one duplicate per crash, carrying the same Message-ID, which mail
 *   clients use to fold duplicates.
 *
 * Mail server down (connection refused, timeouts): the row goes back first in line without
 * counting against it, and the loop backs off (doubling to `maxBackoffMs`) until the server answers;
 * nothing is failed, nothing is skipped. A 4xx reply is retried with backoff up to `maxAttempts`
 * tries; a 5xx reply (the server's final word) fails the row.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../platform/logger';
import { classifyMailError, type Mailer } from './mailer';
import type { ClaimedNotification, NotificationStore } from './store';

export interface SenderOptions {
  /** How long a claimed row is hidden from other senders (a dead sender's rows return after it). */
  leaseSeconds?: number;
  /** How often to look for rows written by other processes (OTPs from the API). */
  pollMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Tries before a message the server keeps deferring (4xx) is failed. */
  maxAttempts?: number;
  /** The domain of Message-IDs (`<row id@domain>`). */
  messageIdDomain: string;
}

export interface SenderStats {
  sent: number;
  failed: number;
  /** Rows found already delivered after an unrecorded send (not sent again). */
  recovered: number;
  outages: number;
}

export interface NotificationSender {
  start(): void;
  /** Looks for work now (a producer just wrote a row) instead of at the next poll. */
  wake(): void;
  /** Finishes the message in hand and stops. */
  stop(): Promise<void>;
  stats(): SenderStats;
}

type Outcome = 'sent' | 'outage' | 'retry' | 'failed';

export function createNotificationSender(
  store: NotificationStore,
  mailer: Mailer,
  logger: Logger,
  options: SenderOptions,
): NotificationSender {
  const o = { leaseSeconds: 60, pollMs: 1000, initialBackoffMs: 250, maxBackoffMs: 30_000, maxAttempts: 8, ...options };
  const log = logger.child({ component: 'notification-sender' });
  const stats: SenderStats = { sent: 0, failed: 0, recovered: 0, outages: 0 };
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp = new AbortController();
  let stopSignal = new AbortController();
  // Set by wake() so a wake-up that lands between a claim and the pause is not lost.
  let woken = false;

  const messageId = (id: string) => `<${id}@${o.messageIdDomain}>`;

  /** Sleeps `ms`, cut short by wake() (when `wakeable`) or stop(). */
  async function pause(ms: number, wakeable: boolean) {
    if (wakeable && woken) {
      woken = false;
      return;
    }
    const signal = wakeable ? AbortSignal.any([wakeUp.signal, stopSignal.signal]) : stopSignal.signal;
    await sleep(ms, undefined, { signal }).catch(() => undefined);
    if (wakeable) woken = false;
  }

  async function deliver(row: ClaimedNotification): Promise<Outcome> {
    const id = messageId(row.id);
    try {
      // Claimed before: a previous send may have reached the server without being recorded.
      if (row.attempts > 1 && mailer.wasDelivered && (await mailer.wasDelivered(id))) {
        await store.markSent(row.id);
        stats.recovered++;
        log.info({ notification_id: row.id }, 'already delivered before an unrecorded send; marked sent');
        return 'sent';
      }
      await mailer.send({
        messageId: id,
        to: { address: row.recipient },
        subject: row.subject ?? 'Pasar',
        text: row.content ?? '',
        html: row.html ?? undefined,
      });
    } catch (err) {
      const e = classifyMailError(err);
      if (e.kind === 'unavailable') {
        await store.retryLater(row.id, e.message, 0);
        return 'outage';
      }
      if (e.kind === 'rejected' || row.attempts >= o.maxAttempts) {
        await store.markFailed(row.id, e.message);
        stats.failed++;
        log.warn({ notification_id: row.id, err: e.message, attempts: row.attempts }, 'notification failed');
        return 'failed';
      }
      await store.retryLater(row.id, e.message, Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** row.attempts));
      return 'retry';
    }
    await store.markSent(row.id);
    stats.sent++;
    return 'sent';
  }

  async function run() {
    let backoff = o.initialBackoffMs;
    while (running) {
      try {
        const row = await store.claimNext(o.leaseSeconds);
        if (!row) {
          await pause(o.pollMs, true);
          continue;
        }
        if ((await deliver(row)) === 'outage') {
          stats.outages++;
          log.warn({ notification_id: row.id, retry_in_ms: backoff }, 'mail server unavailable; waiting');
          await pause(backoff, false);
          backoff = Math.min(o.maxBackoffMs, backoff * 2);
        } else {
          backoff = o.initialBackoffMs;
        }
      } catch (err) {
        // Postgres down (or a recording failed): the claimed row's lease brings it back later.
        log.warn({ err: (err as Error).message, retry_in_ms: backoff }, 'notification sender error; retrying');
        await pause(backoff, false);
        backoff = Math.min(o.maxBackoffMs, backoff * 2);
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopSignal = new AbortController();
      loop = run();
    },
    wake() {
      woken = true;
      wakeUp.abort();
      wakeUp = new AbortController();
    },
    async stop() {
      running = false;
      stopSignal.abort();
      await loop;
    },
    stats: () => ({ ...stats }),
  };
}
