/** Shop-level helpers for end-to-end tests: products, a shopper with an address and a cart, checkout, payment. */
import { randomUUID } from 'node:crypto';
import { DEMO_ADDRESS } from '../../services/users/demo-address';
import { unique } from './deps';
import { signUp, type Client } from './http';

export const CARDS = { ok: '4242424242424242', declined: '4000000000000002', silent: '4000000000000259' };

export async function newProduct(api: Client, admin: string, quantity: number, price = '50000.00') {
  const res = await api.post(
    '/products',
    { sku: unique('SKU').slice(0, 50), name: 'Kopi Toraja Sapan 250 g', price, quantity, weight_grams: 300 },
    admin,
  );
  if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export const bandung = DEMO_ADDRESS;

export async function shopperWithCart(api: Client, items: { product_id: string; quantity: number }[]) {
  const me = await signUp(api);
  const address = await api.post('/users/me/addresses', bandung, me.token);
  for (const item of items) {
    const res = await api.post('/cart/items', item, me.token);
    if (res.status !== 201) throw new Error(`cart: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { ...me, address_id: address.body.id as string };
}

export const checkout = (api: Client, token: string, addressId: string, key = randomUUID()) =>
  api.raw('POST', '/checkout', {
    token,
    body: { address_id: addressId, shipping_service: 'regular' },
    headers: { 'idempotency-key': key },
  });

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const orderStatus = (api: Client, token: string, orderId: string, status: string, timeoutMs?: number) =>
  waitFor(
    `order ${orderId} to be ${status}`,
    async () => {
      const res = await api.get(`/orders/${orderId}`, token);
      return res.body?.status === status ? res.body : undefined;
    },
    timeoutMs,
  );

/** What a well-behaved client does: retry with the same key until the saga has an answer. */
export async function checkoutUntilSettled(api: Client, token: string, addressId: string) {
  const key = randomUUID();
  for (let attempt = 0; attempt < 10; attempt++) {
    const res = await checkout(api, token, addressId, key);
    if (res.status !== 202 || res.body.status === 'awaiting_payment') return res;
  }
  throw new Error('checkout never settled');
}
