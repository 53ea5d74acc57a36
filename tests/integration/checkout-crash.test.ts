/**
 * The worker process dies (SIGKILL) after stock is reserved and before the payment; the shopper
 * pays while no worker runs. A new worker picks the saga up where it stopped: one reservation,
 * one charge, one paid order.
 */
import type { ChildProcess } from 'node:child_process';
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';
import { kill, startWorkerProcess } from '../support/worker-process';

describe('a worker crash mid-checkout', () => {
  const server = useServer({ worker: false });
  let api: Client;
  let worker: ChildProcess | undefined;
  const workerEnv = () => ({
    TEMPORAL_TASK_QUEUE: server().config.temporal.taskQueue,
    PAYMENT_WEBHOOK_URL: `${server().base}/payments/webhook`,
  });

  beforeAll(async () => {
    api = client(server().base);
  });
  afterAll(async () => {
    if (worker) await kill(worker, 'SIGTERM');
  });

  it('finishes the saga after a restart with one reservation and one charge', async () => {
    const admin = await adminToken(server());
    const productId = await newProduct(api, admin, 4);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 3 }]);

    worker = await startWorkerProcess(workerEnv());
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    const { db } = server().deps;
    expect(await db.reservation.count({ where: { order_id: res.body.order_id } })).toBe(1);

    await kill(worker); // SIGKILL: no shutdown, no drain
    worker = undefined;
    const confirm = await api.post(
      '/payments/confirm',
      { order_id: res.body.order_id, card_number: CARDS.ok },
      me.token,
    );
    expect(confirm.status).toBe(202);
    // The webhook lands while no worker runs: the signal waits in Temporal.
    await waitFor(
      'the webhook',
      async () => (await db.webhookEvent.count({ where: { order_id: res.body.order_id } })) === 1,
    );
    expect((await api.get(`/orders/${res.body.order_id}`, me.token)).body.status).toBe('pending');

    worker = await startWorkerProcess(workerEnv());
    await orderStatus(api, me.token, res.body.order_id, 'paid', 60_000);
    const reservations = await db.reservation.findMany({ where: { order_id: res.body.order_id } });
    expect(reservations.map((r) => [r.quantity, r.status])).toEqual([[3, 'deducted']]);
    const txns = await db.transaction.findMany({ where: { order_id: res.body.order_id } });
    expect(txns.map((t) => t.status)).toEqual(['success']);
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ quantity: 1, reserved: 0 });
  });
});
