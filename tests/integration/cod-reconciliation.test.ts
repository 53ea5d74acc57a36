/**
 * Reconciliation of cash on delivery's remittances (issue 21, item 3), against the real stack: COD
 * orders go through the real pipeline (checkout, order.confirmed, the worker's booking with the
 * stack's carrier simulator, the carrier link's scans), the simulator remits each parcel's cash at
 * its collection, and services/payments/cod-remittances.ts checks what it remitted against what was
 * collected: a parcel remitted in full makes no issue, a short one a `cod_remittance_mismatch` for
 * an operator, and a collection never remitted past the grace a `cod_not_remitted`.
 *
 * The short remittance is asked of the simulator (`POST /v1/test/cod/short-remit`) as soon as the
 * booking's airway bill is known, so it must land before the delivered scan: this file's parcels
 * step STEP_MS apart, the delivered scan seven steps after booking (over 10 s away, against one
 * poll of the shipment and one local call). The simulator's 409 already_remitted would say if the
 * delivery ever came first.
 */
import { createLogger } from '../../platform/logger';
import { createCodReconciler } from '../../services/payments/cod-remittances';
import { adminToken, client, signUp, type Client } from '../support/http';
import { checkoutWith } from '../support/payments';
import { useServer } from '../support/server';
import { bandung, newProduct, waitFor } from '../support/shop';
import { testShipments, useShipmentPipeline } from './shipment-support';

/** Scans this far apart (ms): the simulator's step_ms of every booking this file's worker makes. */
const STEP_MS = 1500;

