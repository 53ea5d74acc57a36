/**
 * Cart pricing drops a line only when the catalog says the product is gone. A read that fails
 * (here: the catalog's Postgres unreachable, a real connection error) fails the pricing, so the
 * checkout step retries instead of silently ordering fewer items.
 */
import { createPrisma } from '../../platform/clients/prisma';
import { createLogger } from '../../platform/logger';
import { createProductStore } from '../../services/catalog/products';
import { catalogKeys } from '../../services/catalog/keys';
import { createCartStore } from '../../services/orders/cart';
import { adminToken, client, type Client } from '../support/http';
import { newProduct, shopperWithCart } from '../support/shop';
import { useServer } from '../support/server';

describe('cart pricing', () => {
  const server = useServer();
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('fails, rather than dropping the line, when the catalog cannot be read', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const { deps } = server();
    await deps.redis.del(catalogKeys.product(productId)); // no cached copy to fall back on

    const unreachable = createPrisma('postgresql://pasar:pasar@127.0.0.1:1/pasar', 1000);
    try {
      const cart = createCartStore(deps.redis, createProductStore(unreachable, deps.redis, createLogger('silent')));
      await expect(cart.priced(me.id)).rejects.toThrow();
    } finally {
      await unreachable.$disconnect();
    }
    // With the catalog reachable the same cart prices its line.
    expect((await server().services.cart.priced(me.id)).items).toMatchObject([{ product_id: productId, quantity: 2 }]);
  });

  it('drops a line whose product no longer exists', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const { deps } = server();
    const ghost = '00000000-0000-4000-8000-000000000001';
    await deps.redis.hset(`cart:${me.id}`, ghost, JSON.stringify({ quantity: 1, added_at: new Date().toISOString() }));
    const priced = await server().services.cart.priced(me.id);
    expect(priced.items.map((i) => i.product_id)).toEqual([productId]);
  });
});
