/**
 * OWASP API6:2023, unrestricted access to sensitive business flows: stock hoarding. Every unpaid
 * checkout holds stock until it expires, so one shopper could open checkout after checkout (the
 * same cart under new keys) and empty a flash sale without paying. Pasar caps the unpaid
 * checkouts one shopper may hold, and the units of one product they may hold unpaid.
 */
import { randomUUID } from 'node:crypto';
import { adminToken, client, type Client } from '../support/http';
import { checkout, newProduct, orderStatus, shopperWithCart } from '../support/shop';
import { useServer } from '../support/server';

describe('API6 sensitive business flows: nobody can hoard stock with unpaid checkouts', () => {
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;
  const stock = async (productId: string) => (await api.get(`/products/${productId}/inventory`)).body;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('caps the unpaid checkouts of one shopper; paying or cancelling one frees a slot', async () => {
    const { maxUnpaidOrders } = server().config.checkout;
    const productId = await newProduct(api, admin, 100);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const opened: string[] = [];
    for (let i = 0; i < maxUnpaidOrders; i++) {
      const res = await checkout(api, me.token, me.address_id, randomUUID());
      expect(res.body.status).toBe('awaiting_payment');
      opened.push(res.body.order_id);
    }
    const refused = await checkout(api, me.token, me.address_id, randomUUID());
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'limit_exceeded',
      details: { limit: 'unpaid_checkouts', max: maxUnpaidOrders },
    });
    expect(await stock(productId)).toMatchObject({ reserved: maxUnpaidOrders });

    await api.post(`/orders/${opened[0]}/cancel`, undefined, me.token);
    await orderStatus(api, me.token, opened[0]!, 'cancelled');
    const again = await checkout(api, me.token, me.address_id, randomUUID());
    expect(again.body.status).toBe('awaiting_payment');
  });

  it('caps the units of one product a shopper may hold unpaid, across checkouts', async () => {
    const { maxUnpaidUnitsPerProduct: max } = server().config.checkout;
    const productId = await newProduct(api, admin, max * 3);
    const big = await shopperWithCart(api, [{ product_id: productId, quantity: max + 1 }]);
    const tooMany = await checkout(api, big.token, big.address_id);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.details).toMatchObject({ limit: 'unpaid_units_per_product', product_id: productId });

    const half = Math.ceil((max + 1) / 2);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: half }]);
    expect((await checkout(api, me.token, me.address_id)).body.status).toBe('awaiting_payment');
    const second = await checkout(api, me.token, me.address_id);
    expect(second.status).toBe(409);
    expect(second.body.error.details).toMatchObject({ limit: 'unpaid_units_per_product', max });
    expect(await stock(productId)).toMatchObject({ reserved: half });
  });

  it('holds under concurrency: many checkouts at once never exceed the cap', async () => {
    const { maxUnpaidOrders } = server().config.checkout;
    const productId = await newProduct(api, admin, 100);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const replies = await Promise.all(
      Array.from({ length: maxUnpaidOrders + 4 }, () => checkout(api, me.token, me.address_id, randomUUID())),
    );
    const accepted = replies.filter((r) => r.body.status === 'awaiting_payment');
    expect(accepted).toHaveLength(maxUnpaidOrders);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(4);
    expect(await stock(productId)).toMatchObject({ reserved: maxUnpaidOrders });
  });
});
