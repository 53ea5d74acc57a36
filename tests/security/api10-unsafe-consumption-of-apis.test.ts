/**
 * OWASP API10:2023, unsafe consumption of APIs: the payment gateway's webhooks. A valid signature
 * proves who sent an event, not that it is about this money: the intent, the order, the amount
 * and the currency must all match the transaction, or the event is recorded and refused. An
 * event type Pasar does not know is recorded and ignored, never read as a failure. Carrier events
 * likewise: signed or pushed, an event whose airway bill, reference and carrier do not name one
 * parcel is recorded as refused with its reason and never applied.
 */
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';
import { postSignedWebhook } from '../support/webhooks';
import { signCarrierWebhook } from '../../contracts/webhook-signature/carrier';
import type { CarrierEvent } from '../../contracts/carrier';
import { receiveCarrierEvents } from '../../services/shipments/tracking-intake';
import { testShipments, useShipmentPipeline } from '../integration/shipment-support';

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
