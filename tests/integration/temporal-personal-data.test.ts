/**
 * Workflows carry ids, never personal data: Temporal keeps every history (inputs, activity
 * arguments and results, signals, updates, memo, search attributes, failures) in its own store,
 * outside the services that own a shopper's data, their access rules and their erasure. A
 * shopper with a profile, an address and a bank account of their own goes through the real stack
 * (a checkout paid and shipped to delivery by the carrier simulator, a complaint refunded, a
 * declined checkout, a refund, a reconciliation pass, a ping), then the stored history of every
 * workflow those runs made is read back, every payload decoded, and none may hold the shopper's
 * email, name, phone (in any of its written forms), street, bank account or card number, not even
 * where people wrote them in free text: the complaint's description and the seller's, buyer's and
 * operator's notes on it carry the phone and the bank account, and so do an operator's reasons
 * for rebooking a parcel nobody picked up and then refunding its order. The bank account is also
 * given where it is really needed: for the manual refund of an order paid by virtual account,
 * which the shopper cancels and an operator transfers (the refund step runs in its shipment).
 * Every workflow type the worker registers must have been run here: a new one fails this test
 * by name until it is added to the run.
 */
import { randomInt } from 'node:crypto';
import { WorkflowFailedError, type WorkflowExecutionDescription } from '@temporalio/client';
import * as registered from '../../workflows';
import { complaintWorkflowId } from '../../workflows/complaint-contract';
import { refundWorkflowId } from '../../workflows/refund-contract';
import { shipmentWorkflowId } from '../../workflows/shipment-contract';
import { unique } from '../support/deps';
import { historyText, type HistoryText } from '../support/history-text';
import { adminToken, client, type Client } from '../support/http';
import { atGateway, checkoutWith, orderPaid } from '../support/payments';
import { endLeftoverWorkflows } from '../support/leftover-workflows';
import { useServer } from '../support/server';
import { CARDS, checkoutUntilSettled, orderStatus, waitFor } from '../support/shop';
import { complaintBody, complaintState, LONG, refundsSettled } from './complaint-support';
import { testShipments, useShipmentPipeline } from './shipment-support';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(0, 10)).join('');

/** A shopper no other test has: each value is searched for on its own. */
function distinctiveShopper() {
  const subscriber = `813${digits(8)}`; // an Indonesian mobile number without its trunk prefix
  return {
    user: {
      email: `${unique('ratu.melati')}@example.id`, // not the name: each is looked for on its own
      first_name: 'Gendhis',
      last_name: 'Prawiranegara',
      phone: `+62${subscriber}`,
    },
    subscriber,
    street: `Jl. Kenanga Wangi No. ${randomInt(100, 999)} RT 0${randomInt(1, 9)}`,
    bankAccount: digits(10),
  };
}

