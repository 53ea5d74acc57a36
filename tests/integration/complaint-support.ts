/**
 * Helpers of the complaint end-to-end tests: a server with complaint deadlines of the test's
 * choosing and a gateway of its own (so the partial-refund simulator code is the one running),
 * and a paid order moved to `delivered`.
 */
import type { ComplaintDeadlines } from '../../workflows/complaint-contract';
import { unique } from '../support/deps';
import type { GatewayProcess } from '../support/gateway-process';
import type { Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer, type TestServer } from '../support/server';

export const LONG: ComplaintDeadlines = {
  sellerAnswerSeconds: 600,
  returnShipSeconds: 600,
  inspectionSeconds: 600,
  offerResponseSeconds: 600,
  escalationSeconds: 600,
};

export function complaintServer(gateway: () => GatewayProcess, deadlines: Partial<ComplaintDeadlines> = {}) {
  return useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: {
        ...c.payments,
        gatewayUrl: gateway().url,
        gatewayName: unique('sim')
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, ''),
      },
      complaints: { ...c.complaints, deadlines: { ...LONG, ...deadlines } },
    }),
  });
}

/**
 * A shopper's paid order of `quantity` units, then delivered. Until a carrier journey is worth its
 * seconds here, delivery is written straight to the order (what the shipment workflow does last).
 */
export async function deliveredOrder(server: TestServer, api: Client, admin: string, quantity = 2) {
  const productId = await newProduct(api, admin, 10, '50000.00');
  const me = await shopperWithCart(api, [{ product_id: productId, quantity }]);
  const res = await checkout(api, me.token, me.address_id);
  if (res.body.status !== 'awaiting_payment') throw new Error(`checkout: ${JSON.stringify(res.body)}`);
  const orderId = res.body.order_id as string;
  await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
  const paid = await orderStatus(api, me.token, orderId, 'paid');
  await server.deps.db.order.update({ where: { id: orderId }, data: { status: 'delivered' } });
  const stock = async () => (await api.get(`/products/${productId}/inventory`)).body as { quantity: number };
  return { me, orderId, productId, total: paid.total_amount as string, stock };
}

export const complaintBody = {
  reason: 'damaged',
  description: 'The jar arrived cracked and the coffee spilled.',
  evidence_urls: ['https://photos.example.id/cracked-jar.jpg'],
};

/** Waits until the buyer sees the complaint in `state`. */
export const complaintState = (api: Client, token: string, orderId: string, state: string, timeoutMs = 30_000) =>
  waitFor(
    `complaint on ${orderId} to be ${state}`,
    async () => {
      const res = await api.get(`/orders/${orderId}/complaint`, token);
      return res.body?.state === state ? res.body : undefined;
    },
    timeoutMs,
  );

/** Waits until every refund of the order is confirmed by the gateway's webhook. */
export const refundsSettled = (server: TestServer, orderId: string) =>
  waitFor(`refunds of ${orderId} confirmed`, async () => {
    const rows = await server.deps.db.refund.findMany({ where: { order_id: orderId } });
    return rows.length > 0 && rows.every((r) => r.status !== 'refunding') ? rows : undefined;
  });
