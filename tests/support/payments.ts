/** Waiting on a payment's effect on its order, against a stack whose own consumers ship paid orders at once. */
import { randomUUID } from 'node:crypto';
import type { Client } from './http';
import { waitFor } from './shop';

/** Statuses an order reaches only after being paid (npm start's consumers may ship it within a poll). */
const PAID_OR_LATER = new Set(['paid', 'processing', 'shipped', 'delivered', 'completed']);

export const orderPaid = (api: Client, token: string, orderId: string, timeoutMs?: number) =>
  waitFor(
    `order ${orderId} to be paid`,
    async () => {
      const res = await api.get(`/orders/${orderId}`, token);
      return PAID_OR_LATER.has(res.body?.status) ? res.body : undefined;
    },
    timeoutMs,
  );

/** POST /checkout paying with `paymentMethod` (the body's payment_method; omitted when undefined). */
export const checkoutWith = (api: Client, token: string, addressId: string, paymentMethod?: unknown) =>
  api.raw('POST', '/checkout', {
    token,
    body: {
      address_id: addressId,
      shipping_service: 'regular',
      ...(paymentMethod === undefined ? {} : { payment_method: paymentMethod }),
    },
    headers: { 'idempotency-key': randomUUID() },
  });

/** A buyer acting at the gateway simulator: pay a VA or a QRIS, approve or refuse an e-wallet payment. */
export const atGateway = (gatewayUrl: string, path: string) =>
  fetch(`${gatewayUrl}${path}`, { method: 'POST' }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));
