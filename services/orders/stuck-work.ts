/**
 * The stuck-work report for operators: sagas and records that have sat in one step longer than
 * they should. From Temporal visibility (running checkouts past their payment window, running
 * refunds, sagas that failed and need a hand) and from the stores (pending orders whose saga is
 * gone, payments waiting for a refund confirmation, manual refunds an operator has not transferred
 * for long). Read-only: it points, an operator acts.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Db } from '../../platform/clients/prisma';
import type { PaymentStore } from '../payments/store';
import type { OrderStore } from './store';

export interface StuckItem {
  kind:
    | 'checkout_running_too_long'
    | 'refund_running_too_long'
    | 'saga_failed'
    | 'order_pending_too_long'
    | 'refund_unconfirmed'
    | 'payment_past_expiry'
    /** A manual refund (a VA, COD...) nobody has transferred: an operator's work, not a gateway's delay. */
    | 'manual_refund_awaiting_transfer';
  /** The workflow id or the record's id, as an operator searches for it. */
  ref: string;
  since: string;
  detail: Record<string, unknown>;
}

export interface StuckThresholds {
  /** A checkout should end by its payment expiry; this much past it is stuck. */
  checkoutSeconds: number;
  /**
   * When set, a checkout listed by checkoutSeconds (the shortest method's wait) is stuck only once
   * its own method's wait (payments.method_choices; `defaultSeconds` for a checkout without one)
   * plus `graceSeconds` has passed: a virtual account may wait a day, an OVO push a minute.
   */
  checkoutWait?: { defaultSeconds: number; graceSeconds: number };
  refundSeconds: number;
  /**
   * A manual refund awaiting an operator's bank transfer (or the shopper's account) this long is
   * overdue work. Much longer than a gateway refund's confirmation: people and a bank do this one.
   */
  manualTransferSeconds: number;
  /**
   * A payment still pending this long after its own expires_at (a VA, QRIS or e-wallet's deadline)
   * was expired neither by its saga nor by the gateway's expire notification.
   */
  paymentGraceSeconds: number;
  /** How far back failed sagas are listed. */
  failedLookbackSeconds: number;
}

