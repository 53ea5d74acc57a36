/**
 * One trace from the request to the consumers, against the real stack: a checkout paid through
 * the gateway simulator, the checkout workflow and its activities on a real worker, the outbox
 * relay's publish and the real consumers (analytics, notifications, search, recommendations) in
 * groups of their own, all exporting to the stack's Zipkin; the trace is then read back through
 * Zipkin's API, found by the request id the API answered with.
 */
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import { createLogger } from '../../platform/logger';
import { createAnalyticsConsumer } from '../../services/analytics/consumer';
import { createNotificationConsumer } from '../../services/notifications/consumer';
import { createRecommendationConsumer } from '../../services/recommendations/consumer';
import { createSearchConsumer } from '../../services/search/consumer';
import { useConsumers } from '../support/consumers';
import { unique } from '../support/deps';
import { adminToken, client } from '../support/http';
import { useServer } from '../support/server';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { startTestTracing, traceOfRequest, traceSpans, type ZipkinSpan } from '../support/tracing';

const SERVICE = unique('pasar-trace-test');
const tracing = startTestTracing(SERVICE);

/** Tags the consumer span with the consumer's name, so the trace says who handled the event. */
const named = (spec: ConsumerSpec): ConsumerSpec => ({
  ...spec,
  handle: (event, ctx) => {
    trace.getActiveSpan()?.setAttribute('pasar.consumer', spec.name);
    return spec.handle(event, ctx);
  },
});

describe('one trace from the request through the saga to the consumers', () => {
  const server = useServer({ worker: true });
  const consumers = useConsumers(() => server().deps.kafka);

  beforeAll(async () => {
    const logger = createLogger('silent');
    const { services } = server();
    const specs = [
      createAnalyticsConsumer(services, logger),
      createNotificationConsumer(services, logger),
      createSearchConsumer(services, logger),
      createRecommendationConsumer(services, logger),
    ];
    const running = specs.map((s) => consumers.start(named(s), { fromBeginning: false }));
    await waitFor(
      'the consumers to join their groups',
      async () => running.every((c) => c.state() === 'running'),
      60_000,
    );
  });

  test('the checkout request, its workflow and activities, the publish and two consumers share one trace', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    // The first POST starts the saga, so its trace holds the workflow; a retry would only join it.
    const key = randomUUID();
    let res = await checkout(api, me.token, me.address_id, key);
    const requestId = res.headers.get('x-request-id')!;
    expect(requestId).toBeTruthy();
    for (let i = 0; i < 5 && res.body.status === 'processing'; i++)
      res = await checkout(api, me.token, me.address_id, key);
    expect(res.body.status).toBe('awaiting_payment');
    await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, res.body.order_id, 'paid');

    const first = await traceOfRequest(SERVICE, requestId);
    const traceId = first[0]!.traceId;
    const has = (spans: ZipkinSpan[]) => ({
      request: spans.some((s) => s.kind === 'SERVER' && s.tags?.['pasar.request_id'] === requestId),
      workflow: spans.some((s) => s.name.startsWith('runworkflow:checkout')), // Zipkin lowercases span names
      activities: new Set(spans.filter((s) => s.name.startsWith('runactivity:')).map((s) => s.name)).size,
      publish: spans.some((s) => s.kind === 'PRODUCER' && s.name.startsWith('publish pasar.')),
      consumers: new Set(
        spans.filter((s) => s.kind === 'CONSUMER' && s.tags?.['pasar.consumer']).map((s) => s.tags!['pasar.consumer']),
      ).size,
    });
    const spans = await waitFor(
      'the whole trace in Zipkin',
      async () => {
        await tracing.flush();
        const all = await traceSpans(traceId);
        const h = has(all);
        return h.request && h.workflow && h.activities >= 3 && h.publish && h.consumers >= 2 ? all : undefined;
      },
      60_000,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(has(await traceSpans(traceId)))}`);
    });

    // One trace: every span but the request's has its parent inside it.
    const ids = new Set(spans.map((s) => s.id));
    const roots = spans.filter((s) => !s.parentId || !ids.has(s.parentId));
    expect(roots.map((s) => s.kind)).toEqual(['SERVER']);
    const consumerSpans = spans.filter((s) => s.kind === 'CONSUMER');
    const publishIds = new Set(spans.filter((s) => s.kind === 'PRODUCER').map((s) => s.id));
    expect(consumerSpans.every((s) => publishIds.has(s.parentId!))).toBe(true);
  }, 180_000);

  test('every error body names its request, as the X-Request-Id header does', async () => {
    const api = client(server().base);
    const replies = [
      await api.get('/no-such-route'), // the not-found handler
      await api.post('/cart/items', { product_id: 'x', quantity: -1 }), // the auth guard
      await api.raw('POST', '/auth/login', { raw: '{"email":' }), // a body that is not JSON
      await api.post('/auth/register', { email: 'not-an-email' }), // the validation hook
    ];
    for (const res of replies) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error).toMatchObject({ code: expect.any(String), request_id: res.headers.get('x-request-id') });
    }
  });
});
