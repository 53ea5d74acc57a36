/**
 * Payment reconciliation: asks the gateway's status API (Midtrans `GET /v2/{order_id}/status`)
 * about every recent transaction and compares its answer with Pasar's, because notifications can be
 * lost for good (an outage longer than the gateway's
 * retries, a misconfigured endpoint, a restart that dropped deliveries in flight).
 * - A result the gateway has and Pasar never applied goes through the webhook's own path
 *   (settlement.receive), under a stable event id per intent and status, so it is applied once
 *   however often reconciliation and the real webhook race.
 * - An open checkout whose intent the gateway no longer knows is cancelled now instead of holding
 *   stock until its expiry.
 * - Any disagreement about amount, currency, order or a settled status is recorded for an
 *   operator (payments.reconciliation_issues), never silently fixed.
 * The status API is asked only about the transactions the gateway's own list (read anyway, a page
 * of 500 at a time) does not already show in agreement: a pass over a busy day's window asked it
 * once per transaction (1,383 calls, 0.8-1.9 s). The rest are asked STATUS_CONCURRENCY at a time.
 */
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { CheckoutClient } from '../orders/checkout-client';
import type { OrderStore } from '../orders/store';
import type { TransactionReport } from '../../contracts/payment-notification';
import type { GatewayIntent, PaymentGateway } from './gateway';
import type { PaymentSettlement } from './settlement';
import { eventFromGateway, RESULT_EVENTS } from './webhook-rules';

export interface ReconcileReport {
  since: string;
  checked: number;
  /** How many of them the status API was asked about (the rest the gateway's list showed in agreement). */
  asked?: number;
  gateway_intents: number;
  applied: { order_id: string; intent_id: string; status: string }[];
  cancelled: { order_id: string; intent_id: string }[];
  issues: { kind: string; intent_id: string; order_id: string | null }[];
}

const OPEN = ['pending', 'processing'];
/** What each Pasar status already knows of the gateway's transaction_status; outside it is news (or a mismatch). */
const KNOWN: Record<string, string[]> = {
  pending: ['pending'],
  processing: ['pending'],
  success: ['capture', 'settlement', 'partial_refund'],
  failed: ['deny'],
  expired: ['cancel', 'expire', 'deny'],
  cancelled: ['cancel', 'expire', 'deny'],
  refunding: ['capture', 'settlement', 'partial_refund', 'refund'],
  refunded: ['refund'],
  refund_failed: ['capture', 'settlement', 'partial_refund'],
};

/** The transaction_status values each listed intent status stands for (the list tells no more). */
const LISTED: Record<string, string[]> = {
  requires_confirmation: ['pending'],
  processing: ['pending'],
  succeeded: ['capture', 'settlement', 'partial_refund'],
  failed: ['deny'],
  canceled: ['cancel'],
  expired: ['expire'],
  refunded: ['refund'],
};

const STATUS_CONCURRENCY = 8;

interface TxnFacts {
  order_id: string;
  status: string;
  currency: string;
  amount: { equals(other: string): boolean };
}

/**
 * The gateway's list already shows this transaction as Pasar has it (its order, currency, amount,
 * and a status whose every reading Pasar already knows): its status API would tell nothing new.
 * A settled payment later denied lists as failed, a refund as refunded: those are still asked.
 */
