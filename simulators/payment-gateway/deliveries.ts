/**
 * Delivers notifications like a Midtrans-style gateway: each change of a transaction is one JSON
 * body carrying its own signature_key, POSTed to the transaction's notification URL and sent again
 * with exponential backoff until the merchant answers 200 (anything else, a 2xx included, is a
 * failure to retry) or the attempts run out; optionally delayed and duplicated on request so
 * clients can prove they apply each notification exactly once.
 */
import {
  notificationId,
  signNotification,
  type PaymentNotification,
  type TransactionReport,
} from '../../contracts/payment-notification';

export interface DeliveryOptions {
  url: string;
  duplicates?: number;
  delayMs?: number;
}

export interface DeliveryLog {
  /** The notification's identity (contracts/payment-notification.ts), as the merchant records it. */
  event_id: string;
  transaction_status: string;
  attempts: number;
  delivered: boolean;
  last_status?: number;
}

const MAX_ATTEMPTS = 12;
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

export function createDeliverer(serverKey: string, log: (msg: string) => void) {
  const history: DeliveryLog[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function deliverOnce(notification: PaymentNotification, url: string): Promise<void> {
    const body = JSON.stringify(notification);
    const entry: DeliveryLog = {
      event_id: notificationId(notification),
      transaction_status: notification.transaction_status,
      attempts: 0,
      delivered: false,
    };
    history.push(entry);
    if (history.length > 5000) history.splice(0, history.length - 5000);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      entry.attempts = attempt;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        entry.last_status = res.status;
        await res.body?.cancel();
        if (res.status === 200) {
          entry.delivered = true;
          return;
        }
      } catch {
        entry.last_status = 0;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
      log(
        `notification ${entry.event_id} attempt ${attempt} failed (status ${entry.last_status}); retrying in ${backoff} ms`,
      );
      await sleep(backoff);
    }
    log(`notification ${entry.event_id} gave up after ${MAX_ATTEMPTS} attempts`);
  }

  return {
    history,
    /** Fire and forget: the caller's request is not held up by delivery. */
    send(report: TransactionReport, opts: DeliveryOptions): void {
      const notification = signNotification(report, serverKey);
      void (async () => {
        if (opts.delayMs) await sleep(opts.delayMs);
        const copies = 1 + (opts.duplicates ?? 0);
        await Promise.all(Array.from({ length: copies }, () => deliverOnce(notification, opts.url)));
      })();
    },
  };
}

export type Deliverer = ReturnType<typeof createDeliverer>;
