/**
 * The payment-gateway simulator's HTTP API, shaped like a real sandbox (Stripe/Xendit style):
 * intents created with an Idempotency-Key, confirmed with a card, cancelled, refunded; results
 * arrive only by signed webhook. State lives in memory, like a sandbox that is reset on restart.
 * `/_sim/*` routes are test controls a real gateway does not have.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { outcomeFor } from './cards';
import type { Deliverer } from './deliveries';

type IntentStatus = 'requires_confirmation' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'refunded';

interface Intent {
  id: string;
  amount: string;
  currency: string;
  reference: string;
  notification_url: string;
  status: IntentStatus;
  failure_reason?: string;
  behaviour: { duplicates: number; delay_ms: number };
}

const CreateIntent = z.object({
  amount: z.string().regex(/^\d+(\.\d{1,2})?$/),
  currency: z.string().length(3),
  reference: z.string().min(1).max(100),
  notification_url: z.string().url(),
});
const Confirm = z.object({ card_number: z.string().regex(/^\d{12,19}$/) });
const Refund = z.object({ intent_id: z.string(), amount: z.string().regex(/^\d+(\.\d{1,2})?$/) });
const Behaviour = z.object({
  duplicates: z.number().int().min(0).max(10).default(0),
  delay_ms: z.number().int().min(0).max(60_000).default(0),
});

const fail = (c: Context, status: 400 | 401 | 404 | 409, code: string, message: string) =>
  c.json({ error: { code, message } }, status);

export function createGatewayApp(apiKey: string, deliverer: Deliverer) {
  const intents = new Map<string, Intent>();
  const byIdempotencyKey = new Map<string, string>();
  const refunds = new Map<string, { id: string; intent_id: string; amount: string; status: string }>();
  const view = ({ behaviour: _b, notification_url: _u, ...i }: Intent) => i;

  const notify = (intent: Intent, type: string) =>
    deliverer.send(
      deliverer.newEvent(type, {
        intent_id: intent.id,
        reference: intent.reference,
        amount: intent.amount,
        currency: intent.currency,
        status: intent.status,
        failure_reason: intent.failure_reason ?? null,
      }),
      { url: intent.notification_url, duplicates: intent.behaviour.duplicates, delayMs: intent.behaviour.delay_ms },
    );

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', intents: intents.size }));

  app.use('/v1/*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${apiKey}`) return fail(c, 401, 'unauthorized', 'invalid API key');
    await next();
  });

  app.post('/v1/intents', async (c) => {
    const key = c.req.header('idempotency-key');
    if (!key) return fail(c, 400, 'idempotency_key_required', 'send an Idempotency-Key header');
    const existing = byIdempotencyKey.get(key);
    if (existing) return c.json(view(intents.get(existing)!), 200);
    const parsed = CreateIntent.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return fail(c, 400, 'invalid_request', parsed.error.message);
    const intent: Intent = {
      id: `pi_${randomUUID().replaceAll('-', '')}`,
      ...parsed.data,
      status: 'requires_confirmation',
      behaviour: { duplicates: 0, delay_ms: 0 },
    };
    intents.set(intent.id, intent);
    byIdempotencyKey.set(key, intent.id);
    return c.json(view(intent), 201);
  });

  app.get('/v1/intents/:id', (c) => {
    const intent = intents.get(c.req.param('id'));
    return intent ? c.json(view(intent)) : fail(c, 404, 'not_found', 'no such intent');
  });

  app.post('/v1/intents/:id/confirm', async (c) => {
    const intent = intents.get(c.req.param('id'));
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    const parsed = Confirm.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return fail(c, 400, 'invalid_card', 'card_number must be 12 to 19 digits');
    if (intent.status !== 'requires_confirmation') {
      return fail(c, 409, 'intent_unexpected_state', `intent is ${intent.status}`);
    }
    intent.status = 'processing';
    const outcome = outcomeFor(parsed.data.card_number);
    if (outcome.kind === 'succeed') {
      intent.status = 'succeeded';
      notify(intent, 'payment_intent.succeeded');
    } else if (outcome.kind === 'decline') {
      intent.status = 'failed';
      intent.failure_reason = outcome.reason;
      notify(intent, 'payment_intent.payment_failed');
    }
    // 'never': stays processing and no webhook is sent, like a payment abandoned at 3-D Secure.
    return c.json({ ...view(intent), status: 'processing' }, 202);
  });

  app.post('/v1/intents/:id/cancel', (c) => {
    const intent = intents.get(c.req.param('id'));
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    if (intent.status === 'succeeded' || intent.status === 'refunded') {
      return fail(c, 409, 'intent_unexpected_state', `intent is ${intent.status}; refund it instead`);
    }
    if (intent.status !== 'failed') intent.status = 'canceled';
    return c.json(view(intent));
  });

  app.post('/v1/refunds', async (c) => {
    const key = c.req.header('idempotency-key');
    if (!key) return fail(c, 400, 'idempotency_key_required', 'send an Idempotency-Key header');
    const existing = refunds.get(key);
    if (existing) return c.json(existing, 200);
    const parsed = Refund.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return fail(c, 400, 'invalid_request', parsed.error.message);
    const intent = intents.get(parsed.data.intent_id);
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    if (intent.status !== 'succeeded') return fail(c, 409, 'intent_unexpected_state', `intent is ${intent.status}`);
    intent.status = 'refunded';
    const refund = {
      id: `re_${randomUUID().replaceAll('-', '')}`,
      intent_id: intent.id,
      amount: parsed.data.amount,
      status: 'succeeded',
    };
    refunds.set(key, refund);
    notify(intent, 'refund.succeeded');
    return c.json(refund, 201);
  });

  /** Test control: how the next webhooks of this intent are delivered. */
  app.post('/_sim/intents/:id/behaviour', async (c) => {
    const intent = intents.get(c.req.param('id'));
    if (!intent) return fail(c, 404, 'not_found', 'no such intent');
    const parsed = Behaviour.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success) return fail(c, 400, 'invalid_request', parsed.error.message);
    intent.behaviour = parsed.data;
    return c.json({ id: intent.id, behaviour: intent.behaviour });
  });

  app.get('/_sim/deliveries', (c) => c.json({ deliveries: deliverer.history.slice(-500) }));

  return app;
}
