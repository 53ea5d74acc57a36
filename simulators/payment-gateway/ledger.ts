/**
 * The simulator's records, kept across restarts as a real sandbox keeps them: every change to an
 * intent, an idempotency key or a refund is appended to a JSON-lines file before the request is
 * answered, and replayed (last record wins) at start. Appending keeps a write O(1) however many
 * intents there are; the file is compacted at start. Without a file it is in memory only.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PaymentInstructions } from '../../contracts/payment-methods';

export type IntentStatus =
  'requires_confirmation' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'expired' | 'refunded';

export interface Intent {
  id: string;
  amount: string;
  currency: string;
  reference: string;
  notification_url: string;
  status: IntentStatus;
  /** The gateway's payment type (Midtrans names); card intents are credit_card. */
  payment_type?: string;
  failure_reason?: string;
  /** Unix seconds, as gateways report it. */
  created: number;
  updated: number;
  behaviour: { duplicates: number; delay_ms: number; drop: boolean };
  /** What the shopper does to pay a non-card method (va_number, qr_string, redirect_url...). */
  instructions?: PaymentInstructions;
  /** Unix seconds after which an unpaid non-card intent expires. */
  expires_at?: number;
  /** Sum of its refunds so far (partial refunds add up; the intent is `refunded` once it is all back). */
  amount_refunded?: string;
}

export interface Refund {
  id: string;
  intent_id: string;
  amount: string;
  status: string;
  created: number;
  /** The merchant's own id for the refund (Midtrans refund_key). */
  reference?: string | null;
}

type Entry =
  | { kind: 'intent'; value: Intent }
  | { kind: 'key'; key: string; intent_id: string }
  | { kind: 'refund'; key: string; value: Refund };

export function createLedger(file?: string) {
  const intents = new Map<string, Intent>();
  const byIdempotencyKey = new Map<string, string>();
  const refunds = new Map<string, Refund>();
  /** The latest intent of each merchant order id, for the status API. */
  const byReference = new Map<string, string>();

  const apply = (e: Entry) => {
    if (e.kind === 'intent') {
      const known = intents.has(e.value.id);
      intents.set(e.value.id, e.value);
      const latest = intents.get(byReference.get(e.value.reference) ?? '');
      if (!known && (!latest || latest.created <= e.value.created)) byReference.set(e.value.reference, e.value.id);
    } else if (e.kind === 'key') byIdempotencyKey.set(e.key, e.intent_id);
    else refunds.set(e.key, e.value);
  };

  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          apply(JSON.parse(line) as Entry);
        } catch {
          // A torn last line from a crash mid-append: everything before it is intact.
        }
      }
    }
    const compacted: Entry[] = [
      ...[...intents.values()].map((value): Entry => ({ kind: 'intent', value })),
      ...[...byIdempotencyKey].map(([key, intent_id]): Entry => ({ kind: 'key', key, intent_id })),
      ...[...refunds].map(([key, value]): Entry => ({ kind: 'refund', key, value })),
    ];
    writeFileSync(`${file}.tmp`, compacted.map((e) => `${JSON.stringify(e)}\n`).join(''));
    renameSync(`${file}.tmp`, file);
  }

  const record = (e: Entry) => {
    apply(e);
    if (file) appendFileSync(file, `${JSON.stringify(e)}\n`);
  };

  return {
    intent: (id: string) => intents.get(id),
    intentForKey: (key: string) => {
      const id = byIdempotencyKey.get(key);
      return id ? intents.get(id) : undefined;
    },
    refundForKey: (key: string) => refunds.get(key),
    /** The latest intent created for a merchant order id. */
    intentForReference: (reference: string) => intents.get(byReference.get(reference) ?? ''),
    refundsOf: (intentId: string) =>
      [...refunds.values()].filter((r) => r.intent_id === intentId).sort((a, b) => a.created - b.created),
    intents: () => [...intents.values()],
    count: () => intents.size,
    /** Stores an intent as it is now (call after every change). */
    saveIntent(intent: Intent, idempotencyKey?: string) {
      record({ kind: 'intent', value: { ...intent, updated: Math.floor(Date.now() / 1000) } });
      if (idempotencyKey) record({ kind: 'key', key: idempotencyKey, intent_id: intent.id });
    },
    saveRefund: (key: string, refund: Refund) => record({ kind: 'refund', key, value: refund }),
  };
}

export type Ledger = ReturnType<typeof createLedger>;