/** `payments`: the payment service's store, the owner of the refunds waiting for confirmation or a transfer. */
export function createStuckWorkReport(
  db: Db,
  temporal: Client,
  payments: Pick<PaymentStore, 'refundsUnconfirmedSince' | 'waitingPastExpiry'> & {
    refunds: Pick<PaymentStore['refunds'], 'listManual'>;
    methods: Pick<PaymentStore['methods'], 'waitsOf'>;
  },
  orders: Pick<OrderStore, 'numbersOf'>,
) {
  async function list(query: string, limit: number) {
    const found = [];
    for await (const wf of temporal.workflow.list({ query })) {
      found.push(wf);
      if (found.length >= limit) break;
    }
    return found;
  }

  /**
   * Up to `limit` running checkouts the query lists that have outlived their own method's wait
   * (start + wait + grace), looking at no more than `scanMax` and reading their waits a batch at
   * a time: a shop with many day-long virtual accounts waiting must not fill the list with them.
   */
  async function checkoutsPastTheirWait(
    query: string,
    limit: number,
    wait: NonNullable<StuckThresholds['checkoutWait']>,
    now: Date,
    scanMax = 2_000,
  ) {
    const found: WorkflowExecutionInfo[] = [];
    let batch: WorkflowExecutionInfo[] = [];
    const flush = async () => {
      const ids = batch.map((wf) => (wf.memo as { order_id?: string } | undefined)?.order_id).filter(Boolean);
      const waits = await payments.methods.waitsOf(ids as string[]);
      for (const wf of batch) {
        const orderId = (wf.memo as { order_id?: string } | undefined)?.order_id ?? '';
        const seconds = (waits.get(orderId) ?? wait.defaultSeconds) + wait.graceSeconds;
        if (wf.startTime.getTime() < now.getTime() - seconds * 1000 && found.length < limit) found.push(wf);
      }
      batch = [];
    };
    let scanned = 0;
    for await (const wf of temporal.workflow.list({ query })) {
      batch.push(wf);
      if (batch.length >= 500) await flush();
      if (found.length >= limit || ++scanned >= scanMax) break;
    }
    if (batch.length > 0) await flush();
    return found;
  }

  return {
    async run(t: StuckThresholds, now = new Date(), limit = 200): Promise<StuckItem[]> {
      const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
      const iso = (seconds: number) => ago(seconds).toISOString();
      const items: StuckItem[] = [];

      const runningQuery = `WorkflowType = 'checkoutWorkflow' AND ExecutionStatus = 'Running' AND StartTime < '${iso(t.checkoutSeconds)}'`;
      const checkouts = t.checkoutWait
        ? await checkoutsPastTheirWait(runningQuery, limit, t.checkoutWait, now)
        : await list(runningQuery, limit);
      for (const wf of checkouts) {
        items.push({
          kind: 'checkout_running_too_long',
          ref: wf.workflowId,
          since: wf.startTime.toISOString(),
          detail: {
            order_number: wf.searchAttributes?.OrderNumber?.[0] ?? null,
            step: wf.searchAttributes?.OrderStatus?.[0] ?? null,
          },
        });
      }
      const refunds = await list(
        `WorkflowType = 'refundOrderWorkflow' AND ExecutionStatus = 'Running' AND StartTime < '${iso(t.refundSeconds)}'`,
        limit,
      );
      for (const wf of refunds) {
        items.push({
          kind: 'refund_running_too_long',
          ref: wf.workflowId,
          since: wf.startTime.toISOString(),
          detail: {},
        });
      }
      const failed = await list(`ExecutionStatus = 'Failed' AND CloseTime > '${iso(t.failedLookbackSeconds)}'`, limit);
      for (const wf of failed) {
        items.push({
          kind: 'saga_failed',
          ref: wf.workflowId,
          since: (wf.closeTime ?? wf.startTime).toISOString(),
          detail: { workflow_type: wf.type },
        });
      }

      const running = new Set(checkouts.map((w) => w.workflowId));
      // A pending order whose saga is listed above is not listed again; left out in the query, so
      // the limit is spent on orders that will show (200 such once hid every newer stuck order).
      const pending = await db.order.findMany({
        where: {
          status: 'pending',
          created_at: { lt: ago(t.checkoutSeconds) },
          OR: [{ workflow_id: null }, { workflow_id: { notIn: [...running] } }],
        },
        select: { id: true, order_number: true, workflow_id: true, created_at: true },
        orderBy: { created_at: 'asc' },
        take: limit,
      });
      for (const o of pending) {
        items.push({
          kind: 'order_pending_too_long',
          ref: o.id,
          since: o.created_at.toISOString(),
          detail: { order_number: o.order_number, workflow_id: o.workflow_id },
        });
      }
      const refunding = await payments.refundsUnconfirmedSince(ago(t.refundSeconds), limit);
      for (const p of refunding) {
        items.push({
          kind: 'refund_unconfirmed',
          ref: p.order_id,
          since: p.updated_at.toISOString(),
          detail: { intent_id: p.gateway_transaction_id },
        });
      }
      const awaiting = await payments.refunds.listManual({
        status: 'awaiting_transfer',
        before: ago(t.manualTransferSeconds),
        page: 1,
        pageSize: limit,
      });
      const numbers = await orders.numbersOf(awaiting.items.map((r) => r.order_id));
      for (const r of awaiting.items) {
        items.push({
          kind: 'manual_refund_awaiting_transfer',
          ref: r.id,
          since: r.created_at.toISOString(),
          detail: {
            order_id: r.order_id,
            order_number: numbers.get(r.order_id) ?? null,
            amount: r.amount,
            method: r.method,
            age_seconds: Math.floor((now.getTime() - r.created_at.getTime()) / 1000),
            account_given: r.account !== null,
          },
        });
      }
      const overdue = await payments.waitingPastExpiry(ago(t.paymentGraceSeconds), limit);
      for (const p of overdue) {
        items.push({
          kind: 'payment_past_expiry',
          ref: p.order_id,
          since: p.expires_at!.toISOString(),
          detail: {
            method: p.method,
            method_detail: p.method_detail,
            status: p.status,
            transaction_id: p.gateway_transaction_id,
          },
        });
      }
      return items.sort((a, b) => a.since.localeCompare(b.since));
    },
  };
}

export type StuckWorkReport = ReturnType<typeof createStuckWorkReport>;

/**
 * The defaults from config, or one age for everything (an operator's "older than"). A checkout
 * waits as long as its method's expiry (a virtual account a day, an OVO push a minute): listed past
 * the shortest wait, each is stuck only 5 minutes past its own.
 */
export function stuckThresholds(
  config: { payments: { expirySeconds: number; methodExpirySeconds?: Record<string, number> } },
  olderThanSeconds?: number,
): StuckThresholds {
  const shortest = Math.min(config.payments.expirySeconds, ...Object.values(config.payments.methodExpirySeconds ?? {}));
  return {
    checkoutSeconds: olderThanSeconds ?? shortest + 300,
    ...(olderThanSeconds === undefined
      ? { checkoutWait: { defaultSeconds: config.payments.expirySeconds, graceSeconds: 300 } }
      : {}),
    refundSeconds: olderThanSeconds ?? 900,
    manualTransferSeconds: olderThanSeconds ?? 86_400,
    paymentGraceSeconds: olderThanSeconds ?? 300,
    failedLookbackSeconds: 2 * 86_400,
  };
}
