/**
 * The checkout saga: validate the cart → create the pending order → reserve stock → quote
 * shipping → create the payment intent → wait for the gateway's webhook (a signal) until the
 * payment expires → on success deduct stock, mark paid, clear the cart; on decline, expiry or
 * cancel, undo every step newest-first. Each undo is registered *before* its step runs, since
 * a step that timed out may still have happened; every undo is idempotent. Once the order is
 * marked paid the saga has committed: nothing after that undoes it.
 */
import {
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CheckoutActivities } from '../activities/checkout';
import type { RefundActivities } from '../activities/refunds';
import {
  cancelCheckoutSignal,
  checkoutStateQuery,
  paymentResultSignal,
  SETTLED_STEPS,
  waitUntilSettledUpdate,
  type CheckoutInput,
  type CheckoutState,
  type CheckoutStep,
  type PaymentResult,
} from './checkout-contract';
import { compensationFailed, Saga } from './saga';
import { ORDER_STATUS } from './search-attributes';

const STEP_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
} as const;
const steps = proxyActivities<CheckoutActivities>(STEP_OPTIONS);
/**
 * The same steps as local activities: run by the worker inside the workflow task that asked for
 * them, so the five steps up to the payment wait cost one workflow task instead of five (each
 * ~0.8 s under load: docs/performance.md). Every step is idempotent by its key, which a local
 * activity needs since a lost workflow task runs it again.
 */
const localSteps = proxyLocalActivities<CheckoutActivities>(STEP_OPTIONS);
/** Checkouts started before local steps replay their history with one activity task per step. */
const LOCAL_STEPS_PATCH = 'checkout-local-steps';
/**
 * Checkouts started before it upserted OrderStatus at every step. The steps up to the payment wait
 * and from the payment to paid run as local steps inside one workflow task: an operator could
 * never see them in the search attribute (the task's commands land together), while each upsert
 * cost the server an event and a visibility write. The query (checkoutStateQuery) still has them.
 */
const VISIBLE_STATUS_PATCH = 'checkout-visible-status';
/** The steps a checkout rests in, as operators filter by OrderStatus (the start sets validating_cart). */
const RESTING_STEPS: readonly CheckoutStep[] = ['awaiting_payment', 'compensating', 'paid', 'confirmed', 'cancelled'];
/** Checkouts with voucher codes: a claim step (and its release) between shipping and payment. */
const VOUCHERS_PATCH = 'checkout-vouchers';
/** Cash-on-delivery checkouts: no payment wait; the order is confirmed once its stock is taken. */
const CASH_ON_DELIVERY_PATCH = 'checkout-cash-on-delivery';

// Undo steps must eventually succeed: they retry for longer, then surface (never silently drop).
const undo = proxyActivities<CheckoutActivities & RefundActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50 },
});

