/**
 * The checkout workflow alone, with mocked activities, on Temporal's time-skipping test server:
 * every branch, and a compensation test for a failure injected at each step (undo newest-first,
 * only what was done). The payment window is the production default; the expiry test skips it.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { CheckoutActivities } from '../../../activities/checkout';
import type { RefundActivities } from '../../../activities/refunds';
import { loadConfig } from '../../../platform/config';
import { checkoutWorkflow } from '../../../workflows/checkout';
import {
  cancelCheckoutSignal,
  checkoutStateQuery,
  paymentResultSignal,
  type CheckoutInput,
  type CheckoutState,
} from '../../../workflows/checkout-contract';
import { unique } from '../../support/unique';
import { eventually, useTimeSkippingWorker } from '../../support/time-skipping';

type Step = keyof (CheckoutActivities & RefundActivities);

interface Scenario {
  calls: string[];
  failAt?: Step;
  /** Resolves when the test lets createPaymentIntent finish (to land a signal before the wait). */
  holdIntent?: Promise<void>;
  intentStarted?: () => void;
}

const scenarios = new Map<string, Scenario>();

function mockActivities(): Partial<CheckoutActivities & RefundActivities> {
  const step =
    <A extends unknown[], R>(name: Step, result: (...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> => {
      const orderId = (typeof args[0] === 'string' ? args[0] : (args[0] as { orderId?: string }).orderId) ?? '';
      const s = scenarios.get(orderId);
      s?.calls.push(name);
      if (s?.failAt === name) throw ApplicationFailure.nonRetryable(`${name} refused`, 'insufficient_stock');
      if (name === 'createPaymentIntent' && s?.holdIntent) {
        s.intentStarted?.();
        await s.holdIntent;
      }
      return await result(...args);
    };
  const line = {
    product_id: randomUUID(),
    product_name: 'Kopi',
    unit_price: '10000.00',
    quantity: 2,
    total_amount: '20000.00',
    product_snapshot: {},
    weight_grams: 300,
  };
  return {
    validateCart: step('validateCart', () => ({ lines: [line], subtotal: '20000.00', weight_grams: 600 })),
    createOrder: step('createOrder', (i: { orderId: string; orderNumber: string }) => ({
      order_id: i.orderId,
      order_number: i.orderNumber,
      province_id: 32,
      city_id: 3273,
    })),
    cancelOrder: step('cancelOrder', () => true),
    reserveStock: step('reserveStock', () => undefined),
    releaseStock: step('releaseStock', () => undefined),
    applyShipping: step('applyShipping', () => ({
      subtotal: '20000.00',
      shipping_amount: '18000.00',
      total_amount: '38000.00',
    })),
    createPaymentIntent: step('createPaymentIntent', () => ({
      transaction_id: 't',
      intent_id: 'pi',
      status: 'pending',
    })),
    cancelPayment: step('cancelPayment', () => 'cancelled'),
    deductStock: step('deductStock', () => undefined),
    markOrderPaid: step('markOrderPaid', () => true),
    confirmCashOnDelivery: step('confirmCashOnDelivery', () => true),
    claimVouchers: step('claimVouchers', () => ({
      subtotal: '20000.00',
      shipping_amount: '18000.00',
      discount_amount: '5000.00',
      shipping_discount: '18000.00',
      total_amount: '15000.00',
    })),
    releaseVouchers: step('releaseVouchers', () => undefined),
    clearCart: step('clearCart', () => undefined),
    restockOrder: step('restockOrder', () => undefined),
  };
}

// The production default, whatever the test run's environment says.
const PAYMENT_EXPIRY_SECONDS = loadConfig({}).payments.expirySeconds;

describe('checkout workflow with mocked activities', () => {
  const temporal = useTimeSkippingWorker(mockActivities);

  function start(scenario: Scenario, extra: Partial<CheckoutInput> = {}) {
    const orderId = randomUUID();
    scenarios.set(orderId, scenario);
    const input: CheckoutInput = {
      orderId,
      orderNumber: 'PSR-261125-TEST0001',
      userId: orderId, // the mocks find the scenario by the first argument, which is the user for validateCart
      addressId: randomUUID(),
      shippingService: 'regular',
      paymentExpirySeconds: PAYMENT_EXPIRY_SECONDS,
      ...extra,
    };
    const workflowId = unique('wf');
    temporal.track(workflowId);
    return temporal
      .env()
      .client.workflow.start(checkoutWorkflow, { taskQueue: temporal.taskQueue, workflowId, args: [input] });
  }

  const waitForStep = (handle: Awaited<ReturnType<typeof start>>, step: CheckoutState['step']) =>
    eventually(step, async () => (await handle.query(checkoutStateQuery)).step === step);

  it('paid: every step once, no compensation', async () => {
    const s: Scenario = { calls: [] };
    const handle = await start(s);
    await waitForStep(handle, 'awaiting_payment');
    await handle.signal(paymentResultSignal, { status: 'succeeded', event_id: 'evt_1' });
    const result = await handle.result();
    expect(result.step).toBe('paid');
    expect(result.amount?.total_amount).toBe('38000.00');
    expect(s.calls).toEqual([
      'validateCart',
      'createOrder',
      'reserveStock',
      'applyShipping',
      'createPaymentIntent',
      'deductStock',
      'markOrderPaid',
      'clearCart',
    ]);
  });

  it('cash on delivery: no payment wait; the stock is taken and the order confirmed, nothing undone', async () => {
    const s: Scenario = { calls: [] };
    const handle = await start(s, { cashOnDelivery: true, paymentExpirySeconds: 0 });
    const result = await handle.result();
    expect(result).toMatchObject({ step: 'confirmed', amount: { total_amount: '38000.00' } });
    expect(result.payment_expires_at).toBeUndefined();
    expect(s.calls).toEqual([
      'validateCart',
      'createOrder',
      'reserveStock',
      'applyShipping',
      'createPaymentIntent',
      'deductStock',
      'confirmCashOnDelivery',
      'clearCart',
    ]);
  });

  it('vouchers: claimed after shipping is quoted, the payment asks for the net total; released on decline', async () => {
    const paidRun: Scenario = { calls: [] };
    const paid = await start(paidRun, { voucherCodes: ['ABCDEFGHJKMN'] });
    await waitForStep(paid, 'awaiting_payment');
    await paid.signal(paymentResultSignal, { status: 'succeeded', event_id: 'evt_v1' });
    const result = await paid.result();
    expect(result.amount).toMatchObject({
      discount_amount: '5000.00',
      shipping_discount: '18000.00',
      total_amount: '15000.00',
    });
    expect(paidRun.calls.slice(3, 6)).toEqual(['applyShipping', 'claimVouchers', 'createPaymentIntent']);
    expect(paidRun.calls).not.toContain('releaseVouchers');

    const declinedRun: Scenario = { calls: [] };
    const declined = await start(declinedRun, { voucherCodes: ['ABCDEFGHJKMN'] });
    await waitForStep(declined, 'awaiting_payment');
    await declined.signal(paymentResultSignal, { status: 'failed', event_id: 'evt_v2', reason: 'card_declined' });
    await declined.result();
    expect(declinedRun.calls.slice(6)).toEqual(['cancelPayment', 'releaseVouchers', 'releaseStock', 'cancelOrder']);
  });

  it('a refused voucher undoes the order and its stock, and releases whatever the claim may have taken', async () => {
    const s: Scenario = { calls: [], failAt: 'claimVouchers' };
    const handle = await start(s, { voucherCodes: ['ABCDEFGHJKMN'] });
    expect((await handle.result()).step).toBe('cancelled');
    expect(s.calls.slice(4)).toEqual(['claimVouchers', 'releaseVouchers', 'releaseStock', 'cancelOrder']);
  });

  it('cash on delivery refused by its payment step (a limit): compensates newest-first, nothing confirmed', async () => {
    const s: Scenario = { calls: [], failAt: 'createPaymentIntent' };
    const handle = await start(s, { cashOnDelivery: true, paymentExpirySeconds: 0 });
    const result = await handle.result();
    expect(result.step).toBe('cancelled');
    expect(s.calls).not.toContain('confirmCashOnDelivery');
    expect(s.calls.slice(5)).toEqual(['cancelPayment', 'releaseStock', 'cancelOrder']);
  });

  it.each([
    ['payment declined', { status: 'failed' as const, event_id: 'evt_2', reason: 'card_declined' }, 'payment_failed'],
  ])('%s: compensates newest-first', async (_name, signal, code) => {
    const s: Scenario = { calls: [] };
    const handle = await start(s);
    await waitForStep(handle, 'awaiting_payment');
    await handle.signal(paymentResultSignal, signal);
    const result = await handle.result();
    expect(result).toMatchObject({ step: 'cancelled', failure: { code } });
    expect(s.calls.slice(5)).toEqual(['cancelPayment', 'releaseStock', 'cancelOrder']);
  });

  it('expired: compensates after the payment window', async () => {
    const s: Scenario = { calls: [] };
    const handle = await start(s);
    await waitForStep(handle, 'awaiting_payment');
    const result = await handle.result(); // skips the window
    expect(result.failure).toMatchObject({ code: 'expired', message: `no payment within ${PAYMENT_EXPIRY_SECONDS} s` });
    expect(s.calls.slice(5)).toEqual(['cancelPayment', 'releaseStock', 'cancelOrder']);
  });

  it('cancel while waiting: compensates', async () => {
    const s: Scenario = { calls: [] };
    const handle = await start(s);
    await waitForStep(handle, 'awaiting_payment');
    await handle.signal(cancelCheckoutSignal, { reason: 'changed my mind' });
    expect((await handle.result()).failure).toMatchObject({ code: 'cancelled', message: 'changed my mind' });
    expect(s.calls.slice(5)).toEqual(['cancelPayment', 'releaseStock', 'cancelOrder']);
  });

  it('a webhook that lands before the workflow waits is not lost, and a duplicate changes nothing', async () => {
    let release!: () => void;
    let started!: () => void;
    const intentStarted = new Promise<void>((r) => (started = r));
    const s: Scenario = {
      calls: [],
      holdIntent: new Promise<void>((r) => (release = r)),
      intentStarted: () => started(),
    };
    const handle = await start(s);
    await intentStarted; // the workflow is inside createPaymentIntent, not yet waiting
    await handle.signal(paymentResultSignal, { status: 'succeeded', event_id: 'evt_early' });
    await handle.signal(paymentResultSignal, { status: 'succeeded', event_id: 'evt_early' });
    await handle.signal(paymentResultSignal, { status: 'failed', event_id: 'evt_late' }); // first result wins
    release();
    expect((await handle.result()).step).toBe('paid');
    expect(s.calls.filter((c) => c === 'deductStock')).toHaveLength(1);
  });

  it.each<[Step, string[]]>([
    ['validateCart', []],
    ['createOrder', ['cancelOrder']],
    ['reserveStock', ['releaseStock', 'cancelOrder']],
    ['applyShipping', ['releaseStock', 'cancelOrder']],
    ['createPaymentIntent', ['cancelPayment', 'releaseStock', 'cancelOrder']],
  ])('a failure at %s undoes exactly what came before it: %j', async (failAt, undo) => {
    const s: Scenario = { calls: [], failAt };
    const handle = await start(s);
    const result = await handle.result();
    expect(result).toMatchObject({ step: 'cancelled', failure: { code: 'insufficient_stock' } });
    const failedAt = s.calls.indexOf(failAt);
    expect(s.calls.slice(failedAt + 1)).toEqual(undo);
  });

  it.each<[Step, string[]]>([
    ['deductStock', ['restockOrder', 'cancelPayment', 'releaseStock', 'cancelOrder']],
    ['markOrderPaid', ['restockOrder', 'cancelPayment', 'releaseStock', 'cancelOrder']],
  ])('a failure after payment at %s restocks, refunds and undoes the rest: %j', async (failAt, undo) => {
    const s: Scenario = { calls: [], failAt };
    const handle = await start(s);
    await waitForStep(handle, 'awaiting_payment');
    await handle.signal(paymentResultSignal, { status: 'succeeded', event_id: 'evt_3' });
    expect((await handle.result()).step).toBe('cancelled');
    expect(s.calls.slice(s.calls.indexOf(failAt) + 1)).toEqual(undo);
  });

  it('a failure after the order is paid (clearing the cart) undoes nothing', async () => {
    const s: Scenario = { calls: [], failAt: 'clearCart' };
    const handle = await start(s);
    await waitForStep(handle, 'awaiting_payment');
    await handle.signal(paymentResultSignal, { status: 'succeeded', event_id: 'evt_4' });
    expect((await handle.result()).step).toBe('paid');
    expect(s.calls.slice(s.calls.indexOf('markOrderPaid') + 1)).toEqual(['clearCart']);
  });
});
