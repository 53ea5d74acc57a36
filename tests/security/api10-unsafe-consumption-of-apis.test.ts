/**
 * OWASP API10:2023, unsafe consumption of APIs: the payment gateway's notifications (Midtrans
 * model). The signature_key proves who sent a notification, but it covers only order_id,
 * status_code and gross_amount: the status must agree with its status_code and with the gateway's
 * status API before Pasar believes it. Then the transaction, the order, the amount and the
 * currency must all match, or the notification is recorded and refused. Amounts are decimal
 * strings, compared exactly. A status Pasar does not know is recorded and ignored. Carrier events
 * likewise: signed or pushed, an event whose airway bill, reference and carrier do not name one
 * parcel is recorded as refused with its reason and never applied.
 */
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';
import { notificationOf, postNotification, postRawNotification, postSignedWebhook } from '../support/webhooks';
import { useGatewayProcess } from '../support/gateway-process';
import { orderPaid } from '../support/payments';
import { signNotification } from '../../contracts/payment-notification';
import { signCarrierWebhook } from '../../contracts/webhook-signature/carrier';
import type { CarrierEvent } from '../../contracts/carrier';
import { receiveCarrierEvents } from '../../services/shipments/tracking-intake';
import { testShipments, useShipmentPipeline } from '../integration/shipment-support';

