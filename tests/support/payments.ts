/** Waiting on a payment's effect on its order, against a stack whose own consumers ship paid orders at once. */
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
