/**
 * Complaints end to end against the real stack (API, worker, Postgres, Temporal, a gateway
 * simulator of the test's own): the seller who never answers, a return, an escalation, a partial
 * refund, a withdrawal, another shopper's order, a second complaint, and refunds racing past what
 * was paid. Money is checked at the gateway and in the payment store, stock in the catalog.
 */
import { randomUUID } from 'node:crypto';
import { createTemporal } from '../../platform/clients/temporal';
import { getConfig } from '../../platform/config';
import { AppError } from '../../platform/errors';
import { useGatewayProcess } from '../support/gateway-process';
import { adminToken, client, signUp, type Client } from '../support/http';
import { orderStatus } from '../support/shop';
import { complaintBody, complaintServer, complaintState, deliveredOrder, refundsSettled } from './complaint-support';

const gateway = useGatewayProcess({ ledger: false });
const startedAt = new Date();

async function gatewayIntent(intentId: string) {
  const res = await fetch(`${gateway().url}/v1/intents/${intentId}`, {
    headers: {
      authorization: `Bearer ${process.env.PAYMENT_GATEWAY_API_KEY ?? 'sk_test_pasar_local_development_only'}`,
    },
  });
  return (await res.json()) as { status: string; amount: string; amount_refunded?: string };
}

describe('complaints: the seller never answers', () => {
  const server = complaintServer(gateway, { sellerAnswerSeconds: 2 });
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('refunds the buyer in full when the seller deadline passes; the order ends refunded', async () => {
    const { me, orderId, total, stock } = await deliveredOrder(server(), api, admin);
    const opened = await api.post(`/orders/${orderId}/complaint`, complaintBody, me.token);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ state: 'awaiting_seller', reason: 'damaged', refunded_amount: '0.00' });

    const resolved = await complaintState(api, me.token, orderId, 'resolved');
    expect(resolved).toMatchObject({ outcome: 'refunded', refunded_amount: total });
    await orderStatus(api, me.token, orderId, 'refunded');
    const [refund] = await refundsSettled(server(), orderId);
    expect(refund!.amount.toFixed(2)).toBe(total);
    expect(refund!.status).toBe('refunded');
    const payment = (await api.get(`/payments/${orderId}`, me.token)).body;
    expect(payment.status).toBe('refunded');
    expect(await gatewayIntent(payment.gateway_transaction_id)).toMatchObject({
      status: 'refunded',
      amount_refunded: total,
    });
    // No goods came back: the stock stays sold.
    expect((await stock()).quantity).toBe(8);
    // The order detail shows its complaint.
    expect((await api.get(`/orders/${orderId}`, me.token)).body.complaint).toMatchObject({ outcome: 'refunded' });
  });
});

