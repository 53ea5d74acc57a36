/**
 * Shared setup of the shipment end-to-end tests: the order.paid starter (real consumer runtime,
 * only this file's shoppers) and a carrier link on a stream cursor of its own feeding the tracking
 * intake, plus a shopper whose address label picks the carrier simulator's scenario.
 *
 * Both start at the current end of what they read, not at the beginning: the starter's group at
 * the end of the orders topic, the link's cursor at the carrier's last seq. The topic holds every
 * order event the suite (and earlier runs) published, and the stack's carrier every event it ever
 * sent; from the beginning, each file first churned through all of them (the link: three queries
 * and maybe a signal per event) before its own first order. Late in a full suite on a slow machine
 * that took longer than the pickup SLA (the first parcel was rebooked with SiCepat) or the test.
 */
import { randomInt } from 'node:crypto';
import type { TypedEvent } from '../../platform/event-catalog';
import { createLogger } from '../../platform/logger';
import { createCarrierLink, type CarrierLink } from '../../services/shipments/carrier-link';
import { createShipmentStarter } from '../../services/shipments/consumer';
import { createShipmentStart, shipmentTimings } from '../../services/shipments/shipment-client';
import { receiveCarrierEvents } from '../../services/shipments/tracking-intake';
import { shipmentWorkflowId } from '../../workflows/shipment-contract';
import { commitTopicEnds, useConsumers } from '../support/consumers';
import { unique } from '../support/deps';
import { signUp, type Client } from '../support/http';
import type { TestServer } from '../support/server';
import { bandung, CARDS, checkoutUntilSettled, newProduct, waitFor } from '../support/shop';

/**
 * Test deadlines: seconds, so every branch ends within a test's time. No e2e test waits out the
 * pickup SLA (the operator's rebook and the shopper's cancel are asked for; the SLA itself is
 * tested in time-skipped tests/unit/workflows/), so it is far past any machine's pace: a slow
 * pickup scan must never rebook a parcel. A 'lost' parcel is one the simulator goes quiet on after
 * pickup; tests that carry on its journey by webhook or cancel it after pickup must act before the
 * loss, so it is 20 s: a busy machine's slow requests, not a lost parcel.
 */
export const testShipments = {
  pickupSlaSeconds: 900,
  stuckAfterSeconds: 3,
  lostAfterSeconds: 20,
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
    const shipmentStart = createShipmentStart(s.deps.temporal.client, {
      taskQueue: s.config.temporal.taskQueue,
      timings: shipmentTimings({ ...s.config, shipments: { ...s.config.shipments, ...testShipments, ...timings } }),
    });
    const starter = createShipmentStarter({ shipmentStart }, logger, {
      accept: (order) => shoppers.has(order.user_id),
    });
    const groupId = unique(`pasar.${starter.name}`);
    await commitTopicEnds(
      s.deps.kafka,
      groupId,
      starter.topics.map((t) => t.name),
    );
    consumers.start(
      {
        ...starter,
        async handle(event, ctx) {
          await starter.handle(event, ctx);
          const order = (event as TypedEvent<'order.paid'>).data;
          if (!shoppers.has(order.user_id)) return;
          const id = shipmentWorkflowId(order.order_id);
          const described = await s.deps.temporal.client.workflow
            .getHandle(id)
            .describe()
            .catch(() => undefined);
          // With `npm start` running, the stack's own shipments consumer sees every order.paid too and
          // may start the shipment first, on its task queue at the production deadlines (days): a test
          // waiting on this file's deadlines then times out, and this says why (CI runs no npm start).
          if (described && described.taskQueue !== s.config.temporal.taskQueue) {
            console.warn(
              `${id} runs on task queue ${described.taskQueue}, not this file's: another shipments consumer ` +
                "(npm start's?) started it first; a test waiting on this file's shipment deadlines cannot hold",
            );
          }
        },
      },
      { groupId },
    );
    const intake = receiveCarrierEvents(s.services);
    const stream = unique('test-carrier-stream');
    const carrier = await fetch(`${s.config.carrier.url}/healthz`);
    if (!carrier.ok) throw new Error(`the carrier simulator at ${s.config.carrier.url} answers ${carrier.status}`);
    const { last_seq } = (await carrier.json()) as { last_seq: number };
    await s.deps.db.carrierStreamCursor.create({ data: { stream, last_acked_seq: BigInt(last_seq) } });
    link = createCarrierLink({
      carrierUrl: s.config.carrier.url,
      apiKey: s.config.carrier.apiKey,
      databaseUrl: s.config.postgres.url,
      batchSink: async (events) => void (await intake(events)),
      logger,
      stream,
      lockKey: randomInt(1_000_000, 2_000_000_000),
    });
    await link.start();
  });
  afterAll(async () => {
    await link?.stop();
  });

  /**
   * A fresh shopper whose address label picks the carrier scenario, with a paid order of `quantity`
   * units; `shopper` changes the profile or the address (a test that looks for them elsewhere).
   */
  async function paidOrder(
    api: Client,
    admin: string,
    scenario: string,
    quantity = 2,
    shopper: { user?: Parameters<typeof signUp>[1]; address?: Partial<typeof bandung> } = {},
  ) {
    const initialStock = 10;
    const productId = await newProduct(api, admin, initialStock);
    const me = await signUp(api, shopper.user);
    shoppers.add(me.id);
    const address = await api.post(
      '/users/me/addresses',
      { ...bandung, ...shopper.address, label: `carrier:${scenario}` },
      me.token,
    );
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
    return { orderId, productId, initialStock, token: me.token, userId: me.id, addressId: address.body.id as string };
  }

  /** Watches this shopper's orders too (one made outside paidOrder). */
  const follow = (userId: string) => void shoppers.add(userId);

  return { paidOrder, follow };
}
