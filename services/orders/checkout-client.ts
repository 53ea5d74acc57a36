/**
 * The order service's side of the Temporal conversation: start a checkout saga (once per
 * Idempotency-Key), read its state, cancel it, tell it a payment result, start a refund.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import {
  cancelCheckoutSignal,
  checkoutStateQuery,
  checkoutWorkflowId,
  paymentResultSignal,
  waitUntilSettledUpdate,
  type CheckoutInput,
  type CheckoutState,
  type PaymentResult,
  type ShippingServiceName,
} from '../../workflows/checkout-contract';
import { refundWorkflowId } from '../../workflows/refund-contract';
import { ORDER_NUMBER, ORDER_STATUS, USER_ID } from '../../workflows/search-attributes';
import { stableId } from '../../platform/ids';
import type { CheckoutAdmission } from './checkout-admission';

/** How long POST /checkout waits for the saga to settle before answering 202 "processing". */
const SETTLE_WAIT_MS = 20_000;
/**
 * Signals and refunds give up after this long when Temporal is down, so a webhook is answered
 * 503 (and redelivered by the gateway) instead of hanging in the SDK's own retries.
 */
const CALL_DEADLINE_MS = 5_000;

/** `PSR-YYMMDD-XXXXXXXX`: readable on a phone call, unique through the order id's hex. */
export function orderNumberFor(orderId: string, at: Date): string {
  const d = at.toISOString();
  return `PSR-${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${orderId.replaceAll('-', '').slice(0, 8).toUpperCase()}`;
}

/** `admission`: the flash-sale gate; without it every checkout starts its saga. */
export function createCheckoutClient(client: Client, config: Config, admission?: CheckoutAdmission) {
  const bounded = <R>(fn: () => Promise<R>) => client.withDeadline(Date.now() + CALL_DEADLINE_MS, fn);

  /**
   * The saga's state once settled, or undefined if it is still busy after the wait (the caller
   * answers 202 "processing"; retrying with the same key asks again).
   */
  async function settledState(handle: WorkflowHandle): Promise<CheckoutState | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), SETTLE_WAIT_MS)));
    const settled = handle.executeUpdate(waitUntilSettledUpdate).catch(async () => {
      // A finished saga takes no updates; its result is its final state.
      return (await handle.describe()).status.name === 'COMPLETED'
        ? ((await handle.result()) as CheckoutState)
        : undefined;
    });
    try {
      return await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True if this key already has a saga (a retry must get its outcome, never the gate's). */
  async function exists(workflowId: string) {
    try {
      await client.workflow.getHandle(workflowId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** Refuses, before any saga starts, a new checkout whose units are all held by others. */
  async function admit(userId: string, orderId: string, workflowId: string) {
    if (!admission) return [];
    const { verdict, lines } = await admission.admit(userId, orderId);
    if (verdict.outcome === 'admitted' || verdict.outcome === 'bypassed') {
      await admission.markStarted(orderId);
      return lines;
    }
    // A retry of a started checkout gets its saga's answer; an unsure Redis asks Temporal.
    if ((await admission.started(orderId)) && (await exists(workflowId))) return lines;
    if (verdict.outcome === 'shopper_limit') {
      throw new AppError('limit_exceeded', 'you already have checkouts being prepared: wait for their answer', {
        limit: 'checkouts_in_progress',
        max: verdict.max,
      });
    }
    const { product_id, requested, available } = verdict;
    throw new AppError('insufficient_stock', 'not enough stock for this product', {
      product_id,
      requested,
      available: Math.max(0, available),
    });
  }

  return {
    /** Starts the saga or finds the one this key already started; waits briefly for an answer. */
    /**
     * `payment`: the chosen method's wait (the saga's deadline) and how to record the choice for the
     * order before its saga starts; a card's default wait when absent.
     */
    async start(
      userId: string,
      idempotencyKey: string,
      body: { address_id: string; shipping_service: ShippingServiceName; voucher_codes?: string[] },
      payment?: { expirySeconds: number; cashOnDelivery?: boolean; record: (orderId: string) => Promise<void> },
    ) {
      const workflowId = checkoutWorkflowId(userId, idempotencyKey);
      const orderId = stableId(workflowId);
      const input: CheckoutInput = {
        orderId,
        orderNumber: orderNumberFor(orderId, new Date()),
        userId,
        addressId: body.address_id,
        shippingService: body.shipping_service,
        paymentExpirySeconds: payment?.expirySeconds ?? config.payments.expirySeconds,
        // Only when true: other checkouts keep the input they always had.
        ...(payment?.cashOnDelivery ? { cashOnDelivery: true } : {}),
        ...(body.voucher_codes?.length ? { voucherCodes: body.voucher_codes } : {}),
      };
      // Recorded first: the saga's payment step reads it (a refused admission leaves an unused row).
      await payment?.record(orderId);
      const tickets = await admit(userId, orderId, workflowId);
      let handle: WorkflowHandle;
      let replay = false;
      // A fresh start's memo is the input just sent: only a replay asks Temporal for it.
      let memo = { order_id: orderId, order_number: input.orderNumber };
      try {
        handle = await client.workflow.start('checkoutWorkflow', {
          taskQueue: config.temporal.taskQueue,
          workflowId,
          // A key whose saga has closed (paid, cancelled...) never starts another run: the retry
          // gets that run's outcome. Two runs under one order id once refunded a paid order.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [input],
          memo: { order_id: orderId, order_number: input.orderNumber },
          typedSearchAttributes: [
            { key: ORDER_NUMBER, value: input.orderNumber },
            { key: USER_ID, value: userId },
            { key: ORDER_STATUS, value: 'validating_cart' },
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
          await admission?.release(userId, orderId, tickets);
          throw err;
        }
        handle = client.workflow.getHandle(workflowId);
        replay = true;
        memo = (await handle.describe()).memo as typeof memo;
      }
      const state = await settledState(handle);
      // Settled: the order's reservation (or its refusal) now stands where the ticket stood.
      if (state) await admission?.release(userId, orderId, tickets);
      return { workflowId, replay, state, order_id: memo.order_id, order_number: memo.order_number };
    },

    /** When an awaiting checkout gives up on its payment and releases the stock; undefined when it awaits none. */
    async paymentDeadline(workflowId: string): Promise<Date | undefined> {
      const state = await bounded(() => client.workflow.getHandle(workflowId).query(checkoutStateQuery));
      return state.step === 'awaiting_payment' && state.payment_expires_at
        ? new Date(state.payment_expires_at)
        : undefined;
    },

    async cancel(workflowId: string, reason: string) {
      await bounded(() => client.workflow.getHandle(workflowId).signal(cancelCheckoutSignal, { reason }));
    },

    /** Tells a checkout its payment result; false if that checkout is already over. */
    async signalPayment(workflowId: string, result: PaymentResult): Promise<boolean> {
      try {
        const handle = client.workflow.getHandle(workflowId);
        const { status } = await bounded(() => handle.describe());
        if (status.name !== 'RUNNING') return false;
        await bounded(() => handle.signal(paymentResultSignal, result));
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    /** Starts the refund of a paid order once; a second request finds the first. */
    async startRefund(orderId: string, reason: string) {
      try {
        await bounded(() =>
          client.workflow.start('refundOrderWorkflow', {
            taskQueue: config.temporal.taskQueue,
            workflowId: refundWorkflowId(orderId),
            args: [{ orderId, reason }],
          }),
        );
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return refundWorkflowId(orderId);
    },
  };
}

export type CheckoutClient = ReturnType<typeof createCheckoutClient>;