describe('complaints: the seller and the platform answer', () => {
  const server = complaintServer(gateway);
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  // Cases these tests leave open would wait out their deadlines on a task queue nobody serves.
  // Collected while the server runs; terminated with a client of this file's own, which outlives it.
  let leftOpen: string[] = [];
  afterEach(async () => {
    const open = await server().deps.db.complaint.findMany({
      where: { status: { notIn: ['resolved', 'withdrawn', 'closed'] }, created_at: { gte: startedAt } },
    });
    leftOpen = [...new Set([...leftOpen, ...open.map((c) => c.workflow_id!)])];
  });
  afterAll(async () => {
    const config = getConfig();
    const temporal = createTemporal(config.temporal.address, config.temporal.namespace);
    await Promise.all(
      leftOpen.map((id) =>
        temporal.client.workflow
          .getHandle(id)
          .terminate('test finished')
          .catch(() => undefined),
      ),
    );
    await temporal.connection.close();
  });

  async function opened(quantity = 2) {
    const order = await deliveredOrder(server(), api, admin, quantity);
    const res = await api.post(`/orders/${order.orderId}/complaint`, complaintBody, order.me.token);
    expect(res.status).toBe(201);
    return { ...order, complaintId: res.body.id as string };
  }

  it('a return received and inspected: refunded in full and restocked exactly once', async () => {
    const { me, orderId, complaintId, total, stock } = await opened();
    expect((await stock()).quantity).toBe(8);
    const answer = (body: object) => api.post(`/admin/complaints/${complaintId}/answer`, body, admin);
    expect((await answer({ answer: 'accept_return' })).body.state).toBe('awaiting_return');
    const shipped = await api.post(
      `/orders/${orderId}/complaint/resolve`,
      { action: 'return_shipped', tracking_number: 'RET-0001' },
      me.token,
    );
    expect(shipped.body.state).toBe('return_in_transit');
    expect((await answer({ answer: 'return_received' })).body.state).toBe('inspecting');
    await answer({ answer: 'inspection_passed' });
    const done = await complaintState(api, me.token, orderId, 'resolved');
    expect(done).toMatchObject({ outcome: 'refunded', refunded_amount: total, return_tracking_number: 'RET-0001' });
    await refundsSettled(server(), orderId);
    expect((await stock()).quantity).toBe(10);
    await orderStatus(api, me.token, orderId, 'refunded');
  });

  it('a rejection escalated and decided for the buyer by an operator; their notes kept by the order service', async () => {
    const { me, orderId, complaintId, total } = await opened(1);
    const rejected = await api.post(
      `/admin/complaints/${complaintId}/answer`,
      { answer: 'reject', note: 'Segel masih utuh saat dikirim.' },
      admin,
    );
    expect(rejected.body.state).toBe('escalated');
    // An action the case refuses leaves no note behind: it never happened.
    const refused = await api.post(
      `/orders/${orderId}/complaint/resolve`,
      { action: 'escalate', note: 'sudah eskalasi' },
      me.token,
    );
    expect(refused.status).toBe(409);
    // The operator's queue: escalated cases, soonest deadline first.
    const queue = await api.get('/admin/complaints?state=escalated&page_size=100', admin);
    expect(queue.body.data.map((c: { id: string }) => c.id)).toContain(complaintId);
    const decided = await api.post(
      `/admin/complaints/${complaintId}/decide`,
      { outcome: 'refund', note: 'Foto menunjukkan kerusakan.' },
      admin,
    );
    expect(decided.status).toBe(200);
    expect(await complaintState(api, me.token, orderId, 'resolved')).toMatchObject({
      outcome: 'refunded',
      refunded_amount: total,
    });
    await refundsSettled(server(), orderId);
    // Each note linked to the state change its action led to (the case was handed its id only).
    const detail = await api.get(`/admin/complaints/${complaintId}`, admin);
    expect(detail.body.notes).toEqual([
      expect.objectContaining({ author: 'seller', action: 'reject', text: 'Segel masih utuh saat dikirim.', step: 2 }),
      expect.objectContaining({ author: 'operator', action: 'decide', text: 'Foto menunjukkan kerusakan.', step: 3 }),
    ]);
  });

  it('a partial refund offered and accepted: that amount back, the order stays delivered', async () => {
    const { me, orderId, complaintId } = await opened();
    const offer = await api.post(`/admin/complaints/${complaintId}/offer`, { amount: '25000.00' }, admin);
    expect(offer.body).toMatchObject({ state: 'offer_pending', offer_amount: '25000.00' });
    expect((await api.get(`/orders/${orderId}/complaint`, me.token)).body.offer_amount).toBe('25000.00');
    await api.post(`/orders/${orderId}/complaint/resolve`, { action: 'accept_offer' }, me.token);
    expect(await complaintState(api, me.token, orderId, 'resolved')).toMatchObject({
      outcome: 'partially_refunded',
      refunded_amount: '25000.00',
    });
    const [refund] = await refundsSettled(server(), orderId);
    expect(refund!.status).toBe('refunded');
    const payment = (await api.get(`/payments/${orderId}`, me.token)).body;
    expect(payment.status).toBe('success');
    expect(await gatewayIntent(payment.gateway_transaction_id)).toMatchObject({
      status: 'succeeded',
      amount_refunded: '25000.00',
    });
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('delivered');
  });

  it('the buyer withdraws: no money moves', async () => {
    const { me, orderId } = await opened(1);
    const res = await api.post(`/orders/${orderId}/complaint/resolve`, { action: 'withdraw' }, me.token);
    expect(res.status).toBe(200);
    expect(await complaintState(api, me.token, orderId, 'withdrawn')).toMatchObject({ outcome: 'withdrawn' });
    expect(await server().deps.db.refund.count({ where: { order_id: orderId } })).toBe(0);
    // Withdrawn is final: nothing more is taken.
    const late = await api.post(`/orders/${orderId}/complaint/resolve`, { action: 'escalate' }, me.token);
    expect(late.status).toBe(409);
  });

  it("another shopper's order is a 404 on every complaint route", async () => {
    const { orderId } = await opened(1);
    const stranger = await signUp(api);
    expect((await api.post(`/orders/${orderId}/complaint`, complaintBody, stranger.token)).status).toBe(404);
    expect((await api.get(`/orders/${orderId}/complaint`, stranger.token)).status).toBe(404);
    expect(
      (await api.patch(`/orders/${orderId}/complaint`, { description: 'not my order at all' }, stranger.token)).status,
    ).toBe(404);
    expect(
      (await api.post(`/orders/${orderId}/complaint/resolve`, { action: 'withdraw' }, stranger.token)).status,
    ).toBe(404);
    expect((await api.post(`/orders/${randomUUID()}/complaint`, complaintBody, stranger.token)).status).toBe(404);
  });

  it('a second complaint on the same order is refused, even two at once', async () => {
    const { me, orderId } = await deliveredOrder(server(), api, admin, 1);
    const both = await Promise.all([
      api.post(`/orders/${orderId}/complaint`, complaintBody, me.token),
      api.post(`/orders/${orderId}/complaint`, complaintBody, me.token),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const again = await api.post(`/orders/${orderId}/complaint`, complaintBody, me.token);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toMatchObject({ reason: 'complaint_exists' });
  });

  it('PATCH edits and adds evidence only while the seller has not answered', async () => {
    const { me, orderId, complaintId } = await opened(1);
    const edited = await api.patch(
      `/orders/${orderId}/complaint`,
      { description: 'Cracked jar, and the lid is missing too.', evidence_urls: ['https://photos.example.id/lid.jpg'] },
      me.token,
    );
    expect(edited.status).toBe(200);
    expect(edited.body.evidence_urls).toEqual([
      'https://photos.example.id/cracked-jar.jpg',
      'https://photos.example.id/lid.jpg',
    ]);
    await api.post(`/admin/complaints/${complaintId}/offer`, { amount: '10000.00' }, admin);
    await complaintState(api, me.token, orderId, 'offer_pending');
    const late = await api.patch(`/orders/${orderId}/complaint`, { description: 'Changing my story now.' }, me.token);
    expect(late.status).toBe(409);
  });

  it('bad input is a 400 naming the field; an order not delivered is a 409', async () => {
    const { me, orderId, complaintId, total } = await opened(1);
    const bad = async (path: string, body: unknown, token: string, field: string) => {
      const res = await api.post(path, body, token);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain(field);
    };
    await bad(`/orders/${orderId}/complaint/resolve`, { action: 'counter_offer', amount: '-5' }, me.token, 'amount');
    await bad(`/orders/${orderId}/complaint/resolve`, { action: 'counter_offer', amount: 'lots' }, me.token, 'amount');
    await bad(`/admin/complaints/${complaintId}/offer`, { amount: 1000 }, admin, 'amount');
    await bad(`/admin/complaints/${complaintId}/offer`, { amount: '1e9' }, admin, 'amount');
    // At or past what was paid is no partial refund (the case judges it against the order's total).
    await bad(`/admin/complaints/${complaintId}/offer`, { amount: total }, admin, 'amount');
    await bad(`/admin/complaints/${complaintId}/offer`, { amount: '9999999999.00' }, admin, 'amount');
    await bad(`/admin/complaints/${complaintId}/decide`, { outcome: 'partial_refund' }, admin, 'amount');
    // A time before year 1 (UTC) is valid ISO 8601 but out of Postgres's range: it was a 500 (npm run probe).
    for (const time of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00']) {
      const res = await api.get(`/admin/complaints?deadline_before=${encodeURIComponent(time)}`, admin);
      expect({ time, status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({
        time,
        status: 400,
        field: 'deadline_before',
      });
    }
    expect((await api.get('/admin/complaints?deadline_before=0001-01-01T00:00:00Z', admin)).status).toBe(200);

    const other = await deliveredOrder(server(), api, admin, 1);
    await bad(`/orders/${other.orderId}/complaint`, { ...complaintBody, reason: 'bored' }, other.me.token, 'reason');
    await bad(
      `/orders/${other.orderId}/complaint`,
      { ...complaintBody, description: 'bad' },
      other.me.token,
      'description',
    );
    await bad(
      `/orders/${other.orderId}/complaint`,
      { ...complaintBody, evidence_urls: ['javascript:alert(1)'] },
      other.me.token,
      'evidence_urls',
    );
    // Delivered longer ago than the complaint window (2 days by default): too late.
    await server().deps.db
      .$executeRaw`UPDATE orders.orders SET updated_at = now() - interval '3 days' WHERE id = ${other.orderId}::uuid`;
    const late = await api.post(`/orders/${other.orderId}/complaint`, complaintBody, other.me.token);
    expect(late.status).toBe(409);
    expect(late.body.error.details).toMatchObject({ reason: 'complaint_window_passed' });
    await server().deps.db.order.update({ where: { id: other.orderId }, data: { status: 'paid' } });
    const notDelivered = await api.post(`/orders/${other.orderId}/complaint`, complaintBody, other.me.token);
    expect(notDelivered.status).toBe(409);
    expect(notDelivered.body.error.details).toMatchObject({ reason: 'order_not_delivered' });
  });

  it('no refund ever exceeds what was paid, even with two resolutions racing', async () => {
    const { orderId, complaintId, total } = await opened(2);
    // Two actions at once on the case: exactly one is taken.
    const raced = await Promise.all([
      api.post(`/admin/complaints/${complaintId}/answer`, { answer: 'accept_refund' }, admin),
      api.post(`/admin/complaints/${complaintId}/decide`, { outcome: 'refund' }, admin),
      api.post(`/admin/complaints/${complaintId}/offer`, { amount: '1000.00' }, admin),
    ]);
    expect(raced.filter((r) => r.status === 200)).toHaveLength(1);
    expect(raced.filter((r) => r.status === 409).length).toBe(2);
    // Any of the three may win; only the two refunding ones move money (the offer waits for the buyer).
    if (raced[2]!.status === 200) {
      expect(raced[2]!.body.state).toBe('offer_pending');
      expect(await server().deps.db.refund.count({ where: { order_id: orderId } })).toBe(0);
    } else {
      expect((await refundsSettled(server(), orderId)).map((r) => r.amount.toFixed(2))).toEqual([total]);
    }

    // And at the payment store itself: two full refunds racing under different keys, then two
    // partial ones that only fit one at a time, on a fresh order.
    const fresh = await opened(2);
    const refunds = server().services.payments.refunds;
    const racing = await Promise.allSettled([
      refunds.refund(fresh.orderId, fresh.total, 'race a', `race-a-${fresh.orderId}`),
      refunds.refund(fresh.orderId, fresh.total, 'race b', `race-b-${fresh.orderId}`),
    ]);
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = racing.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect((refused.reason as AppError).details).toMatchObject({ reason: 'refund_exceeds_paid' });

    const third = await opened(2); // total 100000 + shipping: 60% twice cannot fit
    const sixty = (Number(third.total) * 0.6).toFixed(2);
    const partials = await Promise.allSettled([
      refunds.refund(third.orderId, sixty, 'p1', `p1-${third.orderId}`),
      refunds.refund(third.orderId, sixty, 'p2', `p2-${third.orderId}`),
    ]);
    expect(partials.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // A retry of the one that went through is the same refund, not a second.
    const winner = partials.findIndex((r) => r.status === 'fulfilled');
    const again = await refunds.refund(third.orderId, sixty, 'retry', `p${winner + 1}-${third.orderId}`);
    expect(again.refunded_total).toBe(sixty);

    for (const o of [orderId, fresh.orderId, third.orderId]) {
      const txn = await server().deps.db.transaction.findUniqueOrThrow({ where: { order_id: o } });
      expect(txn.refunded_total.lte(txn.amount)).toBe(true);
      const intent = await gatewayIntent(txn.gateway_transaction_id!);
      expect(Number(intent.amount_refunded ?? 0)).toBeLessThanOrEqual(Number(intent.amount));
      expect(Number(intent.amount_refunded ?? 0)).toBe(Number(txn.refunded_total));
    }
    void total;
  });
});
