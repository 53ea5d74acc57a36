/** The shop as the benchmarks drive it over HTTP: admin, products, shoppers with carts, checkout, payment. */
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '../../../contracts/test-cards';
import { DEMO_ADDRESS } from '../../../services/users/demo-address';
import { httpCall, isConnectionDrop, loopbackAddress, type Reply } from '../../lib/http';
import { sleep } from './load';

export interface Shopper {
  id: string;
  token: string;
  address: string;
}

export function createShop(base: string) {
  const call = (method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) =>
    httpCall(base, method, path, { body, token, headers });

  async function must(what: string, reply: Promise<Reply>, ok = [200, 201, 202]) {
    const r = await reply;
    if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  return {
    call,

    async adminToken(email: string, password: string): Promise<string> {
      const body = await must('admin login (is the shop running?)', call('POST', '/auth/login', { email, password }));
      return body.access_token as string;
    },

    async product(admin: string, quantity: number, name = 'Bench: Kopi Luwak 100 g'): Promise<string> {
      const sku = `BENCH-${randomUUID().slice(0, 18)}`;
      const body = await must(
        'create product',
        call('POST', '/products', { sku, name, price: '45000.00', quantity }, admin),
      );
      return body.id as string;
    },

    /** A fresh shopper from a loopback address of its own (the per-address sign-up limit sees a crowd). */
    async shopper(): Promise<Shopper> {
      const email = `bench-${randomUUID()}@example.id`;
      const password = 'bench-password-123';
      const profile = { email, password, first_name: 'Bench', last_name: 'Shopper', phone: '+6281200000001' };
      await must('register', httpCall(base, 'POST', '/auth/register', { body: profile, from: loopbackAddress() }));
      const login = await must(
        'login',
        httpCall(base, 'POST', '/auth/login', { body: { email, password }, from: loopbackAddress() }),
      );
      const token = login.access_token as string;
      const me = await must('profile', call('GET', '/users/me', undefined, token));
      const address = await must('address', call('POST', '/users/me/addresses', DEMO_ADDRESS, token));
      return { id: me.id as string, token, address: address.id as string };
    },

    /**
     * POST /cart/items adds to the quantity, so a dropped call is not sent again blindly: the cart
     * is read (a GET, which the client retries) and the product added only if it is not there yet.
     * The bench's shoppers are fresh, their carts empty. (Only a drop while the shop was still
     * adding, after the read, could add twice; a drop on a kept-alive socket happens before.)
     */
    async addToCart(s: Shopper, productId: string, quantity = 1) {
      const add = () => must('add to cart', call('POST', '/cart/items', { product_id: productId, quantity }, s.token));
      try {
        return await add();
      } catch (err) {
        if (!isConnectionDrop(err)) throw err;
        const cart = await must('cart', call('GET', '/cart', undefined, s.token));
        return cart.items.some((line: { product_id: string }) => line.product_id === productId) ? cart : add();
      }
    },

    /**
     * POST /checkout with one key until the saga answers; the final reply (202 awaiting_payment
     * or a 4xx). The key also lets the client send it again over a dropped connection (lib/http.ts).
     */
    async checkout(s: Shopper): Promise<Reply> {
      const key = randomUUID();
      for (;;) {
        const r = await call('POST', '/checkout', { address_id: s.address }, s.token, { 'idempotency-key': key });
        if (r.status !== 202 || r.body.status === 'awaiting_payment') return r;
      }
    },

    pay: (s: Shopper, orderId: string, card = TEST_CARDS.success) =>
      must('confirm payment', call('POST', '/payments/confirm', { order_id: orderId, card_number: card }, s.token)),

    cancel: (s: Shopper, orderId: string) => call('POST', `/orders/${orderId}/cancel`, {}, s.token),

    /** Polls the order until it leaves `pending`; returns its final status. */
    async settled(s: Shopper, orderId: string, timeoutMs = 120_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const status = (await call('GET', `/orders/${orderId}`, undefined, s.token)).body?.status as string;
        if (status && status !== 'pending') return status;
        await sleep(100);
      }
      throw new Error(`order ${orderId} still pending after ${timeoutMs} ms`);
    },
  };
}

export type Shop = ReturnType<typeof createShop>;

/**
 * A shopper, starting over with a new email if the connection drops mid-way or the shop answers a
 * 5xx (seen on register and login from the bench test's in-process server at load 11); setup is not measured.
 * The client sends GET /users/me again by itself; sign-up, login and the address are plain POSTs,
 * which only a fresh shopper can safely redo.
 */
async function shopperWithRetry(shop: Shop): Promise<Shopper> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await shop.shopper();
    } catch (err) {
      const retry = isConnectionDrop(err) || /ECONNREFUSED|HTTP 5\d\d/.test((err as Error).message);
      if (attempt >= 3 || !retry) throw err;
      await sleep(200 * attempt);
    }
  }
}

/** Creates `n` shoppers, `batch` at a time (registration hashes a password: it is CPU-bound). */
export async function shoppers(shop: Shop, n: number, batch = 20): Promise<Shopper[]> {
  const out: Shopper[] = [];
  for (let i = 0; i < n; i += batch)
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => shopperWithRetry(shop)))));
  return out;
}
