/**
 * The stuck-work report finds what an operator must look at: a checkout still running past its
 * threshold, and a saga whose compensation failed for good (its order left pending).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { adminToken, client, type Client } from '../support/http';
import { checkout, newProduct, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';

describe('stuck-work report', () => {
  const server = useServer({
    worker: true,
    overrideActivities: (real) => ({
      // A checkout for more than 3 units fails at reserving; its undo of the order then fails for good.
      reserveStock: async (orderId, lines) => {
        if (lines.some((l) => l.quantity > 3)) throw ApplicationFailure.nonRetryable('no', 'insufficient_stock');
        return real.reserveStock(orderId, lines);
      },
      cancelOrder: async () => {
        throw ApplicationFailure.nonRetryable('injected: cancelOrder fails for good', 'injected_failure');
      },
    }),
  });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const report = async (olderThan = 0) => {
    const res = await api.get(`/admin/stuck-work?older_than_seconds=${olderThan}`, admin);
    expect(res.status).toBe(200);
    return res.body.data as { kind: string; ref: string; detail: Record<string, unknown> }[];
  };

  it('lists a checkout running past the threshold, with its order number and step', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    const item = await waitFor('the checkout in the report', async () =>
      (await report()).find((i) => i.ref === res.body.workflow_id),
    );
    expect(item).toMatchObject({
      kind: 'checkout_running_too_long',
      detail: { order_number: res.body.order_number, step: 'awaiting_payment' },
    });
    // With the default thresholds a fresh checkout is not stuck.
    const defaults = (await api.get('/admin/stuck-work', admin)).body.data as { ref: string }[];
    expect(defaults.map((i) => i.ref)).not.toContain(res.body.workflow_id);
  });

  it('lists a saga whose compensation failed, and the order it left pending', async () => {
    const productId = await newProduct(api, admin, 10);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 4 }]);
    const res = await checkout(api, me.token, me.address_id);
    const handle = server().deps.temporal.client.workflow.getHandle(res.body.workflow_id);
    await expect(handle.result()).rejects.toThrow();
    const items = await waitFor('the failed saga in the report', async () => {
      const all = await report();
      return all.some((i) => i.kind === 'saga_failed' && i.ref === res.body.workflow_id) ? all : undefined;
    });
    expect(items).toContainEqual(expect.objectContaining({ kind: 'order_pending_too_long', ref: res.body.order_id }));
  });

  it('is for operators only', async () => {
    const me = await shopperWithCart(api, []);
    expect((await api.get('/admin/stuck-work', me.token)).status).toBe(403);
    expect((await api.get('/admin/stuck-work')).status).toBe(401);
    expect((await api.get('/admin/stuck-work?older_than_seconds=-1', admin)).status).toBe(400);
  });
});