export function listAgrees(txn: TxnFacts, intent: GatewayIntent | undefined): boolean {
  const said = intent && LISTED[intent.status];
  if (!intent || !said) return false;
  const known = KNOWN[txn.status] ?? [];
  return (
    said.every((s) => known.includes(s)) &&
    intent.reference === txn.order_id &&
    intent.currency.toUpperCase() === txn.currency.toUpperCase() &&
    txn.amount.equals(intent.amount)
  );
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function createReconciler(
  deps: {
    db: Db;
    gateway: PaymentGateway;
    settlement: PaymentSettlement;
    orders: OrderStore;
    checkout: CheckoutClient;
  },
  logger: Logger,
  options: { lookbackSeconds: number; graceSeconds: number },
) {
  const { db, gateway, settlement, orders, checkout } = deps;

  async function gatewayIntentsSince(createdGte: number): Promise<Map<string, GatewayIntent>> {
    const found = new Map<string, GatewayIntent>();
    let startingAfter: string | undefined;
    for (;;) {
      const page = await gateway.listIntents({ createdGte, startingAfter, limit: 500 });
      for (const i of page.data) found.set(i.id, i);
      if (!page.has_more || page.data.length === 0) return found;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  async function recordIssue(kind: string, intentId: string, orderId: string | null, details: object) {
    await db.reconciliationIssue.upsert({
      where: { kind_gateway_intent_id: { kind, gateway: gateway.name, intent_id: intentId } },
      create: { kind, gateway: gateway.name, intent_id: intentId, order_id: orderId, details },
      update: { last_seen_at: new Date(), details },
    });
    logger.error(
      { alert: 'payment_reconciliation_issue', kind, intent_id: intentId, order_id: orderId, details },
      'payment reconciliation found a mismatch it will not fix on its own',
    );
  }

  return {
    /** One pass over the last `lookbackSeconds`; safe to run at any time, and concurrently with webhooks. */
    async run(now = new Date()): Promise<ReconcileReport> {
      const since = new Date(now.getTime() - options.lookbackSeconds * 1000);
      const graceEdge = new Date(now.getTime() - options.graceSeconds * 1000);
      const txns = await db.transaction.findMany({
        where: { gateway: gateway.name, created_at: { gte: since } },
        orderBy: { created_at: 'asc' },
      });
      // The gateway's clock and ours may differ a little: ask it for a bit more than the window.
      const intents = await gatewayIntentsSince(Math.floor(since.getTime() / 1000) - 300);
      const summary: ReconcileReport = {
        since: since.toISOString(),
        checked: txns.length,
        gateway_intents: intents.size,
        applied: [],
        cancelled: [],
        issues: [],
      };
      const issue = async (kind: string, intentId: string, orderId: string | null, details: object) => {
        await recordIssue(kind, intentId, orderId, details);
        summary.issues.push({ kind, intent_id: intentId, order_id: orderId });
      };

      const toAsk = txns.filter((txn) => {
        const intentId = txn.gateway_transaction_id;
        if (!intentId) return false;
        const listed = intents.get(intentId);
        intents.delete(intentId);
        return !listAgrees(txn, listed);
      });
      summary.asked = toAsk.length;
      await inPool(toAsk, STATUS_CONCURRENCY, async (txn) => {
        const intentId = txn.gateway_transaction_id!;
        const report = await statusOf(intentId);
        if (!report) {
          if (OPEN.includes(txn.status) && txn.created_at < graceEdge) {
            const order = await orders.get(txn.order_id);
            if (order?.status === 'pending' && order.workflow_id) {
              if (
                await checkout.cancel(order.workflow_id, 'payment_intent_lost').then(
                  () => true,
                  () => false,
                )
              ) {
                summary.cancelled.push({ order_id: txn.order_id, intent_id: intentId });
              }
            }
          } else if (!OPEN.includes(txn.status)) {
            await issue('intent_missing_at_gateway', intentId, txn.order_id, { pasar_status: txn.status });
          }
          return;
        }
        if (
          report.transaction_id !== intentId ||
          report.order_id !== txn.order_id ||
          report.currency.toUpperCase() !== txn.currency.toUpperCase()
        ) {
          await issue('reference_or_currency_mismatch', intentId, txn.order_id, {
            gateway: { transaction_id: report.transaction_id, order_id: report.order_id, currency: report.currency },
            pasar: { transaction_id: intentId, order_id: txn.order_id, currency: txn.currency },
          });
          return;
        }
        if (!txn.amount.equals(report.gross_amount)) {
          await issue('amount_mismatch', intentId, txn.order_id, {
            gateway: report.gross_amount,
            pasar: txn.amount.toFixed(2),
          });
          return;
        }
        const status = report.transaction_status;
        if ((KNOWN[txn.status] ?? []).includes(status)) return;
        const type = RESULT_EVENTS[status];
        if (type) {
          const outcome = await settlement.receive(eventFromGateway(report, type), 'reconciliation');
          if (outcome.outcome === 'applied' && !outcome.duplicate) {
            summary.applied.push({ order_id: txn.order_id, intent_id: intentId, status });
            logger.warn(
              { order_id: txn.order_id, intent_id: intentId, status },
              'reconciliation applied a payment result no notification had delivered',
            );
          }
          return;
        }
        // A saga mid-step (it cancels at the gateway, then records it) is not a mismatch yet.
        if (txn.updated_at > graceEdge) return;
        await issue('status_mismatch', intentId, txn.order_id, { gateway: status, pasar: txn.status });
      });
      // Intents the gateway holds that Pasar never recorded, whose money it took.
      for (const intent of intents.values()) {
        if (intent.created * 1000 < since.getTime()) continue;
        if (intent.status === 'succeeded') {
          await issue('unknown_to_pasar', intent.id, null, { reference: intent.reference, amount: intent.amount });
        }
      }
      return summary;
    },

    /** Open issues, newest first, for the operators' list route. */
    openIssues: (limit = 100) =>
      db.reconciliationIssue.findMany({ where: { resolved_at: null }, orderBy: { last_seen_at: 'desc' }, take: limit }),
  };

  async function statusOf(transactionId: string): Promise<TransactionReport | undefined> {
    try {
      return await gateway.status(transactionId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return undefined;
      throw err;
    }
  }
}

export type Reconciler = ReturnType<typeof createReconciler>;
