/**
 * The payment-gateway simulator's HTTP API, shaped like a real sandbox: intents created with an
 * Idempotency-Key, confirmed with a card, cancelled, refunded; results arrive only by notification,
 * in the Midtrans Core API model (contracts/payment-notification.ts), and the status API answers
 * what a notification would say. Its records survive a restart (ledger.ts), and it can list them
 * by reference or time range, as reconciliation needs. `/_sim/*` routes are test controls a real
 * gateway does not have.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { outcomeFor } from '../../contracts/test-cards';
import type { Deliverer } from './deliveries';
import { EWALLET_PROVIDERS, VA_BANKS } from '../../contracts/payment-methods';
import { createLedger, type Intent, type Ledger, type Refund } from './ledger';
import { instructionsFor, paymentTypeOf } from './methods';
import { reportOf } from './report';

const PaymentMethodBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('card') }),
  z.object({ type: z.literal('bank_transfer'), bank: z.enum(VA_BANKS) }),
  z.object({ type: z.literal('qris') }),
  z.object({ type: z.literal('ewallet'), provider: z.enum(EWALLET_PROVIDERS), phone: z.string().max(20).optional() }),
]);
const CreateIntent = z.object({
  amount: z.string().regex(/^\d+(\.\d{1,2})?$/),
  currency: z.string().length(3),
  reference: z.string().min(1).max(100),
  notification_url: z.string().url(),
  /** Card when absent (confirmed later with its number); any other method is payable at once. */
  payment_method: PaymentMethodBody.optional(),
  expiry_seconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(86_400),
});
const Confirm = z.object({ card_number: z.string().regex(/^\d{12,19}$/) });
const Refund = z.object({
  intent_id: z.string(),
  amount: z.string().regex(/^\d+(\.\d{1,2})?$/),
  /** The merchant's own id for this refund, echoed in its notifications (Midtrans refund_key). */
  reference: z.string().max(100).optional(),
});
const Behaviour = z.object({
  duplicates: z.number().int().min(0).max(10).default(0),
  delay_ms: z.number().int().min(0).max(60_000).default(0),
  /** Lose this intent's notifications for good, like an outage longer than every retry. */
  drop: z.boolean().default(false),
});
const ListQuery = z.object({
  reference: z.string().max(100).optional(),
  created_gte: z.coerce.number().int().min(0).optional(),
  created_lte: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Cursor: the last intent id of the previous page (pages run oldest first). */
  starting_after: z.string().max(100).optional(),
});

const toSen = (amount: string) => {
  const [whole, frac = ''] = amount.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
};
const fromSen = (sen: number) => `${Math.floor(sen / 100)}.${String(sen % 100).padStart(2, '0')}`;

const fail = (c: Context, status: 400 | 401 | 404 | 409, code: string, message: string) =>
  c.json({ error: { code, message } }, status);