export async function checkoutWorkflow(input: CheckoutInput): Promise<CheckoutState> {
  const { workflowId } = workflowInfo();
  const state: CheckoutState = { step: 'validating_cart', order_id: input.orderId, order_number: input.orderNumber };
  let payment: PaymentResult | undefined;
  let cancelRequest: { reason: string } | undefined;
  const seenEvents = new Set<string>();

  setHandler(checkoutStateQuery, () => state);
  setHandler(waitUntilSettledUpdate, async () => {
    await condition(() => SETTLED_STEPS.includes(state.step));
    return state;
  });
  // The first decisive result wins; a redelivered or late event changes nothing.
  setHandler(paymentResultSignal, (result) => {
    if (seenEvents.has(result.event_id)) return;
    seenEvents.add(result.event_id);
    payment ??= result;
  });
  setHandler(cancelCheckoutSignal, (req) => {
    cancelRequest ??= req;
  });

  // One patch per new checkout (each also costs an upsert of TemporalChangeVersion): a run with
  // the newer patch has local steps too, so it never asks for the older one.
  const onlyResting = patched(VISIBLE_STATUS_PATCH);
  const enter = (step: CheckoutStep) => {
    state.step = step;
    if (onlyResting && !RESTING_STEPS.includes(step)) return;
    upsertSearchAttributes([{ key: ORDER_STATUS, value: step }]);
  };
  const saga = new Saga();
  const key = (step: string) => `${workflowId}:${step}`;
  const run = onlyResting || patched(LOCAL_STEPS_PATCH) ? localSteps : steps;

  try {
    enter('validating_cart');
    const cart = await run.validateCart(input.userId);

    enter('creating_order');
    const order = await saga.step(
      'createOrder',
      () =>
        run.createOrder({
          orderId: input.orderId,
          orderNumber: input.orderNumber,
          userId: input.userId,
          workflowId,
          addressId: input.addressId,
          shippingService: input.shippingService,
          lines: cart.lines,
        }),
      () => undo.cancelOrder(input.orderId, state.failure?.code ?? 'cancelled'),
    );

    enter('reserving_stock');
    await saga.step(
      'reserveStock',
      () => run.reserveStock(input.orderId, cart.lines),
      () => undo.releaseStock(input.orderId),
    );

    enter('quoting_shipping');
    const totals = await run.applyShipping({
      orderId: input.orderId,
      service: input.shippingService,
      provinceId: order.province_id,
      cityId: order.city_id,
      weightGrams: cart.weight_grams,
    });
    state.amount = { ...totals, currency: 'IDR' };
    let payable = totals.total_amount;

    if (input.voucherCodes?.length && patched(VOUCHERS_PATCH)) {
      enter('claiming_vouchers');
      // A voucher is money and a limited stock at once: claimed as a step, released as its undo.
      const discounted = await saga.step(
        'claimVouchers',
        () => run.claimVouchers({ orderId: input.orderId, userId: input.userId, codes: input.voucherCodes! }),
        () => undo.releaseVouchers(input.orderId),
      );
      state.amount = { ...discounted, currency: 'IDR' };
      payable = discounted.total_amount;
    }

    enter('creating_payment');
    await saga.step(
      'createPaymentIntent',
      () =>
        run.createPaymentIntent({
          orderId: input.orderId,
          userId: input.userId,
          amount: payable,
          idempotencyKey: key('payment-intent'),
        }),
      () => undo.cancelPayment(input.orderId, paymentFailureReason(state), key('cancel-payment')),
    );

    if (input.cashOnDelivery && patched(CASH_ON_DELIVERY_PATCH)) {
      // Nothing to wait for: the stock is taken now and the courier collects at the door. The
      // payment stays pending until then; if the parcel never gets there nothing was paid.
      enter('completing');
      await saga.step(
        'deductStock',
        () => run.deductStock(input.orderId),
        () => undo.restockOrder(input.orderId),
      );
      await run.confirmCashOnDelivery(input.orderId);
      // Confirmed: from here the shipment owns the order, as it owns a paid one.
      saga.commit();
      await clearOrderedLines(run, input.userId, cart.lines);
      enter('confirmed');
      return state;
    }

    state.payment_expires_at = new Date(Date.now() + input.paymentExpirySeconds * 1000).toISOString();
    enter('awaiting_payment');
    const decided = await condition(
      () => payment !== undefined || cancelRequest !== undefined,
      input.paymentExpirySeconds * 1000,
    );

    if (payment?.status === 'succeeded') {
      enter('completing');
      // Deducted stock goes back on the shelf (exactly once: deducted → restocked) if the order
      // cannot be marked paid; the payment's undo then refunds, since the order is not paid.
      await saga.step(
        'deductStock',
        () => run.deductStock(input.orderId),
        () => undo.restockOrder(input.orderId),
      );
      await run.markOrderPaid(input.orderId);
      // Paid: from here nothing undoes the order; only the refund path may move its money.
      saga.commit();
      await clearOrderedLines(run, input.userId, cart.lines);
      enter('paid');
      return state;
    }
    state.failure = cancelRequest
      ? { code: 'cancelled', message: cancelRequest.reason }
      : !decided
        ? { code: 'expired', message: `no payment within ${input.paymentExpirySeconds} s` }
        : { code: 'payment_failed', message: payment?.reason ?? 'payment declined' };
  } catch (err) {
    state.failure = describe(err);
    log.info('checkout step failed; compensating', { step: state.step, failure: state.failure });
  }

  enter('compensating');
  const errors = await saga.compensate({ surface: false });
  if (errors.length > 0) {
    state.compensation_errors = errors;
    // Surfaced as a failed workflow in the Web UI, for an operator; never silently dropped.
    throw compensationFailed(errors);
  }
  enter('cancelled');
  return state;
}

/** Tidying the cart of a paid order: worth retrying, never worth undoing the order for. */
async function clearOrderedLines(run: typeof steps, userId: string, lines: { product_id: string }[]) {
  try {
    await run.clearCart(
      userId,
      lines.map((l) => l.product_id),
    );
  } catch (err) {
    log.warn('the paid order is kept; its lines could not be cleared from the cart', { error: String(err) });
  }
}

function paymentFailureReason(state: CheckoutState): 'expired' | 'cancelled' | 'failed' {
  if (state.failure?.code === 'expired') return 'expired';
  if (state.failure?.code === 'payment_failed') return 'failed';
  return 'cancelled';
}

/** A failed step as the shopper should hear it: a business failure keeps its code and details. */
function describe(err: unknown): NonNullable<CheckoutState['failure']> {
  const cause = (err as { cause?: unknown }).cause ?? err;
  if (cause instanceof ApplicationFailure) {
    return { code: cause.type ?? 'failed', message: cause.message, details: cause.details?.[0] ?? undefined };
  }
  return { code: 'internal', message: 'checkout failed; it has been undone' };
}
