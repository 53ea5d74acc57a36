/**
 * Shared setup of the shipment end-to-end tests: the order.paid starter (real consumer runtime,
 * only this file's shoppers) and a carrier link on a stream cursor of its own feeding the tracking
 * intake, plus a shopper whose address label picks the carrier simulator's scenario.
 */
import { randomInt } from 'node:crypto';
import { createLogger } from '../../platform/logger';
import { createCarrierLink, type CarrierLink } from '../../services/transport/carrier-link';
import { createShipmentStarter, shipmentTimings } from '../../services/transport/shipment-starter';
import { receiveCarrierEvent } from '../../services/transport/tracking-intake';
import { useConsumers } from '../support/consumers';
import { unique } from '../support/deps';
import { signUp, type Client } from '../support/http';
import type { TestServer } from '../support/server';
import { bandung, CARDS, checkoutUntilSettled, newProduct, waitFor } from '../support/shop';

/** Test deadlines: seconds, so every branch ends within a test's time. */
export const testShipments = {
  pickupSlaSeconds: 20,
  stuckAfterSeconds: 3,
  lostAfterSeconds: 7,
  completionWindowSeconds: 1,
  carrierStepMs: 150,
  delivery: 'websocket' as const,
  testScenarios: true,
};

/** `timings`: the file's own deadlines for the shipments the starter begins, over testShipments. */
export function useShipmentPipeline(server: () => TestServer, timings: Partial<typeof testShipments> = {}) {
  const shoppers = new Set<string>();
  const consumers = useConsumers(() => server().deps.kafka);
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let link: CarrierLink | undefined;

  beforeAll(async () => {
    const s = server();
    consumers.start(
      createShipmentStarter(s.deps, logger, {
        taskQueue: s.config.temporal.taskQueue,
        timings: shipmentTimings({ ...s.config, shipments: { ...s.config.shipments, ...testShipments, ...timings } }),
        accept: (order) => shoppers.has(order.user_id),
      }),
    );
    const intake = receiveCarrierEvent(s.services);
    link = createCarrierLink({
      carrierUrl: s.config.carrier.url,
      apiKey: s.config.carrier.apiKey,
      databaseUrl: s.config.postgres.url,
      sink: async (event) => void (await intake(event)),
      logger,
      stream: unique('test-carrier-stream'),
      lockKey: randomInt(1_000_000, 2_000_000_000),
    });
    await link.start();
  });
  afterAll(async () => {
    await link?.stop();
  });

  /** A fresh shopper whose address label picks the carrier scenario, with a paid order of `quantity` units. */
  async function paidOrder(api: Client, admin: string, scenario: string, quantity = 2) {
    const initialStock = 10;
    const productId = await newProduct(api, admin, initialStock);
    const me = await signUp(api);
    shoppers.add(me.id);
    const address = await api.post('/users/me/addresses', { ...bandung, label: `carrier:${scenario}` }, me.token);
    expect(address.status).toBe(201);
    expect((await api.post('/cart/items', { product_id: productId, quantity }, me.token)).status).toBe(201);
    const res = await checkoutUntilSettled(api, me.token, address.body.id);
    const orderId = res.body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    // Paid or already further along: the shipment can move a paid order on within a second.
    await waitFor(`order ${orderId} paid`, async () => {
      const status = (await api.get(`/orders/${orderId}`, me.token)).body?.status as string | undefined;
      return status !== undefined && !['pending', 'awaiting_payment'].includes(status);
    });
    return { orderId, productId, initialStock, token: me.token };
  }

  return { paidOrder };
}