export function createGatewayApp(
  apiKey: string,
  deliverer: Deliverer,
  ledger: Ledger = createLedger(),
  baseUrl = 'http://127.0.0.1:4010',
) {
  const view = ({ behaviour: _b, notification_url: _u, expires_at: _e, ...i }: Intent) => i;

  /** Sends the intent's current state as a notification (or one refund's notice), unless told to lose it. */
  const notify = (intent: Intent, notice?: Refund) => {
    if (intent.behaviour.drop) return;
    deliverer.send(reportOf(intent, ledger.refundsOf(intent.id), notice), {
      url: intent.notification_url,
      duplicates: intent.behaviour.duplicates,
      delayMs: intent.behaviour.delay_ms,
    });
  };

  /** An unpaid non-card intent past its time expires (and says so), whether a timer or a late look finds it. */
  const expireIfDue = (intent: Intent) => {
    if (intent.status !== 'processing' || !intent.expires_at || Date.now() / 1000 < intent.expires_at) return;
    intent.status = 'expired';
    ledger.saveIntent(intent);
    notify(intent);
  };
  const expiryTimer = (intent: Intent) => {
    const ms = Math.max(0, (intent.expires_at ?? 0) * 1000 - Date.now()) + 50;
    setTimeout(() => expireIfDue(ledger.intent(intent.id) ?? intent), ms).unref();
  };
  for (const intent of ledger.intents()) if (intent.status === 'processing' && intent.expires_at) expiryTimer(intent);

  /** A buyer pays (or refuses) a non-card intent of the given payment types, as their bank or app would. */
  /**
   * `late`: the buyer's bank took the transfer before the account closed and tells the gateway only
   * now, after the intent expired or was cancelled (money arrives for an order already released).
   */
  const settle = (c: Context, intent: Intent | undefined, outcome: 'succeeded' | 'failed', late = false) => {
    if (!intent) return fail(c, 404, 'not_found', 'no such payment');
    expireIfDue(intent);
    const payable = late ? ['processing', 'expired', 'canceled'] : ['processing'];
    if (!payable.includes(intent.status)) return fail(c, 409, 'intent_unexpected_state', `payment is ${intent.status}`);
    intent.status = outcome;
    if (outcome === 'failed') intent.failure_reason = 'declined_by_shopper';
    ledger.saveIntent(intent);
    notify(intent);
    return c.json(view(intent));
  };
  const nonCard = (id: string, types: string[]) => {
    const intent = ledger.intent(id);
    return intent && types.includes(intent.payment_type ?? 'credit_card') ? intent : undefined;
  };

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', intents: ledger.count() }));

  const authorized: Parameters<typeof app.use>[1] = async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${apiKey}`) return fail(c, 401, 'unauthorized', 'invalid API key');
    await next();
  };
  app.use('/v1/*', authorized);
  app.use('/v2/*', authorized);

  app.post('/v1/intents', async (c) => {
    const key = c.req.header('idempotency-key');
    if (!key) return fail(c, 400, 'idempotency_key_required', 'send an Idempotency-Key header');
    const existing = ledger.intentForKey(key);
    if (existing) return c.json(view(existing), 200);
    const parsed = CreateIntent.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return fail(c, 400, 'invalid_request', parsed.error.message);
    const now = Math.floor(Date.now() / 1000);
    const { payment_method: method = { type: 'card' as const }, expiry_seconds, ...fields } = parsed.data;
    const id = `pi_${randomUUID().replaceAll('-', '')}`;
    const card = method.type === 'card';
    if (method.type === 'ewallet' && method.provider === 'ovo' && !method.phone)
      return fail(c, 400, 'invalid_request', 'an OVO payment needs the phone number to push to');
    const intent: Intent = {
      id,
      ...fields,
      // A card waits for its number; any other method is payable (pending) at once.
      status: card ? 'requires_confirmation' : 'processing',
      payment_type: paymentTypeOf(method),
      created: now,
      updated: now,
      behaviour: { duplicates: 0, delay_ms: 0, drop: false },
      ...(card
        ? {}
        : {
            expires_at: now + expiry_seconds,
            instructions: instructionsFor(id, fields.amount, method, new Date((now + expiry_seconds) * 1000), baseUrl),
          }),
    };
    ledger.saveIntent(intent, key);
    if (!card) expiryTimer(intent);
    return c.json(view(intent), 201);
  });

  /** Lists intents oldest first, filtered by reference and creation time, paged by cursor. */
  app.get('/v1/intents', (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) return fail(c, 400, 'invalid_request', q.error.message);
    const { reference, created_gte, created_lte, limit, starting_after } = q.data;
    let all = ledger
      .intents()
      .filter(
        (i) =>
          (reference === undefined || i.reference === reference) &&
          (created_gte === undefined || i.created >= created_gte) &&
          (created_lte === undefined || i.created <= created_lte),
      )
      .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
    if (starting_after) all = all.slice(all.findIndex((i) => i.id === starting_after) + 1);
    const page = all.slice(0, limit);
    return c.json({ data: page.map(view), has_more: all.length > limit });
  });

  app.get('/v1/intents/:id', (c) => {
    const intent = ledger.intent(c.req.param('id'));
    return intent ? c.json(view(intent)) : fail(c, 404, 'not_found', 'no such intent');
  });

  app.post('/v1/intents/:id/confirm', async (c) => {
    const intent = ledger.intent(c.req.param('id'));
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    if ((intent.payment_type ?? 'credit_card') !== 'credit_card')
      return fail(c, 409, 'intent_unexpected_state', `a ${intent.payment_type} payment is not confirmed with a card`);
    const parsed = Confirm.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return fail(c, 400, 'invalid_card', 'card_number must be 12 to 19 digits');
    if (intent.status !== 'requires_confirmation') {
      return fail(c, 409, 'intent_unexpected_state', `intent is ${intent.status}`);
    }
    intent.status = 'processing';
    const outcome = outcomeFor(parsed.data.card_number);
    if (outcome.kind === 'succeed') intent.status = 'succeeded';
    if (outcome.kind === 'decline') {
      intent.status = 'failed';
      intent.failure_reason = outcome.reason;
    }
    ledger.saveIntent(intent); // recorded before anyone hears of it
    if (outcome.kind !== 'never') notify(intent);
    // 'never': stays processing and no notification is sent, like a payment abandoned at 3-D Secure.
    return c.json({ ...view(intent), status: 'processing' }, 202);
  });

  app.post('/v1/intents/:id/cancel', (c) => {
    const intent = ledger.intent(c.req.param('id'));
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    if (intent.status === 'succeeded' || intent.status === 'refunded') {
      return fail(c, 409, 'intent_unexpected_state', `intent is ${intent.status}; refund it instead`);
    }
    expireIfDue(intent);
    const cancelled = !['failed', 'canceled', 'expired'].includes(intent.status);
    if (cancelled) intent.status = 'canceled';
    ledger.saveIntent(intent);
    if (cancelled) notify(intent);
    return c.json(view(intent));
  });

  app.post('/v1/refunds', async (c) => {
    const key = c.req.header('idempotency-key');
    if (!key) return fail(c, 400, 'idempotency_key_required', 'send an Idempotency-Key header');
    const existing = ledger.refundForKey(key);
    if (existing) return c.json(existing, 200);
    const parsed = Refund.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return fail(c, 400, 'invalid_request', parsed.error.message);
    const intent = ledger.intent(parsed.data.intent_id);
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    if (intent.status !== 'succeeded') return fail(c, 409, 'intent_unexpected_state', `intent is ${intent.status}`);
    // Partial refunds add up to at most what was paid, as real gateways enforce (counted in sen).
    const refundedSen = toSen(intent.amount_refunded ?? '0') + toSen(parsed.data.amount);
    if (toSen(parsed.data.amount) <= 0 || refundedSen > toSen(intent.amount)) {
      return fail(c, 409, 'amount_exceeds_remaining', `refunds would exceed the ${intent.amount} paid`);
    }
    // ShopeePay takes back only the whole payment, at once (services/payments/refund-channel.ts mirrors it).
    if (intent.payment_type === 'shopeepay' && toSen(parsed.data.amount) !== toSen(intent.amount))
      return fail(c, 409, 'partial_refund_not_supported', 'shopeepay refunds only the whole payment');
    intent.amount_refunded = fromSen(refundedSen);
    if (refundedSen === toSen(intent.amount)) intent.status = 'refunded';
    const refund: Refund = {
      id: `re_${randomUUID().replaceAll('-', '')}`,
      intent_id: intent.id,
      amount: parsed.data.amount,
      status: 'succeeded',
      created: Math.floor(Date.now() / 1000),
      reference: parsed.data.reference ?? null,
    };
    ledger.saveIntent(intent);
    ledger.saveRefund(key, refund);
    notify(intent, refund);
    const { reference: _r, ...answer } = refund;
    return c.json(answer, 201);
  });

  /**
   * The status API (Midtrans `GET /v2/{order_id}/status`): the latest transaction of a merchant
   * order, as its notifications report it. Reconciliation asks it, and the merchant confirms each
   * notification with it before believing the status.
   */
  app.get('/v2/:id/status', (c) => {
    // Midtrans answers by transaction_id or by order_id (an order's latest transaction).
    const id = c.req.param('id');
    const intent = ledger.intent(id) ?? ledger.intentForReference(id);
    if (!intent) return c.json({ status_code: '404', status_message: 'Transaction does not exist.' }, 404);
    expireIfDue(intent);
    return c.json(reportOf(intent, ledger.refundsOf(intent.id)));
  });

  /** Test control: how the next notifications of this intent are delivered. */
  app.post('/_sim/intents/:id/behaviour', async (c) => {
    const intent = ledger.intent(c.req.param('id'));
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    const parsed = Behaviour.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success) return fail(c, 400, 'invalid_request', parsed.error.message);
    intent.behaviour = parsed.data;
    ledger.saveIntent(intent);
    return c.json({ id: intent.id, behaviour: intent.behaviour });
  });

  /** A buyer's bank transfers the exact amount to the virtual account (Midtrans sandbox: the VA simulator). */
  app.post('/_sim/va/:vaNumber/pay', async (c) => {
    const va = c.req.param('vaNumber');
    const intent = ledger.intents().find((i) => i.instructions?.va_number === va);
    const { late } = z.object({ late: z.boolean().default(false) }).parse(await c.req.json().catch(() => ({})));
    return settle(c, intent, 'succeeded', late);
  });
  /**
   * A buyer's banking or e-wallet app scans the QRIS code and pays it. Scanned and paid again (two
   * apps racing on one code), the second payment is a transaction of its own on the same order.
   */
  app.post('/_sim/qris/:id/pay', (c) => {
    const intent = nonCard(c.req.param('id'), ['qris']);
    if (intent?.status !== 'succeeded') return settle(c, intent, 'succeeded');
    const now = Math.floor(Date.now() / 1000);
    const again: Intent = { ...intent, id: `pi_${randomUUID().replaceAll('-', '')}`, created: now, updated: now };
    delete again.amount_refunded;
    ledger.saveIntent(again);
    notify(again);
    return c.json(view(again));
  });
  /** The shopper approves (or refuses) in the e-wallet app: GoPay, DANA, ShopeePay's redirect or OVO's push. */
  const wallets = [...EWALLET_PROVIDERS];
  app.post('/_sim/ewallet/:id/approve', (c) => settle(c, nonCard(c.req.param('id'), wallets), 'succeeded'));
  app.post('/_sim/ewallet/:id/deny', (c) => settle(c, nonCard(c.req.param('id'), wallets), 'failed'));

  /**
   * The acquirer takes back a settled payment (Midtrans: a settlement later denied, e.g. a transfer
   * the bank reverses or a capture refused at clearing): the transaction becomes deny and the deny
   * notification is sent. Only a settled (or captured) payment with nothing refunded can be denied.
   */
  app.post('/_sim/transactions/:id/deny', (c) => {
    const intent = ledger.intent(c.req.param('id'));
    if (!intent) return fail(c, 404, 'not_found', 'no such transaction');
    if (intent.status !== 'succeeded' || toSen(intent.amount_refunded ?? '0') > 0)
      return fail(c, 409, 'intent_unexpected_state', `only a settled payment can be denied; it is ${intent.status}`);
    intent.status = 'failed';
    intent.failure_reason = 'settlement_reversed';
    ledger.saveIntent(intent);
    notify(intent);
    return c.json(view(intent));
  });

  app.get('/_sim/deliveries', (c) => c.json({ deliveries: deliverer.history.slice(-500) }));

  return app;
}
