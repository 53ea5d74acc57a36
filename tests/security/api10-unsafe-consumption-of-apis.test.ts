/**
 * OWASP API10:2023, unsafe consumption of APIs: the payment gateway's webhooks. A valid signature
 * proves who sent an event, not that it is about this money: the intent, the order, the amount
 * and the currency must all match the transaction, or the event is recorded and refused. An
 * event type Pasar does not know is recorded and ignored, never read as a failure.
 */
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart } from '../support/shop';
import { useServer } from '../support/server';
import { postSignedWebhook } from '../support/webhooks';

describe('API10 unsafe consumption: payment webhooks move money only as the gateway did', () => {
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  /** A checkout of 33,000.00 (15,000 × 2 + 3,000... whatever the tariff says) awaiting payment. */
  async function awaitingPayment() {
    const productId = await newProduct(api, admin, 5, '15000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    const orderId = res.body.order_id as string;
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    return { me, orderId, productId, txn };
  }

  const post = (event: unknown) => postSignedWebhook(server(), event);

  const succeeded = (id: string, txn: any, orderId: string, data: Record<string, unknown> = {}) => ({
    id,
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: {
      intent_id: txn.gateway_transaction_id,
      reference: orderId,
      amount: txn.amount,
      currency: 'IDR',
      status: 'succeeded',
      ...data,
    },
  });

  const recorded = (eventId: string) =>
    server().deps.db.webhookEvent.findFirstOrThrow({ where: { event_id: eventId } });

  it('refuses a signed success whose amount is not what the order costs', async () => {
    const { me, orderId, txn } = await awaitingPayment();
    const res = await post(succeeded(`evt_cheap_${orderId}`, txn, orderId, { amount: '1.00' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, outcome: 'refused' });
    expect(await recorded(`evt_cheap_${orderId}`)).toMatchObject({
      outcome: 'refused',
      outcome_reason: 'amount_mismatch',
    });
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('pending');
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
  });

  it('refuses a signed success in another currency', async () => {
    const { me, orderId, txn } = await awaitingPayment();
    const res = await post(succeeded(`evt_usd_${orderId}`, txn, orderId, { currency: 'USD' }));
    expect(res.body.outcome).toBe('refused');
    expect(await recorded(`evt_usd_${orderId}`)).toMatchObject({ outcome_reason: 'currency_mismatch' });
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('pending');
  });

  it("refuses one order's intent presented as another order's payment", async () => {
    const a = await awaitingPayment();
    const b = await awaitingPayment();
    const res = await post(succeeded(`evt_swap_${a.orderId}`, a.txn, b.orderId, { amount: b.txn.amount }));
    expect(res.body.outcome).toBe('refused');
    expect(await recorded(`evt_swap_${a.orderId}`)).toMatchObject({ outcome_reason: 'reference_mismatch' });
    expect((await api.get(`/payments/${a.orderId}`, a.me.token)).body.status).toBe('pending');
    expect((await api.get(`/payments/${b.orderId}`, b.me.token)).body.status).toBe('pending');
  });

  it('refuses an event for an intent Pasar never created', async () => {
    const { orderId, txn } = await awaitingPayment();
    const res = await post(succeeded(`evt_ghost_${orderId}`, { ...txn, gateway_transaction_id: 'pi_ghost' }, orderId));
    expect(res.body.outcome).toBe('refused');
    expect(await recorded(`evt_ghost_${orderId}`)).toMatchObject({ outcome_reason: 'unknown_intent' });
  });

  it('records and ignores an unknown event type; the checkout still gets paid', async () => {
    const { me, orderId, txn, productId } = await awaitingPayment();
    const res = await post({ ...succeeded(`evt_proc_${orderId}`, txn, orderId), type: 'payment_intent.processing' });
    expect(res.body).toMatchObject({ received: true, outcome: 'ignored' });
    expect(await recorded(`evt_proc_${orderId}`)).toMatchObject({ outcome: 'ignored', outcome_reason: 'unknown_type' });
    await new Promise((r) => setTimeout(r, 1500)); // time enough for a wrongly applied event to cancel
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ reserved: 2 });

    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
  });

  it('a lie replayed under an event id already applied changes nothing', async () => {
    const { me, orderId } = await awaitingPayment();
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    const [applied] = await server().deps.db.webhookEvent.findMany({ where: { order_id: orderId } });
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    const lie = { ...succeeded(applied!.event_id, txn, orderId), type: 'refund.succeeded' };
    const res = await post(lie);
    expect(res.body).toMatchObject({ duplicate: true });
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('success');
  });

  it('refuses a refund event for less than was paid', async () => {
    const { me, orderId } = await awaitingPayment();
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    const res = await post({
      ...succeeded(`evt_partial_${orderId}`, txn, orderId, { amount: '1.00' }),
      type: 'refund.succeeded',
    });
    expect(res.body.outcome).toBe('refused');
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('success');
  });

  it('a malformed signed event is a 400 naming the field', async () => {
    const { orderId, txn } = await awaitingPayment();
    const event = succeeded(`evt_nocur_${orderId}`, txn, orderId);
    const { currency: _dropped, ...data } = event.data;
    const res = await post({ ...event, data });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'data.currency' })]),
    );
  });
});
