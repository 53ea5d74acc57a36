/**
 * Delivers signed webhooks like a real gateway: POST to the intent's notification URL, retry
 * with exponential backoff until a 2xx (or the attempts run out), optionally delayed and
 * duplicated on request so clients can prove they apply each event exactly once.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook, SIGNATURE_HEADER } from '../../contracts/webhook-signature/gateway';

export interface WebhookEvent {
  id: string;
  type: string;
  created: number;
  data: Record<string, unknown>;
}

export interface DeliveryOptions {
  url: string;
  duplicates?: number;
  delayMs?: number;
}

export interface DeliveryLog {
  event_id: string;
  attempts: number;
  delivered: boolean;
  last_status?: number;
}

const MAX_ATTEMPTS = 12;
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

export function createDeliverer(secret: string, log: (msg: string) => void) {
  const history: DeliveryLog[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function deliverOnce(event: WebhookEvent, url: string): Promise<void> {
    const body = JSON.stringify(event);
    const entry: DeliveryLog = { event_id: event.id, attempts: 0, delivered: false };
    history.push(entry);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      entry.attempts = attempt;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(secret, body) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        entry.last_status = res.status;
        if (res.ok) {
          entry.delivered = true;
          return;
        }
      } catch {
        entry.last_status = 0;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
      log(`webhook ${event.id} attempt ${attempt} failed (status ${entry.last_status}); retrying in ${backoff} ms`);
      await sleep(backoff);
    }
    log(`webhook ${event.id} gave up after ${MAX_ATTEMPTS} attempts`);
  }

  return {
    history,
    newEvent: (type: string, data: Record<string, unknown>): WebhookEvent => ({
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type,
      created: Math.floor(Date.now() / 1000),
      data,
    }),
    /** Fire and forget: the caller's request is not held up by delivery. */
    send(event: WebhookEvent, opts: DeliveryOptions): void {
      void (async () => {
        if (opts.delayMs) await sleep(opts.delayMs);
        const copies = 1 + (opts.duplicates ?? 0);
        await Promise.all(Array.from({ length: copies }, () => deliverOnce(event, opts.url)));
      })();
    },
  };
}

export type Deliverer = ReturnType<typeof createDeliverer>;
