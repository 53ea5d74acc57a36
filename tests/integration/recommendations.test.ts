/**
 * Recommendations end to end: real checkouts paid through the gateway simulator, the outbox relay,
 * Kafka, the real consumer runtime running the recommendation consumer, and the routes. Each test
 * builds its own products in a category of its own; the products are sold out afterwards so they
 * never crowd a later run's popular list.
 */
import type { CatalogEvent } from '../../platform/event-catalog';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import { createRedis } from '../../platform/clients/redis';
import { createServices } from '../../services';
import { createKafka } from '../../platform/clients/kafka';
import { createLogger } from '../../platform/logger';
import { createRecommendationConsumer } from '../../services/recommendations/consumer';
import { hourOf, recKeys } from '../../services/recommendations/keys';
import { createViewPublisher } from '../../services/recommendations/view-publisher';
import { createViewRecorder } from '../../api/recommendations/views';
import { observed, useConsumers } from '../support/consumers';
import { unique } from '../support/deps';
import { adminToken, client, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { CARDS, checkoutUntilSettled, orderStatus, shopperWithCart, waitFor } from '../support/shop';

describe('recommendations from real orders and views', () => {
  const server = useServer({ worker: true });
  const consumers = useConsumers(() => server().deps.kafka);
  const seen: CatalogEvent[] = [];
  const created: string[] = [];
  let api: Client;
  let admin: string;
  let handle: ConsumerSpec['handle'];
  let handleBatch: NonNullable<ConsumerSpec['handleBatch']>;
  const category = unique('rec').slice(0, 40);
  const p: Record<'a' | 'b' | 'c' | 'e', string> = { a: '', b: '', c: '', e: '' };
  const buyers: { id: string; token: string; orderId: string }[] = [];

  const redis = () => server().deps.redis;
  /** Units of a product counted in the last two hour buckets (a burst may straddle an hour). */
  const unitsSold = async (id: string) => {
    const h = hourOf(Date.now());
    const s = await Promise.all([h, h - 1].map((x) => redis().zscore(recKeys.popularHour(x), id)));
    return s.reduce((sum, v) => sum + Number(v ?? 0), 0);
  };
  const ctx = { topic: 'replay', partition: 0, offset: '0', headers: {} };
  const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((r) => r.id);

  async function product(quantity = 100) {
    const res = await api.post(
      '/products',
      { sku: unique('REC').slice(0, 50), name: 'Kopi Gayo 200 g', price: '40000.00', quantity, category },
      admin,
    );
    if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`);
    created.push(res.body.id);
    return res.body.id as string;
  }

  async function buy(items: { product_id: string; quantity: number }[]) {
    const me = await shopperWithCart(api, items);
    const placed = await checkoutUntilSettled(api, me.token, me.address_id);
    if (placed.status !== 202) throw new Error(`checkout: ${placed.status} ${JSON.stringify(placed.body)}`);
    const orderId = placed.body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    await waitFor(`order ${orderId} counted`, async () => (await redis().exists(recKeys.order(orderId))) === 1);
    return { id: me.id, token: me.token, orderId };
  }

  /** Everything these tests' events wrote, to compare before and after redelivery. */
  async function snapshot() {
    const r = redis();
    const zset = (k: string) => r.zrange(k, 0, '-1', 'WITHSCORES');
    return {
      units: await Promise.all(Object.values(p).map(unitsSold)),
      similar: await Promise.all(Object.values(p).map((id) => zset(recKeys.similar(id)))),
      bought: await Promise.all(buyers.map((b) => zset(recKeys.userBought(b.id)))),
      orders: await Promise.all(buyers.map((b) => r.get(recKeys.order(b.orderId)))),
    };
  }

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    const spec = createRecommendationConsumer(server().services, createLogger('silent'));
    handle = spec.handle;
    handleBatch = spec.handleBatch!.bind(spec) as typeof handleBatch;
    consumers.start(observed(spec, (event) => seen.push(event))); // kept for the redelivery tests
    for (const k of Object.keys(p) as (keyof typeof p)[]) p[k] = await product();
  });

  afterAll(async () => {
    // Sold out: this run's best sellers never crowd a later run's popular list.
    for (const id of created) await api.put(`/products/${id}/inventory`, { quantity: 0 }, admin).catch(() => undefined);
  });

  it('a burst of paid orders shows in popular and similar', async () => {
    const burst = await Promise.all(
      [1, 2, 3, 4].map(() =>
        buy([
          { product_id: p.a, quantity: 3 },
          { product_id: p.b, quantity: 1 },
        ]),
      ),
    );
    buyers.push(...burst);
    expect(await unitsSold(p.a)).toBe(12);
    expect(await unitsSold(p.b)).toBe(4);
    expect(Number(await redis().zscore(recKeys.similar(p.a), p.b))).toBe(4);

    const popular = await waitFor('the burst in popular', async () => {
      const res = await api.get('/recommendations/popular?limit=50');
      return ids(res).includes(p.b) ? res : undefined;
    });
    const order = ids(popular);
    expect(order.indexOf(p.a)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(p.a)).toBeLessThan(order.indexOf(p.b));
    expect(popular.body.data[order.indexOf(p.a)]).toMatchObject({ reason: 'popular', in_stock: true });

    const similar = await api.get(`/recommendations/similar/${p.a}?limit=5`);
    expect(similar.status).toBe(200);
    expect(similar.body.data[0]).toMatchObject({ id: p.b, reason: 'bought_together', score: 4 });
    // Topped up from the same category (never the product itself).
    expect(similar.body.data.slice(1).map((r: { reason: string }) => r.reason)).toContain('same_category');
    expect(ids(similar)).toEqual(expect.arrayContaining([p.c, p.e]));
    expect(ids(similar)).not.toContain(p.a);
  }, 120_000);

  it('redelivering every event three times changes nothing, one by one or as batches', async () => {
    const before = await snapshot();
    const events = [...seen];
    expect(events.filter((e) => e.type === 'order.paid').length).toBeGreaterThanOrEqual(4);
    for (let round = 0; round < 3; round++) {
      await Promise.all(events.map((e) => handle(e, ctx)));
    }
    expect(await snapshot()).toEqual(before);
    // A whole batch again, and the same events twice in one batch (a relay's re-send).
    const batch = events.map((event) => ({ event, ctx }));
    for (let round = 0; round < 2; round++) await handleBatch([...batch, ...batch]);
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('a refund takes back exactly what its purchase added, once', async () => {
    const [first] = buyers;
    const before = { a: await unitsSold(p.a), b: await unitsSold(p.b) };
    const cancel = await api.post(`/orders/${first!.orderId}/cancel`, undefined, first!.token);
    expect(cancel.body.status).toBe('refunding');
    await orderStatus(api, first!.token, first!.orderId, 'refunded', 60_000);
    await waitFor('the take-back', async () => (await unitsSold(p.a)) === before.a - 3);
    expect(await unitsSold(p.b)).toBe(before.b - 1);
    expect(Number(await redis().zscore(recKeys.similar(p.a), p.b))).toBe(3);
    expect(await redis().zcard(recKeys.userBought(first!.id))).toBe(0);

    // The refund and the payment delivered again: still taken back exactly once.
    const after = await snapshot();
    const replay = seen.filter((e) => (e.data as { order_id?: string }).order_id === first!.orderId);
    expect(replay.map((e) => e.type)).toEqual(expect.arrayContaining(['order.paid', 'order.refunded']));
    for (let i = 0; i < 3; i++) for (const e of replay) await handle(e, ctx);
    expect(await snapshot()).toEqual(after);
  }, 120_000);

  it("a shopper's picks come from what they bought and viewed, never what they bought; a newcomer gets popular", async () => {
    const newcomer = await signUp(api);
    const cold = await api.get(`/recommendations/user/${newcomer.id}?limit=10`, newcomer.token);
    expect(cold.status).toBe(200);
    expect(cold.body.data.every((r: { reason: string }) => r.reason === 'popular')).toBe(true);
    expect(ids(cold)).toEqual(ids(await api.get('/recommendations/popular?limit=10')));

    // Someone else buys A with E: for a buyer of A, E is bought together with what they bought.
    buyers.push(
      await buy([
        { product_id: p.a, quantity: 1 },
        { product_id: p.e, quantity: 1 },
      ]),
    );
    const buyer = buyers[1]!;
    const mine = await api.get(`/recommendations/user/${buyer.id}?limit=20`, buyer.token);
    expect(ids(mine)).not.toContain(p.a);
    expect(ids(mine)).not.toContain(p.b);
    expect(mine.body.data[0]).toMatchObject({ id: p.e, reason: 'for_you' });

    // A signed-in view of C's page (its detail route) reaches the consumer and the viewer's picks.
    const viewer = await signUp(api);
    expect((await api.get(`/products/${p.a}`, viewer.token)).status).toBe(200);
    await waitFor('the view', async () => (await redis().zscore(recKeys.userViewed(viewer.id), p.a)) !== null);
    const picks = await api.get(`/recommendations/user/${viewer.id}?limit=20`, viewer.token);
    expect(picks.body.data[0]).toMatchObject({ id: p.b, reason: 'for_you' });
    expect(ids(picks)).toEqual(expect.arrayContaining([p.a, p.e]));
  }, 120_000);

  it('never shows an out-of-stock or inactive product', async () => {
    const viewer = await signUp(api);
    await api.get(`/products/${p.a}`, viewer.token);
    await waitFor('the view', async () => (await redis().zscore(recKeys.userViewed(viewer.id), p.a)) !== null);
    expect(ids(await api.get(`/recommendations/similar/${p.a}`))).toContain(p.b);

    expect((await api.put(`/products/${p.b}/inventory`, { quantity: 0 }, admin)).status).toBe(200);
    expect((await api.patch(`/products/${p.e}`, { status: 'inactive' }, admin)).status).toBe(200);
    for (const res of [
      await api.get('/recommendations/popular?limit=50'),
      await api.get(`/recommendations/similar/${p.a}?limit=50`),
      await api.get(`/recommendations/user/${viewer.id}?limit=50`, viewer.token),
    ]) {
      expect(res.status).toBe(200);
      expect(ids(res)).not.toContain(p.b);
      expect(ids(res)).not.toContain(p.e);
      expect(
        res.body.data.every((r: { in_stock: boolean; status: string }) => r.in_stock && r.status === 'active'),
      ).toBe(true);
    }
  });

  it("a shopper sees only their own picks (another's is a 404); an admin sees anyone's", async () => {
    const [x, y] = [await signUp(api), await signUp(api)];
    expect((await api.get(`/recommendations/user/${y.id}`, x.token)).status).toBe(404);
    expect((await api.get(`/recommendations/user/${y.id}`)).status).toBe(401);
    expect((await api.get(`/recommendations/user/${y.id}`, y.token)).status).toBe(200);
    expect((await api.get(`/recommendations/user/${y.id}`, admin)).status).toBe(200);
  });

  it('answers bad input with a 400 naming the field, an unknown product with 404', async () => {
    const tooMany = await api.get('/recommendations/popular?limit=51');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0]).toMatchObject({ field: 'limit' });
    const badId = await api.get('/recommendations/similar/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0]).toMatchObject({ field: 'productId' });
    expect((await api.get(`/recommendations/similar/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('Kafka down never slows or fails the product page, and the view buffer stays bounded', async () => {
    const dead = createKafka(['127.0.0.1:1'], 'recs-dead', 300);
    const publisher = createViewPublisher(dead, createLogger('silent'), { maxBuffered: 100, flushEveryMs: 20 });
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) publisher.record(crypto.randomUUID(), p.c);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(publisher.stats().buffered).toBeLessThanOrEqual(100);
    await waitFor('the batch dropped', async () => publisher.stats().dropped >= 9_900, 10_000);
    await publisher.close();

    // The whole app with a broker nobody answers on: a signed-in page view is as fast as an anonymous one.
    const { createApp } = await import('../../api/app');
    const app = createApp({ ...server().deps, kafka: dead }, server().services, createLogger('silent'));
    const viewer = await signUp(api);
    const timed = async (token?: string) => {
      const start = performance.now();
      const res = await app.request(`/products/${p.c}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect(res.status).toBe(200);
      return performance.now() - start;
    };
    const signedIn: number[] = [];
    for (let i = 0; i < 30; i++) signedIn.push(await timed(viewer.token));
    signedIn.sort((a, b) => a - b);
    expect(signedIn[Math.floor(signedIn.length * 0.95)]).toBeLessThan(250);
  }, 30_000);

  it('Redis down: the signed-in page still answers, and the view check never holds it up', async () => {
    const viewer = await signUp(api);
    const deadRedis = createRedis('redis://127.0.0.1:1', server().config.dependencyTimeoutMs);
    deadRedis.on('error', () => undefined);
    const deps = { ...server().deps, redis: deadRedis };
    const services = createServices(deps, createLogger('silent'));
    const { createApp } = await import('../../api/app');
    const app = createApp(deps, services, createLogger('silent'));
    const res = await app.request(`/products/${p.c}`, { headers: { authorization: `Bearer ${viewer.token}` } });
    expect(res.status).toBe(200);

    // The token check waits on Redis off the request path: the recorder itself returns at once.
    const publisher = createViewPublisher(server().deps.kafka, createLogger('silent'));
    const record = createViewRecorder(services.tokens, publisher);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) record(`Bearer ${viewer.token}`, p.c);
    expect(performance.now() - t0).toBeLessThan(100);
    await publisher.close();
    deadRedis.disconnect();
  }, 60_000);
});
