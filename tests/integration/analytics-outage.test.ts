/**
 * ClickHouse down, without touching the shared ClickHouse: a second API and a consumer are
 * pointed at a port where nothing listens (then at a tiny proxy to the real ClickHouse that the
 * test opens later). The dashboard answers 503 naming ClickHouse, checkout still works, and the
 * consumer waits with the event in Kafka (nothing dead-lettered) and writes it once ClickHouse is
 * reachable.
 */
import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { createClickHouse } from '../../platform/clients/clickhouse';
import { getConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { createAnalyticsConsumer } from '../../services/analytics/consumer';
import { createAnalyticsEventWriter } from '../../services/analytics/event-writer';
import { useAnalyticsDatabase } from '../support/analytics';
import { produce, testTopic, useConsumers } from '../support/consumers';
import { useDeps } from '../support/deps';
import { adminToken, client } from '../support/http';
import { CARDS, checkoutUntilSettled, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';

/** A port nothing listens on (the kernel gave it to us, then we let it go). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Opens `port` and forwards every connection to the real ClickHouse: "ClickHouse is back". */
async function proxyTo(port: number, target: URL): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

describe('analytics with ClickHouse down', () => {
  let closedPort = 0;
  beforeAll(async () => {
    closedPort = await freePort();
  });
  const database = useAnalyticsDatabase();
  const server = useServer({
    worker: true,
    configure: (c) => ({ ...c, clickhouse: { ...c.clickhouse, url: `http://127.0.0.1:${closedPort}`, database } }),
  });
  const deps = useDeps();
  const consumers = useConsumers(() => deps().kafka);
  let proxy: Server | undefined;
  afterAll(async () => {
    await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  });

  it('answers the dashboard 503 naming ClickHouse while checkout goes on', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    for (const path of ['/analytics/dashboard', '/analytics/orders']) {
      const res = await api.get(path, admin);
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'dependency_unavailable', details: { dependency: 'clickhouse' } });
    }
    const product = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: product, quantity: 1 }]);
    const res = await checkoutUntilSettled(api, me.token, me.address_id);
    expect(res.status).toBe(202);
    await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, res.body.order_id, 'paid');
  });

  it('keeps events waiting in Kafka, dead-letters none, and writes them once ClickHouse is back', async () => {
    const { clickhouse: real } = getConfig();
    const downClient = createClickHouse(`http://127.0.0.1:${closedPort}`, database, 2000);
    const topic = await testTopic(deps().kafka);
    const analyticsEvents = createAnalyticsEventWriter(downClient);
    const spec = { ...createAnalyticsConsumer({ analyticsEvents }, createLogger('silent')), topics: [topic] };
    const running = consumers.start(spec);
    const userId = randomUUID();
    const id = randomUUID();
    const registered = {
      id,
      type: 'user.registered',
      aggregate_id: userId,
      aggregate_version: 1,
      occurred_at: new Date().toISOString(),
      version: 1 as const,
      data: { user_id: userId, email: 'down@example.id', first_name: 'A', last_name: 'B', phone: '+62811' },
    };
    await produce(deps().kafka, topic.name, [{ key: userId, value: registered }]);
    await new Promise((r) => setTimeout(r, 4000));
    expect(running.stats()).toEqual({ handled: 0, skipped: 0, deadLettered: 0 });

    proxy = await proxyTo(closedPort, new URL(real.url));
    await waitFor('the event to land once ClickHouse is back', async () => running.stats().handled === 1, 45_000);
    const check = createClickHouse(real.url, database, 5000);
    const rs = await check.query({
      query: `SELECT count() AS n FROM events WHERE id = '${id}'`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: '1' }]);
    expect(running.stats().deadLettered).toBe(0);
    await Promise.all([check.close(), downClient.close()]);
  }, 90_000);
});