describe('COD remittances reconciled against what the couriers collected', () => {
  jest.setTimeout(150_000);
  const server = useServer({
    worker: true,
    // carrierStepMs is the booking's step_ms (services/index.ts shipmentSettings), so it is the
    // server's setting, not one of useShipmentPipeline's workflow deadlines.
    configure: (c) => ({ ...c, shipments: { ...c.shipments, ...testShipments, carrierStepMs: STEP_MS } }),
  });
  const pipeline = useShipmentPipeline(server);
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  const db = () => server().deps.db;
  const txnOf = (orderId: string) => db().transaction.findUniqueOrThrow({ where: { order_id: orderId } });

  async function codOrder(scenario: string, productId: string) {
    const me = await signUp(api);
    pipeline.follow(me.id);
    const address = await api.post('/users/me/addresses', { ...bandung, label: `carrier:${scenario}` }, me.token);
    expect(address.status).toBe(201);
    expect((await api.post('/cart/items', { product_id: productId, quantity: 2 }, me.token)).status).toBe(201);
    const res = await checkoutWith(api, me.token, address.body.id, { type: 'cod' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'confirmed', payment: { method: 'cod' } });
    const orderId = res.body.order_id as string;
    const awb = await waitFor(`order ${orderId}'s parcel booked`, async () => {
      const s = await api.get(`/shipments/${orderId}`, me.token);
      return s.status === 200 && s.body.awb ? (s.body.awb as string) : undefined;
    });
    return { orderId, awb, total: res.body.amount.total_amount as string };
  }

  const collected = (orderId: string) =>
    waitFor(`order ${orderId}'s cash collected`, async () => {
      const txn = await txnOf(orderId);
      return txn.status === 'success' ? txn : undefined;
    });

  const carrierCall = (path: string, body: unknown) =>
    fetch(`${server().config.carrier.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server().config.carrier.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  const issuesOf = (awb: string) =>
    db().reconciliationIssue.findMany({ where: { gateway: 'cod', intent_id: awb }, orderBy: { kind: 'asc' } });

  it('a parcel remitted in full is quiet, a short one is an issue an operator sees, and a second pass changes nothing', async () => {
    const productId = await newProduct(api, admin, 20, '60000.00');
    const [full, short] = await Promise.all([codOrder('normal', productId), codOrder('normal', productId)]);
    const shortAmount = '100000.00';
    expect(short.total).not.toBe(shortAmount);
    const asked = await carrierCall('/v1/test/cod/short-remit', { awb: short.awb, amount: shortAmount });
    expect(asked).toEqual({ status: 200, body: { awb: short.awb, collects: short.total, remits: shortAmount } });

    // The courier collects the whole total at the door either way; only the remittance falls short.
    for (const parcel of [full, short]) {
      const txn = await collected(parcel.orderId);
      expect(txn.gateway_transaction_id).toBe(parcel.awb);
      expect(txn.amount.toFixed(2)).toBe(parcel.total);
    }

    const first = await server().services.codReconciler.run();
    const mine = (s: typeof first) => s.issues.filter((i) => i.awb === full.awb || i.awb === short.awb);
    expect(mine(first)).toEqual([{ kind: 'cod_remittance_mismatch', awb: short.awb, order_id: short.orderId }]);

    const items = await db().codRemittanceItem.findMany({
      where: { awb: { in: [full.awb, short.awb] } },
      orderBy: { awb: 'asc' },
    });
    expect(items.map((i) => ({ awb: i.awb, order_id: i.order_id, amount: i.amount.toFixed(2) })).sort(byAwb)).toEqual(
      [
        { awb: full.awb, order_id: full.orderId, amount: full.total },
        { awb: short.awb, order_id: short.orderId, amount: shortAmount },
      ].sort(byAwb),
    );
    expect(await issuesOf(full.awb)).toEqual([]);
    const [issue, ...more] = await issuesOf(short.awb);
    expect(more).toEqual([]);
    expect(issue).toMatchObject({
      kind: 'cod_remittance_mismatch',
      order_id: short.orderId,
      resolved_at: null,
      details: {
        collected: short.total,
        remitted: shortAmount,
        carrier: items.find((i) => i.awb === short.awb)!.carrier,
      },
    });

    // Listed for an operator, with the amounts that do not add up.
    const listed = await api.get('/admin/payments/reconciliation-issues?limit=500', admin);
    expect(listed.status).toBe(200);
    const seen = (listed.body.data as { intent_id: string }[]).filter(
      (i) => i.intent_id === short.awb || i.intent_id === full.awb,
    );
    expect(seen).toEqual([
      expect.objectContaining({
        kind: 'cod_remittance_mismatch',
        intent_id: short.awb,
        order_id: short.orderId,
        details: expect.objectContaining({ collected: short.total, remitted: shortAmount }),
      }),
    ]);

    // A second pass reads the same remittances again: one item per airway bill, one issue, same facts.
    const second = await server().services.codReconciler.run();
    expect(mine(second)).toEqual(mine(first));
    expect(await db().codRemittanceItem.count({ where: { awb: { in: [full.awb, short.awb] } } })).toBe(2);
    expect(await issuesOf(full.awb)).toEqual([]);
    const again = await issuesOf(short.awb);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: issue!.id, first_seen_at: issue!.first_seen_at, details: issue!.details });

    // An operator's pass on demand is the scheduled pass, the couriers' half included.
    const onDemand = await api.post('/admin/payments/reconcile', undefined, admin);
    expect(onDemand.status).toBe(200);
    expect(mine(onDemand.body.cod)).toEqual(mine(first));
    expect(await issuesOf(short.awb)).toHaveLength(1);
  });

  it('cash collected and never remitted is an issue once the grace is over, and not before', async () => {
    const productId = await newProduct(api, admin, 20, '60000.00');
    // The simulator remits every parcel it delivers at the delivered scan, so a collection it never
    // remits is made here: a parcel booked for real that the courier never picks up ('no_pickup'),
    // recorded as collected under its airway bill through the very call the delivered scan makes
    // (activities/shipment.ts). What is faked is the door, not the books.
    const [lost, remitted] = await Promise.all([codOrder('no_pickup', productId), codOrder('normal', productId)]);
    await server().services.payments.cod.recordCollection(lost.orderId, lost.total, lost.awb);
    const lostTxn = await collected(lost.orderId);
    expect(lostTxn.gateway_transaction_id).toBe(lost.awb);
    await collected(remitted.orderId);

    // What earlier passes said of the other parcel, written here directly: never remitted (the
    // simulator remits at the collection, so no real pass could find that), and unknown (a pass that
    // read the remittance before the intake recorded the collection, keeping the item without its
    // order). The remittance, when a pass reads it with the payment collected, settles both.
    const earlier = await Promise.all(
      ['cod_not_remitted', 'cod_remittance_unknown'].map((kind) =>
        db().reconciliationIssue.create({
          data: { kind, gateway: 'cod', intent_id: remitted.awb, order_id: null, details: {} },
        }),
      ),
    );

    // Under the default grace (days), a collection of seconds ago is nobody's worry yet.
    await server().services.codReconciler.run();
    expect(await issuesOf(lost.awb)).toEqual([]);
    expect(await db().codRemittanceItem.count({ where: { awb: lost.awb } })).toBe(0);
    expect(await db().codRemittanceItem.count({ where: { awb: remitted.awb } })).toBe(1);
    for (const e of earlier) {
      const settled = await db().reconciliationIssue.findUniqueOrThrow({ where: { id: e.id } });
      expect({ kind: settled.kind, resolved: settled.resolved_at instanceof Date }).toEqual({
        kind: e.kind,
        resolved: true,
      });
    }
    await db().codRemittanceItem.update({ where: { awb: remitted.awb }, data: { order_id: null } });
    await server().services.codReconciler.run();
    expect(await db().codRemittanceItem.findUnique({ where: { awb: remitted.awb } })).toMatchObject({
      order_id: remitted.orderId,
    });

    // With no grace at all, a pass just after the collection: the remitted parcel stays quiet.
    const impatient = createCodReconciler({ db: db(), carrier: server().services.carrier }, createLogger('silent'), {
      lookbackSeconds: server().config.payments.reconcile.lookbackSeconds,
      remittanceGraceSeconds: 0,
    });
    const now = new Date(lostTxn.updated_at.getTime() + 1000);
    const summary = await impatient.run(now);
    expect(summary.issues.filter((i) => i.awb === lost.awb || i.awb === remitted.awb)).toEqual([
      { kind: 'cod_not_remitted', awb: lost.awb, order_id: lost.orderId },
    ]);
    expect(await issuesOf(lost.awb)).toEqual([
      expect.objectContaining({ kind: 'cod_not_remitted', order_id: lost.orderId, details: { collected: lost.total } }),
    ]);
    expect((await issuesOf(remitted.awb)).filter((i) => i.resolved_at === null)).toEqual([]);

    // The same pass again: still one issue for the parcel.
    await impatient.run(now);
    expect(await issuesOf(lost.awb)).toHaveLength(1);

    // The shop's own settings (a grace of days, a lookback shorter than it), a pass just after the
    // grace ends: the collection is found too, and still as one issue.
    const { remittanceGraceSeconds } = server().config.payments.cod;
    const later = await server().services.codReconciler.run(
      new Date(lostTxn.updated_at.getTime() + (remittanceGraceSeconds + 1) * 1000),
    );
    expect(later.issues.filter((i) => i.awb === lost.awb || i.awb === remitted.awb)).toEqual([
      { kind: 'cod_not_remitted', awb: lost.awb, order_id: lost.orderId },
    ]);
    expect(await issuesOf(lost.awb)).toHaveLength(1);
  });
});

const byAwb = (a: { awb: string }, b: { awb: string }) => a.awb.localeCompare(b.awb);