describe('personal data stays out of Temporal', () => {
  jest.setTimeout(240_000);
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      // The delivered order's shipment keeps running through its complaint (the window is long).
      shipments: { ...c.shipments, ...testShipments, completionWindowSeconds: 600 },
      complaints: { ...c.complaints, deadlines: LONG },
    }),
  });
  const pipeline = useShipmentPipeline(server, { completionWindowSeconds: 600 });
  const started = endLeftoverWorkflows();
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const temporal = () => server().deps.temporal.client;

  /** Runs every workflow type the worker registers for one shopper; returns the ids they ran under. */
  async function runEveryFlow(shopper: ReturnType<typeof distinctiveShopper>) {
    const ids = new Set<string>();
    // 1. Checkout paid, shipped by the carrier simulator to delivery (the shipment reads the address itself).
    const paid = await pipeline.paidOrder(api, admin, 'normal', 1, {
      user: shopper.user,
      address: { street: shopper.street },
    });
    const db = server().deps.db;
    const paidOrder = await db.order.findUniqueOrThrow({ where: { id: paid.orderId } });
    ids.add(paidOrder.workflow_id!).add(shipmentWorkflowId(paid.orderId));
    started.push(shipmentWorkflowId(paid.orderId));
    await orderStatus(api, paid.token, paid.orderId, 'delivered', 90_000);
    const phone = `0${shopper.subscriber.slice(0, 3)}-${shopper.subscriber.slice(3, 7)}-${shopper.subscriber.slice(7)}`;

    // 1b. A parcel nobody picks up: an operator rebooks it (a signal), then refunds the order (an
    // update that may start the shipment), each with a reason holding the shopper's phone and bank account.
    const stuck = await pipeline.paidOrder(api, admin, 'no_pickup', 1);
    ids.add(shipmentWorkflowId(stuck.orderId));
    started.push(shipmentWorkflowId(stuck.orderId));
    const booking = async (attempt: number) =>
      waitFor(`booking ${attempt} of ${stuck.orderId}`, async () => {
        const res = await api.get(`/shipments/${stuck.orderId}`, stuck.token);
        return res.body?.booking_attempt === attempt && res.body.status === 'booked' ? res.body : undefined;
      });
    await booking(1);
    const rebookReason = `Kurir tidak datang. Pembeli minta dihubungi di ${phone}, rekening ${shopper.bankAccount}.`;
    const rebook = await api.post(`/admin/shipments/${stuck.orderId}/rebook`, { reason: rebookReason }, admin);
    expect(rebook.status).toBe(202);
    await booking(2);
    const refundReason = `Refund ke BCA ${shopper.bankAccount} a.n. pembeli, konfirmasi WA ${shopper.user.phone}.`;
    const refund = await api.post('/refunds', { order_id: stuck.orderId, reason: refundReason }, admin);
    expect(refund.status).toBe(202);
    await orderStatus(api, stuck.token, stuck.orderId, 'refunded', 60_000);
    // The reasons are not lost: the stores that own them keep them (the order, its refund, its shipment).
    expect((await db.order.findUniqueOrThrow({ where: { id: stuck.orderId } })).cancel_reason).toBe(refundReason);
    expect((await db.refund.findMany({ where: { order_id: stuck.orderId } })).map((r) => r.reason)).toEqual([
      refundReason,
    ]);
    const shipment = await db.shipment.findUniqueOrThrow({ where: { order_id: stuck.orderId } });
    expect((await db.shipmentRebook.findMany({ where: { shipment_id: shipment.id } })).map((r) => r.reason)).toEqual([
      rebookReason,
    ]);

    // 1c. The same shopper pays another order by virtual account and cancels it before pickup: a VA
    // goes back by a manual transfer, to the bank account the shopper gives (payments.refund_accounts
    // only), which an operator then marks transferred. Its shipment's refund step records the refund.
    const account = { bank_code: 'bca', account_number: shopper.bankAccount, holder_name: 'Gendhis Prawiranegara' };
    // (The card order's refund went back through the gateway: no account is taken for it.)
    expect((await api.post(`/payments/${stuck.orderId}/refund-account`, account, stuck.token)).status).toBe(409);
    expect((await api.post('/cart/items', { product_id: stuck.productId, quantity: 1 }, stuck.token)).status).toBe(201);
    const byVa = await checkoutWith(api, stuck.token, stuck.addressId, { type: 'bank_transfer', bank: 'bca' });
    expect({ status: byVa.status, step: byVa.body.status }).toEqual({ status: 202, step: 'awaiting_payment' });
    const vaOrderId = byVa.body.order_id as string;
    ids.add(byVa.body.workflow_id as string).add(shipmentWorkflowId(vaOrderId));
    started.push(shipmentWorkflowId(vaOrderId));
    const va = byVa.body.payment.instructions.va_number as string;
    expect((await atGateway(server().config.payments.gatewayUrl, `/_sim/va/${va}/pay`)).status).toBe(200);
    await orderPaid(api, stuck.token, vaOrderId);
    expect((await api.post(`/payments/${vaOrderId}/refund-account`, account, stuck.token)).status).toBe(200);
    await waitFor(`the VA order's parcel booked`, async () => {
      const res = await api.get(`/shipments/${vaOrderId}`, stuck.token);
      return res.body?.status === 'booked' ? res.body : undefined;
    });
    expect((await api.post(`/orders/${vaOrderId}/cancel`, undefined, stuck.token)).status).toBe(202);
    await orderStatus(api, stuck.token, vaOrderId, 'refunded', 60_000);
    const [manual] = await db.refund.findMany({ where: { order_id: vaOrderId } });
    expect(manual).toMatchObject({ channel: 'manual_transfer', status: 'awaiting_transfer' });
    expect((await api.post(`/admin/refunds/${manual!.id}/transferred`, undefined, admin)).status).toBe(200);
    // The account is kept where it belongs, in full, for the operator's transfer.
    expect((await db.refundAccount.findUniqueOrThrow({ where: { order_id: vaOrderId } })).account_number).toBe(
      shopper.bankAccount,
    );

    // 2. A complaint whose text gives the bank account to refund to (as shoppers do); refunded in full by an operator.
    const opened = await api.post(
      `/orders/${paid.orderId}/complaint`,
      {
        ...complaintBody,
        description: `Toples pecah. Mohon refund ke rekening BCA ${shopper.bankAccount} a.n. Gendhis Prawiranegara.`,
      },
      paid.token,
    );
    expect(opened.status).toBe(201);
    ids.add(complaintWorkflowId(opened.body.id));
    started.push(complaintWorkflowId(opened.body.id));
    // Every party writes a note, as people do, with the shopper's phone and bank account in it: the
    // seller offers part of the money, the buyer escalates, an operator refunds in full (updates).
    const actions = [
      [
        'offer',
        {
          amount: '1000.00',
          note: `Sebagian dulu ya kak, nanti kami telepon ke ${phone} untuk konfirmasi ke rekening ${shopper.bankAccount}.`,
        },
      ],
      [
        'escalate',
        {
          action: 'escalate',
          note: `Saya mau refund penuh ke BCA ${shopper.bankAccount}, hubungi WA ${shopper.user.phone}.`,
        },
      ],
      [
        'decide',
        {
          outcome: 'refund',
          note: `Refund penuh. Pembeli minta ke rekening ${shopper.bankAccount}, telp ${shopper.user.phone}.`,
        },
      ],
    ] as const;
    for (const [route, body] of actions) {
      const res =
        route === 'escalate'
          ? await api.post(`/orders/${paid.orderId}/complaint/resolve`, body, paid.token)
          : await api.post(`/admin/complaints/${opened.body.id}/${route}`, body, admin);
      expect({ route, status: res.status, body: res.body }).toMatchObject({ route, status: 200 });
    }
    // The notes are not lost: the order service keeps them, each linked to the state change it came with.
    const detail = await api.get(`/admin/complaints/${opened.body.id}`, admin);
    expect(detail.body.notes).toEqual(
      actions.map(([, body], i) =>
        expect.objectContaining({ author: ['seller', 'buyer', 'operator'][i], text: body.note, step: i + 2 }),
      ),
    );
    await complaintState(api, paid.token, paid.orderId, 'resolved', 60_000);
    await refundsSettled(server(), paid.orderId);

    // 3. A second checkout with a declined card: compensated.
    expect((await api.post('/cart/items', { product_id: paid.productId, quantity: 1 }, paid.token)).status).toBe(201);
    const declined = await checkoutUntilSettled(api, paid.token, paid.addressId);
    expect(declined.body.status).toBe('awaiting_payment');
    const declinedId = declined.body.order_id as string;
    await api.post('/payments/confirm', { order_id: declinedId, card_number: CARDS.declined }, paid.token);
    await orderStatus(api, paid.token, declinedId, 'cancelled');
    ids.add(declined.body.workflow_id as string);

    // 4. The refund workflow, as settlement starts it when money arrives after a checkout was undone.
    // This payment was declined, so the refund fails ("cannot refund a payment that is failed"): its
    // history holds an activity failure and a workflow failure, whose details are scanned too.
    const refundId = await server().services.checkout.startRefund(declinedId, 'payment arrived after cancellation');
    expect(refundId).toBe(refundWorkflowId(declinedId));
    await expect(temporal().workflow.getHandle(refundId).result()).rejects.toThrow(WorkflowFailedError);
    ids.add(refundId);

    // 5. A reconciliation pass and a ping, as the schedule and an operator start them.
    const { taskQueue } = server().config.temporal;
    for (const [type, args] of [
      ['reconcilePaymentsWorkflow', []],
      ['pingWorkflow', ['personal-data-scan']],
    ] as const) {
      const workflowId = unique(`pii-${type}`);
      await temporal().workflow.execute(type, { taskQueue, workflowId, args: [...args] });
      ids.add(workflowId);
    }
    return ids;
  }

  /** Every run of this file's task queue and of the given ids (a shipment may run on npm start's queue). */
  async function runsOf(ids: Set<string>) {
    const runs = new Map<string, WorkflowExecutionDescription>();
    for (const id of ids) {
      const described = await temporal().workflow.getHandle(id).describe();
      runs.set(`${described.workflowId}/${described.runId}`, described);
    }
    const query = `TaskQueue = "${server().config.temporal.taskQueue}"`;
    for await (const wf of temporal().workflow.list({ query })) {
      const described = await temporal().workflow.getHandle(wf.workflowId, wf.runId).describe();
      runs.set(`${wf.workflowId}/${wf.runId}`, described);
    }
    return [...runs.values()];
  }

  it("no history of any workflow type holds the shopper's email, name, phone, street, bank account or card", async () => {
    const shopper = distinctiveShopper();
    const ids = await runEveryFlow(shopper);
    const runs = await runsOf(ids);

    // Every type the worker registers ran here: a new type must be added to runEveryFlow.
    const ran = new Set(runs.map((r) => r.type));
    const types = Object.entries(registered).flatMap(([name, fn]) => (typeof fn === 'function' ? [name] : []));
    expect(types.length).toBeGreaterThan(5);
    expect(types.filter((type) => !ran.has(type))).toEqual([]);

    const phoneForms = [`+62${shopper.subscriber}`, `62${shopper.subscriber}`, `0${shopper.subscriber}`];
    const needles: Record<string, string> = {
      email: shopper.user.email,
      'email local part': shopper.user.email.split('@')[0]!,
      'first name': shopper.user.first_name,
      'last name': shopper.user.last_name,
      ...Object.fromEntries(phoneForms.map((p) => [`phone ${p}`, p])),
      'phone subscriber number': shopper.subscriber,
      street: shopper.street,
      'street name': 'Kenanga Wangi',
      'bank account': shopper.bankAccount,
      'declined card number': CARDS.declined,
      'card number': CARDS.ok,
    };
    const found = new Set<string>();
    const texts: (HistoryText & { run: string })[] = [];
    for (const run of runs) {
      const history = await temporal().workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      for (const t of historyText(history)) texts.push({ ...t, run: `${run.type} ${run.workflowId}` });
    }
    for (const t of texts) {
      const lower = t.text.toLowerCase();
      // Phone numbers are also looked for as written with spaces, dots, dashes or brackets.
      const squeezed = lower.replace(/[\s().-]/g, '');
      for (const [what, needle] of Object.entries(needles)) {
        const n = needle.toLowerCase();
        if (lower.includes(n) || (/^\+?\d+$/.test(n) && squeezed.includes(n)))
          found.add(`${what} in ${t.run} ${t.where}: ${t.text.slice(0, 200)}`);
      }
    }
    expect([...found]).toEqual([]);

    // The scan read what it says it read: payloads of each kind were decoded and hold the ids.
    const payloads = texts.filter((t) => t.payload);
    const kinds = new Set(payloads.map((t) => t.kind));
    for (const kind of [
      'workflowExecutionStartedEventAttributes',
      'activityTaskScheduledEventAttributes',
      'activityTaskCompletedEventAttributes',
      'workflowExecutionSignaledEventAttributes',
      'workflowExecutionUpdateAcceptedEventAttributes',
      'workflowExecutionCompletedEventAttributes',
      'activityTaskFailedEventAttributes',
    ])
      expect({ kind, decoded: kinds.has(kind) }).toEqual({ kind, decoded: true });
    const all = payloads.map((t) => t.text).join('\n');
    const userId = (await server().deps.db.credential.findFirstOrThrow({ where: { email: shopper.user.email } }))
      .user_id;
    expect(all).toContain(userId);
    console.log(
      `personal data scan: ${runs.length} runs of ${ran.size} types, ${texts.length} texts, ${payloads.length} payloads decoded`,
    );
  });
});