describe('API10 unsafe consumption: payment notifications move money only as the gateway did', () => {
  // A gateway of this file's own: the status API it answers is what a notification is checked against.
  const gateway = useGatewayProcess({ ledger: false });
  // Its own gateway name too, so reconciling here reads only this file's transactions.
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: { ...c.payments, gatewayUrl: gateway().url, gatewayName: `api10-${Date.now().toString(36)}` },
    }),
  });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  /** A checkout of two 15,000.00 units (plus shipping) awaiting payment. */
  async function awaitingPayment() {
    const productId = await newProduct(api, admin, 5, '15000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    const orderId = res.body.order_id as string;
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    return { me, orderId, productId, txn };
  }

  /** The gateway takes the card but its notifications are lost: only the test's own notifications arrive. */
  async function capturedSilently() {
    const paid = await awaitingPayment();
    await behave(paid.txn.gateway_transaction_id, { drop: true });
    expect(
      (await api.post('/payments/confirm', { order_id: paid.orderId, card_number: CARDS.ok }, paid.me.token)).status,
    ).toBe(202);
    return paid;
  }

  const behave = (intentId: string, behaviour: object) =>
    fetch(`${gateway().url}/_sim/intents/${intentId}/behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(behaviour),
    });
  const post = (report: Parameters<typeof postNotification>[1], key?: string) =>
    postNotification(server(), report, key);
  const recorded = (eventId: string) => server().deps.db.webhookEvent.findFirst({ where: { event_id: eventId } });
  const paymentOf = async (orderId: string, token: string) => (await api.get(`/payments/${orderId}`, token)).body;

  it('refuses a notification signed with another server key (401, nothing recorded)', async () => {
    const { me, orderId, txn } = await awaitingPayment();
    const res = await post(notificationOf(txn, 'settlement'), 'SB-Mid-server-not-the-real-key');
    expect(res.status).toBe(401);
    expect(await recorded(`${txn.gateway_transaction_id}:settlement`)).toBeNull();
    expect((await paymentOf(orderId, me.token)).status).toBe('pending');
  });

  it('refuses a signed notification whose amount was altered in transit', async () => {
    const { me, orderId, txn } = await capturedSilently();
    const signed = signNotification(notificationOf(txn, 'capture'), server().config.payments.serverKey);
    const res = await postRawNotification(server(), { ...signed, gross_amount: '1.00' });
    expect(res.status).toBe(401);
    expect((await paymentOf(orderId, me.token)).status).toBe('processing');
  });

  it('refuses a pending notice whose status was changed to settlement (the signature does not cover the status)', async () => {
    const { me, orderId, txn } = await awaitingPayment();
    const signed = signNotification(notificationOf(txn, 'pending'), server().config.payments.serverKey);
    expect(signed.status_code).toBe('201');
    const res = await postRawNotification(server(), { ...signed, transaction_status: 'settlement' });
    expect(res.status).toBe(401);
    expect(res.body.error.details).toMatchObject({ reason: 'status_code_mismatch' });
    expect((await paymentOf(orderId, me.token)).status).toBe('pending');
  });

  it("refuses a success the gateway's status API does not confirm, even correctly signed", async () => {
    const { me, orderId, txn } = await awaitingPayment();
    const res = await post(notificationOf(txn, 'settlement'));
    expect(res.status).toBe(401);
    expect(res.body.error.details).toMatchObject({ reason: 'not_confirmed_by_gateway' });
    expect((await paymentOf(orderId, me.token)).status).toBe('pending');
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
  });

  it('refuses a paid capture re-sent as a refund (same status_code 200): money is not given back on a word', async () => {
    const { me, orderId, txn } = await awaitingPayment();
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderPaid(api, me.token, orderId);
    const signed = signNotification(notificationOf(txn, 'capture'), server().config.payments.serverKey);
    const res = await postRawNotification(server(), { ...signed, transaction_status: 'refund' });
    expect(res.status).toBe(401);
    expect((await paymentOf(orderId, me.token)).status).toBe('success');
  });

  it("refuses one order's transaction presented as another order's payment", async () => {
    const a = await awaitingPayment();
    const b = await awaitingPayment();
    const res = await post(notificationOf({ ...a.txn, order_id: b.orderId, amount: b.txn.amount }, 'settlement'));
    expect(res.status).toBe(401);
    expect((await paymentOf(a.orderId, a.me.token)).status).toBe('pending');
    expect((await paymentOf(b.orderId, b.me.token)).status).toBe('pending');
  });

  it('records and refuses a confirmed capture that names another amount; the true one then pays the order', async () => {
    const { me, orderId, txn, productId } = await capturedSilently();
    const cheap = await post(notificationOf(txn, 'capture', { gross_amount: '1.00' }));
    expect(cheap.status).toBe(200);
    expect(cheap.body).toMatchObject({ received: true, outcome: 'refused' });
    expect(await recorded(`${txn.gateway_transaction_id}:capture`)).toMatchObject({
      outcome: 'refused',
      outcome_reason: 'amount_mismatch',
    });
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ reserved: 2 });
    // The refusal is recorded under the capture's id: the true capture comes back through reconciliation.
    const reconciled = await api.post('/admin/payments/reconcile', {}, admin);
    expect(reconciled.status).toBe(200);
    await orderPaid(api, me.token, orderId);
  });

  it('amounts are decimal strings read exactly: "33000.00" and "33000" are one amount, a float or a third decimal is a 400', async () => {
    const { me, orderId, txn } = await capturedSilently();
    expect(txn.amount).toMatch(/^\d+\.00$/);
    for (const bad of ['3.3e4', `${txn.amount}1`, '-1.00', '0x10']) {
      const res = await post(notificationOf(txn, 'capture', { gross_amount: bad }));
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'gross_amount' })]),
      );
    }
    const whole = txn.amount.replace(/\.00$/, '');
    const res = await post(notificationOf(txn, 'capture', { gross_amount: whole }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'applied', duplicate: false });
    await orderPaid(api, me.token, orderId);
  });

  it('records and ignores a status Pasar does not know; the checkout still gets paid', async () => {
    const { me, orderId, txn, productId } = await awaitingPayment();
    const res = await post(notificationOf(txn, 'pending', { transaction_status: 'authorize', status_code: '200' }));
    expect(res.body).toMatchObject({ received: true, outcome: 'ignored' });
    expect(await recorded(`${txn.gateway_transaction_id}:authorize`)).toMatchObject({
      outcome: 'ignored',
      outcome_reason: 'unknown_type',
    });
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ reserved: 2 });

    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderPaid(api, me.token, orderId);
  });

  it('a notification re-sent after it was applied is a duplicate and changes nothing', async () => {
    const { me, orderId, txn } = await awaitingPayment();
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderPaid(api, me.token, orderId);
    await waitFor('the capture recorded', () =>
      recorded(`${txn.gateway_transaction_id}:capture`).then((r) => r ?? undefined),
    );
    const res = await post(notificationOf(txn, 'capture'));
    expect(res.body).toMatchObject({ duplicate: true });
    expect((await paymentOf(orderId, me.token)).status).toBe('success');
  });

  it('a malformed signed notification is a 400 naming the field', async () => {
    const { txn } = await awaitingPayment();
    const { order_id: _dropped, ...rest } = signNotification(
      notificationOf(txn, 'settlement'),
      server().config.payments.serverKey,
    );
    const res = await postRawNotification(server(), rest);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'order_id' })]));
  });

  it('the retired HMAC-header scheme still verifies its own signature during its window', async () => {
    const { me, orderId, txn } = await awaitingPayment();
    const event = {
      id: `evt_forged_${orderId}`,
      type: 'payment_intent.succeeded',
      data: {
        intent_id: txn.gateway_transaction_id,
        reference: orderId,
        amount: txn.amount,
        currency: 'IDR',
        status: 'succeeded',
      },
    };
    expect((await postSignedWebhook(server(), event, 'whsec_not_the_real_secret')).status).toBe(401);
    expect((await paymentOf(orderId, me.token)).status).toBe('pending');
  });
});

describe('API10 unsafe consumption: carrier webhooks are believed only when signed, fresh and well-formed', () => {
  const server = useServer();
  const event = (overrides: Record<string, unknown> = {}) => ({
    event_id: `JNE9${Date.now().toString().slice(-9)}-1`,
    seq: 0,
    awb: `JNE9${Date.now().toString().slice(-9)}`,
    reference: `not-ours-${Math.random().toString(36).slice(2)}`,
    carrier: 'jne',
    status: 'delivered',
    position: 7,
    occurred_at: new Date().toISOString(),
    ...overrides,
  });
  /** Posts `sent` with headers signed over `signed` (the same body unless a test lies). */
  async function post(sent: string, headers: Record<string, string>) {
    const res = await fetch(`${server().base}/shipments/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: sent,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  }
  const secret = () => server().config.carrier.webhookSecret;
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['no signature at all', () => ({})],
    ['another secret', () => signCarrierWebhook('carrier_whsec_an_attacker_guess', JSON.stringify(event()))],
    ['a delivery captured six minutes ago', () => signCarrierWebhook(secret(), JSON.stringify(event()), now() - 360)],
    ['a timestamp ten minutes ahead', () => signCarrierWebhook(secret(), JSON.stringify(event()), now() + 600)],
    ['a malformed signature', () => ({ 'x-carrier-timestamp': String(now()), 'x-carrier-signature': 'sha256=zz' })],
  ])('refuses %s with a 401', async (_name, headers) => {
    const res = await post(JSON.stringify(event()), headers() as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('refuses a body changed after it was signed (a captured signature on a forged delivered)', async () => {
    const genuine = JSON.stringify(event({ status: 'out_for_delivery', position: 6 }));
    const forged = JSON.stringify({ ...JSON.parse(genuine), status: 'delivered', position: 7 });
    expect((await post(forged, signCarrierWebhook(secret(), genuine))).status).toBe(401);
  });

  it.each([
    ['position', { position: '7' }],
    ['position', { position: 1e12 }],
    ['seq', { seq: -1 }],
    ['status', { status: 'teleported' }],
    ['carrier', { carrier: 'pos' }],
    ['occurred_at', { occurred_at: 'yesterday' }],
    // Cash collected is claimed only by a delivered scan, as an exact amount: never read as money otherwise.
    ['cod_collected', { status: 'out_for_delivery', position: 6, cod_collected: { amount: '125000.00' } }],
    ['cod_collected.amount', { cod_collected: { amount: 125000 } }],
    ['cod_collected.amount', { cod_collected: { amount: '-125000.00' } }],
  ])('a signed event with a bad %s is a 400 naming the field', async (field, overrides) => {
    const raw = JSON.stringify(event(overrides));
    const res = await post(raw, signCarrierWebhook(secret(), raw));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it("an event naming a complaint's parcel: unsigned a 401; signed for no case, acked (never a 5xx), 10 times alike", async () => {
    const raw = JSON.stringify(event({ reference: `return-${crypto.randomUUID()}` }));
    expect((await post(raw, {})).status).toBe(401);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(raw, signCarrierWebhook(secret(), raw))));
    for (const a of answers) expect(a).toEqual({ status: 200, body: { received: true, outcome: 'shipment_closed' } });
  });

  it('a signed event for a parcel we never booked is dropped with a 200, the same each of 30 repeats', async () => {
    const raw = JSON.stringify(event());
    const answers = await Promise.all(Array.from({ length: 30 }, () => post(raw, signCarrierWebhook(secret(), raw))));
    for (const a of answers) expect(a).toEqual({ status: 200, body: { received: true, outcome: 'unknown_shipment' } });
  });
});

describe('API10 unsafe consumption: a carrier event must name one parcel, or it is refused and never applied', () => {
  // Real parcels: paid orders booked with the stack's carrier ('no_pickup': order_received, then nothing).
  jest.setTimeout(150_000);
  const server = useServer({
    worker: true,
    configure: (c) => ({ ...c, shipments: { ...c.shipments, ...testShipments } }),
  });
  const pipeline = useShipmentPipeline(server);
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  /** A booked parcel that will not move unless told. */
  async function bookedParcel() {
    const { orderId } = await pipeline.paidOrder(api, admin, 'no_pickup');
    const s = await waitFor(`the booking of ${orderId}`, async () => {
      const row = await server().deps.db.shipment.findUnique({ where: { order_id: orderId } });
      return row?.tracking_number && row.reference && row.carrier ? row : undefined;
    });
    return {
      id: s.id,
      awb: s.tracking_number!,
      reference: s.reference!,
      carrier: s.carrier as CarrierEvent['carrier'],
    };
  }
  type Parcel = Awaited<ReturnType<typeof bookedParcel>>;

  const event = (p: Parcel, tag: string, over: Partial<CarrierEvent> = {}): CarrierEvent => ({
    event_id: `${p.awb}-${tag}-${Date.now()}`,
    seq: 0,
    awb: p.awb,
    reference: p.reference,
    carrier: p.carrier,
    status: 'delivered',
    position: 7,
    occurred_at: new Date().toISOString(),
    ...over,
  });

  async function webhook(e: CarrierEvent) {
    const raw = JSON.stringify(e);
    const res = await fetch(`${server().base}/shipments/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signCarrierWebhook(server().config.carrier.webhookSecret, raw),
      },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  /** What the carrier link's process hands each parcel's pushed events to (workers/carrier-link.ts). */
  const linkSink = () => receiveCarrierEvents(server().services);

  const refusal = (eventId: string) => server().deps.db.carrierEventRefusal.findFirst({ where: { event_id: eventId } });

  /**
   * The parcel has not moved past its pickup: a true picked_up scan, sent after the lie, is
   * recorded and is the furthest the parcel went (a lie applied first would hold it at delivered).
   */
  async function onlyPickedUp(p: Parcel, lies: string[]) {
    const scan = event(p, 'pickup', { status: 'picked_up', position: 3 });
    expect(await webhook(scan)).toEqual({ status: 200, body: { received: true, outcome: 'delivered' } });
    const db = server().deps.db;
    await waitFor(`the pickup scan of ${p.awb} recorded`, () =>
      db.trackingEvent.findFirst({ where: { event_id: scan.event_id } }).then((r) => r ?? undefined),
    );
    const s = await db.shipment.findUniqueOrThrow({ where: { id: p.id } });
    expect({ status: s.status, last_position: s.last_position }).toEqual({ status: 'picked_up', last_position: 3 });
    expect(await db.trackingEvent.count({ where: { event_id: { in: lies } } })).toBe(0);
  }

  it("a signed webhook and a pushed event whose airway bill is one parcel's and reference another's: refused, recorded, neither parcel moved", async () => {
    const [a, b] = await Promise.all([bookedParcel(), bookedParcel()]);
    const byWebhook = event(a, 'swap', { reference: b.reference });
    expect(await webhook(byWebhook)).toEqual({ status: 200, body: { received: true, outcome: 'refused' } });
    const pushed = event(b, 'swap', { reference: a.reference, carrier: a.carrier });
    expect(await linkSink()([pushed])).toEqual(['refused']);

    expect(await refusal(byWebhook.event_id)).toMatchObject({
      reason: 'awb_reference_mismatch',
      source: 'webhook',
      awb: a.awb,
      reference: b.reference,
      shipment_ids: expect.arrayContaining([a.id, b.id]),
    });
    expect(await refusal(pushed.event_id)).toMatchObject({ reason: 'awb_reference_mismatch', source: 'link' });
    // A carrier's retry of a refused event is refused again and recorded once.
    expect((await webhook(byWebhook)).body.outcome).toBe('refused');
    expect(await server().deps.db.carrierEventRefusal.count({ where: { event_id: byWebhook.event_id } })).toBe(1);

    await onlyPickedUp(a, [byWebhook.event_id, pushed.event_id]);
    await onlyPickedUp(b, [byWebhook.event_id, pushed.event_id]);
  });

  it('an event naming the parcel by airway bill and reference but another carrier: refused, by either path', async () => {
    const p = await bookedParcel();
    const other = (['jne', 'jnt', 'sicepat'] as const).find((c) => c !== p.carrier)!;
    const byWebhook = event(p, 'carrier', { carrier: other });
    expect((await webhook(byWebhook)).body.outcome).toBe('refused');
    const pushed = event(p, 'carrier-push', { carrier: other });
    expect(await linkSink()([pushed])).toEqual(['refused']);
    expect(await refusal(byWebhook.event_id)).toMatchObject({ reason: 'carrier_mismatch', shipment_ids: [p.id] });
    expect(await refusal(pushed.event_id)).toMatchObject({ reason: 'carrier_mismatch', source: 'link' });
    await onlyPickedUp(p, [byWebhook.event_id, pushed.event_id]);
  });

  it('a consistent pushed event is still applied', async () => {
    const p = await bookedParcel();
    const scan = event(p, 'pushed-pickup', { status: 'picked_up', position: 3 });
    expect(await linkSink()([scan])).toEqual(['delivered']);
    await waitFor(
      `${p.awb} picked up`,
      async () => (await server().deps.db.shipment.findUniqueOrThrow({ where: { id: p.id } })).status === 'picked_up',
    );
    expect(await refusal(scan.event_id)).toBeNull();
  });
});
