/**
 * Posts tracking events to the shop as a courier's webhook does: signed per the contract
 * (contracts/webhook-signature/carrier.ts), retried with exponential backoff until a 2xx or the
 * attempts run out. A 2xx is recorded, so after a restart only the undelivered ones go again.
 */
import type { CarrierEvent } from '../../contracts/carrier';
import { signCarrierWebhook } from '../../contracts/webhook-signature/carrier';
import type { CarrierState } from './state';

export interface WebhookAttemptLog {
  event_id: string;
  emission: number;
  attempts: number;
  delivered: boolean;
  last_status?: number;
}

const MAX_ATTEMPTS = 12;
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

export function createWebhookSender(state: CarrierState, secret: string, url: string, log: (msg: string) => void) {
  const history: WebhookAttemptLog[] = [];
  let stopped = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

  async function deliver(awb: string, emission: number, event: CarrierEvent): Promise<void> {
    const body = JSON.stringify(event);
    const entry: WebhookAttemptLog = { event_id: event.event_id, emission, attempts: 0, delivered: false };
    history.push(entry);
    if (history.length > 1000) history.shift();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !stopped; attempt++) {
      entry.attempts = attempt;
      try {
        // Signed at each attempt: a retry hours later must not carry a stale timestamp.
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signCarrierWebhook(secret, body) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        entry.last_status = res.status;
        if (res.ok) {
          entry.delivered = true;
          state.markWebhookDelivered(awb, emission);
          return;
        }
      } catch {
        entry.last_status = 0;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
      log(`webhook ${event.event_id} attempt ${attempt} got ${entry.last_status}; retrying in ${backoff} ms`);
      await sleep(backoff);
    }
    if (!entry.delivered) log(`webhook ${event.event_id} not delivered after ${entry.attempts} attempts`);
  }

  return {
    history,
    /** Fire and forget: each copy retries on its own, as couriers' webhook queues do. */
    send(awb: string, emission: number, event: CarrierEvent) {
      void deliver(awb, emission, event);
    },
    /** At start: sends again every recorded webhook that never got its 2xx. */
    resendUndelivered() {
      for (const b of state.bookings()) {
        if (b.delivery !== 'webhook') continue;
        for (const s of state.sentFor(b.awb)) {
          if (!state.isWebhookDelivered(b.awb, s.emission)) void deliver(b.awb, s.emission, s.event);
        }
      }
    },
    stop() {
      stopped = true;
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
