/**
 * The complaint workflow alone, with mocked activities, on Temporal's time-skipping test server:
 * every path and every deadline of the case, at the production deadlines (days, skipped while the
 * test waits for the result; tests/unit/workflows/complaint-deadlines.test.ts checks each one's
 * exact length).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ComplaintActivities } from '../../../activities/complaints';
import type { RefundActivities } from '../../../activities/refunds';
import { loadConfig } from '../../../platform/config';
import { complaintWorkflow } from '../../../workflows/complaint';
import {
  complaintActionUpdate,
  complaintParcelReference,
  complaintParcelSignal,
  complaintStateQuery,
  type ComplaintAction,
  type ComplaintDeadlines,
  type ComplaintInput,
  type ComplaintStateName,
} from '../../../workflows/complaint-contract';
import { COMPLAINT_DEADLINE, COMPLAINT_STATE } from '../../../workflows/search-attributes';
import { eventually, quiescent, useTimeSkippingWorker } from '../../support/time-skipping';

interface Case {
  calls: string[];
  refunds: string[];
  states: string[];
  /** Each state recorded, with the note id it was handed (if any). */
  notes: string[];
}
const cases = new Map<string, Case>();
/** Cases whose replacement finds no stock. */
const outOfStock = new Set<string>();
/** An action as histories recorded before notes travelled by id carry it: with the note's text. */
type OldAction = ComplaintAction & { note?: string };
const caseOf = (args: unknown[]) => {
  const first = args[0] as { complaintId?: string } | string;
  const id = typeof first === 'object' ? first.complaintId! : (args[1] as string);
  return cases.get(id)!;
};

function mockActivities(): Partial<ComplaintActivities & RefundActivities> {
  const paidSen = (amount: string) => Math.round(Number(amount) * 100);
  return {
    recordComplaintState: async (i) => {
      caseOf([i]).states.push(i.state);
      if (i.noteId) caseOf([i]).notes.push(`${i.state}:${i.noteId}`);
    },
    refundComplaint: async (i) => {
      const c = caseOf([i]);
      c.calls.push('refund');
      c.refunds.push(i.amount);
      const total = c.refunds.reduce((s, a) => s + paidSen(a), 0);
      return { refund_id: randomUUID(), status: 'refunding' as const, refunded_total: (total / 100).toFixed(2) };
    },
    restockReturnedGoods: async (...a) =>
      void caseOf(a).calls.push(a[0].startsWith('replacement-') ? 'restock:replacement' : 'restock'),
    deductReplacementStock: async (...a) => {
      if (outOfStock.has(a[1])) return { ok: false as const, reason: 'out_of_stock' as const };
      caseOf(a).calls.push('deduct');
      return { ok: true as const };
    },
    bookComplaintParcel: async (i) => {
      caseOf([i]).calls.push(`book:${i.kind}`);
      return { carrier: 'jne', awb: `AWB-${i.kind}`, reference: complaintParcelReference(i.kind, i.complaintId) };
    },
    markOrderRefundedByComplaint: async (...a) => {
      caseOf(a).calls.push('orderRefunded');
      return true;
    },
    holdOrderCompletion: async (...a) => {
      caseOf(a).calls.push('hold');
      return true;
    },
    releaseOrderCompletion: async (...a) => {
      caseOf(a).calls.push(`release:${a[2]}`);
      return true;
    },
  };
}

// The production defaults, whatever the test run's environment says: time skipping passes them.
const config = loadConfig({});
const deadlines: ComplaintDeadlines = { ...config.complaints.deadlines };
/** A replacement parcel is taken as lost after the shipments' lost-parcel time. */
const PARCEL_LOST_AFTER_SECONDS = config.shipments.lostAfterSeconds;

describe('complaint workflow with mocked activities', () => {
  const temporal = useTimeSkippingWorker(mockActivities);

  async function start(parcelLostAfterSeconds?: number) {
    const complaintId = randomUUID();
    const c: Case = { calls: [], refunds: [], states: [], notes: [] };
    cases.set(complaintId, c);
    const input: ComplaintInput = {
      complaintId,
      orderId: randomUUID(),
      userId: randomUUID(),
      paidAmount: '150000.00',
      deadlines,
      ...(parcelLostAfterSeconds === undefined ? {} : { parcelLostAfterSeconds }),
    };
    const workflowId = `complaint-${complaintId}`;
    temporal.track(workflowId);
    const handle = await temporal.env().client.workflow.start(complaintWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
      args: [input],
    });
    return { handle, c };
  }

  /** Polls the case's state in real time (the server's clock does not skip meanwhile). */
  const reach = (handle: WorkflowHandle<typeof complaintWorkflow>, state: ComplaintStateName) =>
    eventually(state, async () => (await handle.query(complaintStateQuery)).state === state);

  // A history from before notes travelled by id carries the note's text: that shape is taken too.
  const act = (handle: WorkflowHandle<typeof complaintWorkflow>, action: ComplaintAction | OldAction) =>
    handle.executeUpdate(complaintActionUpdate, { args: [action] });

  async function refusal(promise: Promise<unknown>) {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return (err as WorkflowUpdateFailedError).cause as { type?: string; message: string };
  }

  it('the seller never answers: the deadline refunds the buyer in full and the order is refunded', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    // Visibility is eventually consistent: wait for the state's attributes to show.
    const attributes = await eventually('the search attributes', async () => {
      const typed = (await handle.describe()).typedSearchAttributes;
      return typed.get(COMPLAINT_STATE) === undefined ? undefined : typed;
    });
    expect(attributes.get(COMPLAINT_STATE)).toBe('awaiting_seller');
    expect(attributes.get(COMPLAINT_DEADLINE)).toBeInstanceOf(Date);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'resolved', outcome: 'refunded', refunded_amount: '150000.00' });
    expect(result.history).toEqual(['deadline:awaiting_seller']);
    expect(c.refunds).toEqual(['150000.00']);
    expect(c.calls).toEqual(['hold', 'refund', 'orderRefunded', 'release:refunded']);
    expect(c.states).toEqual(['awaiting_seller', 'resolving', 'resolved']);
  });

  it('the seller accepts a refund: a full refund at once', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'accept_refund' });
    expect((await handle.result()).outcome).toBe('refunded');
    expect(c.refunds).toEqual(['150000.00']);
  });

  it('a return shipped, received and inspected: restocked, then refunded', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    expect((await act(handle, { by: 'seller', type: 'accept_return' })).state).toBe('awaiting_return');
    await act(handle, { by: 'buyer', type: 'return_shipped', tracking_number: 'RET123' });
    await act(handle, { by: 'seller', type: 'return_received' });
    await act(handle, { by: 'seller', type: 'inspection_passed' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'refunded', return_tracking_number: 'RET123' });
    expect(c.calls).toEqual(['hold', 'book:return', 'restock', 'refund', 'orderRefunded', 'release:refunded']);
  });

  it('the buyer never ships the return: the complaint closes with no refund', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'accept_return' });
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'closed', outcome: 'closed' });
    expect(result.history).toEqual(['seller:accept_return', 'deadline:awaiting_return']);
    expect(c.calls).toEqual(['hold', 'release:closed']);
  });

  it('the seller never inspects the returned goods: restocked and refunded anyway', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'accept_return' });
    await act(handle, { by: 'buyer', type: 'return_shipped', tracking_number: 'RET9' });
    await act(handle, { by: 'seller', type: 'return_received' });
    const result = await handle.result();
    expect(result.history.at(-1)).toBe('deadline:inspecting');
    expect(c.calls).toEqual(['hold', 'book:return', 'restock', 'refund', 'orderRefunded', 'release:refunded']);
  });

  it('a failed inspection escalates; the platform that does not decide in time refunds the buyer', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'accept_return' });
    await act(handle, { by: 'buyer', type: 'return_shipped', tracking_number: 'RET7' });
    await act(handle, { by: 'seller', type: 'return_received' });
    expect((await act(handle, { by: 'seller', type: 'inspection_failed' })).state).toBe('escalated');
    const result = await handle.result();
    expect(result.history.at(-1)).toBe('deadline:escalated');
    expect(c.refunds).toEqual(['150000.00']);
  });

  it('a partial offer accepted: that amount back, the order not refunded', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    expect((await act(handle, { by: 'seller', type: 'offer_partial', amount: '50000.00' })).state).toBe(
      'offer_pending',
    );
    await act(handle, { by: 'buyer', type: 'accept_offer' });
    expect((await handle.result()).outcome).toBe('partially_refunded');
    expect(c.refunds).toEqual(['50000.00']);
    expect(c.calls).toEqual(['hold', 'refund', 'release:partially_refunded']);
  });

  it('a partial offer left unanswered is taken as accepted when its deadline passes', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'offer_partial', amount: '20000.50' });
    const result = await handle.result();
    expect(result.history.at(-1)).toBe('deadline:offer_pending');
    expect(c.refunds).toEqual(['20000.50']);
  });

  it('the buyer counters and the seller accepts the counter', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'offer_partial', amount: '50000.00' });
    expect((await act(handle, { by: 'buyer', type: 'counter_offer', amount: '90000.00' })).state).toBe(
      'awaiting_seller',
    );
    await act(handle, { by: 'seller', type: 'accept_counter' });
    expect((await handle.result()).outcome).toBe('partially_refunded');
    expect(c.refunds).toEqual(['90000.00']);
  });

  it('a counter the seller leaves unanswered: the seller deadline refunds in full', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'offer_partial', amount: '50000.00' });
    await act(handle, { by: 'buyer', type: 'counter_offer', amount: '90000.00' });
    await handle.result();
    expect(c.refunds).toEqual(['150000.00']);
  });

  it('the buyer escalates an offer and the operator rejects the complaint: no money moves', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'offer_partial', amount: '50000.00' });
    await act(handle, { by: 'buyer', type: 'escalate' });
    await act(handle, { by: 'operator', type: 'decide', outcome: 'reject' });
    expect(await handle.result()).toMatchObject({ state: 'resolved', outcome: 'rejected' });
    expect(c.calls).toEqual(['hold', 'release:rejected']);
  });

  it("notes travel by id, linked to the state change their action led to; the old shape's text changes nothing", async () => {
    const run = async (
      notes: [ComplaintAction | OldAction, ComplaintAction | OldAction, ComplaintAction | OldAction],
    ) => {
      const { handle, c } = await start();
      await reach(handle, 'awaiting_seller');
      const states = [];
      for (const action of notes) states.push((await act(handle, action)).state);
      return { states, result: await handle.result(), c };
    };
    const byId = await run([
      { by: 'seller', type: 'offer_partial', amount: '50000.00', note_id: 'note-1' },
      { by: 'buyer', type: 'escalate' },
      { by: 'operator', type: 'decide', outcome: 'partial_refund', amount: '70000.00', note_id: 'note-3' },
    ]);
    const byText = await run([
      { by: 'seller', type: 'offer_partial', amount: '50000.00', note: 'call me on 0813 1234 5678' },
      { by: 'buyer', type: 'escalate', note: 'refund to BCA 1234567890' },
      { by: 'operator', type: 'decide', outcome: 'partial_refund', amount: '70000.00', note: 'ok' },
    ]);
    expect(byId.c.notes).toEqual(['offer_pending:note-1', 'resolving:note-3']);
    expect(byText.c.notes).toEqual([]);
    // Same moves, same money, same case either way: no decision reads a note.
    expect(byText.states).toEqual(byId.states);
    expect(byText.c.calls).toEqual(byId.c.calls);
    expect(byText.c.refunds).toEqual(['70000.00']);
    expect(byId.c.refunds).toEqual(['70000.00']);
    const { complaint_id: _a, order_id: _b, ...idCase } = byId.result;
    const { complaint_id: _c, order_id: _d, ...textCase } = byText.result;
    expect(textCase).toEqual(idCase);
    expect(JSON.stringify(byText.result)).not.toContain('0813');
  });

  it('a rejection escalates; the operator decides for the buyer, full or partial', async () => {
    const full = await start();
    const part = await start();
    await reach(full.handle, 'awaiting_seller');
    await reach(part.handle, 'awaiting_seller');
    expect((await act(full.handle, { by: 'seller', type: 'reject' })).state).toBe('escalated');
    await act(part.handle, { by: 'seller', type: 'reject' });
    await act(full.handle, { by: 'operator', type: 'decide', outcome: 'refund' });
    await act(part.handle, { by: 'operator', type: 'decide', outcome: 'partial_refund', amount: '75000.00' });
    expect((await full.handle.result()).outcome).toBe('refunded');
    expect((await part.handle.result()).outcome).toBe('partially_refunded');
    expect(full.c.refunds).toEqual(['150000.00']);
    expect(part.c.refunds).toEqual(['75000.00']);
  });

  it('the buyer withdraws before any agreement: no money moves, the order is released', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'buyer', type: 'withdraw' });
    expect(await handle.result()).toMatchObject({ state: 'withdrawn', outcome: 'withdrawn' });
    expect(c.calls).toEqual(['hold', 'release:withdrawn']);
  });

  const parcelEvent = (complaintId: string, kind: 'replacement' | 'return', status: string, n: number) => ({
    event_id: `${kind}-${complaintId}-${n}`,
    reference: complaintParcelReference(kind, complaintId),
    awb: `AWB-${kind}`,
    status,
  });

  it('a replacement: stock deducted once, a parcel of its own, resolved when the carrier delivers it', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    const replacing = await act(handle, { by: 'seller', type: 'accept_replacement' });
    expect(replacing).toMatchObject({ state: 'replacing', replacement_awb: 'AWB-replacement' });
    const id = replacing.complaint_id;
    // A scan on the way, or the return's parcel, does not resolve it; only its own delivery.
    await handle.signal(complaintParcelSignal, parcelEvent(id, 'replacement', 'in_transit', 1));
    await handle.signal(complaintParcelSignal, parcelEvent(id, 'return', 'delivered', 2));
    await quiescent(handle);
    expect((await handle.query(complaintStateQuery)).state).toBe('replacing');
    await handle.signal(complaintParcelSignal, parcelEvent(id, 'replacement', 'delivered', 3));
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'resolved', outcome: 'replaced' });
    expect(result.history).toEqual(['seller:accept_replacement', 'carrier:replacement_delivered']);
    expect(c.refunds).toEqual([]);
    expect(c.calls).toEqual(['hold', 'deduct', 'book:replacement', 'release:replaced']);
    expect(c.states).toEqual(['awaiting_seller', 'replacing', 'resolved']);
  });

  it('a replacement out of stock falls back to a full refund, and the case says so', async () => {
    const { handle, c } = await start();
    outOfStock.add(handle.workflowId.replace('complaint-', ''));
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'accept_replacement' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'refunded', replacement_fallback: 'out_of_stock' });
    expect(result.history).toEqual(['seller:accept_replacement', 'replacement:out_of_stock']);
    expect(c.refunds).toEqual(['150000.00']);
    expect(c.calls).toEqual(['hold', 'refund', 'orderRefunded', 'release:refunded']);
  });

  it('a replacement the carrier brings back: its units restocked, the buyer refunded', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    const replacing = await act(handle, { by: 'seller', type: 'accept_replacement' });
    await handle.signal(
      complaintParcelSignal,
      parcelEvent(replacing.complaint_id, 'replacement', 'returned_to_sender', 1),
    );
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'refunded', replacement_fallback: 'not_delivered' });
    expect(c.calls).toEqual([
      'hold',
      'deduct',
      'book:replacement',
      'restock:replacement',
      'refund',
      'orderRefunded',
      'release:refunded',
    ]);
  });

  it('a replacement that never arrives is taken as lost at its deadline: the buyer refunded, nothing restocked', async () => {
    const { handle, c } = await start(PARCEL_LOST_AFTER_SECONDS);
    await reach(handle, 'awaiting_seller');
    const replacing = await act(handle, { by: 'seller', type: 'accept_replacement' });
    expect(replacing.deadline).toEqual(expect.any(String));
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'refunded', replacement_fallback: 'not_delivered' });
    expect(result.history).toEqual(['seller:accept_replacement', 'deadline:replacing']);
    expect(c.calls).toEqual(['hold', 'deduct', 'book:replacement', 'refund', 'orderRefunded', 'release:refunded']);
  });

  it("the return travels through the carrier: its delivery marks the goods received, the inspection's clock starts", async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    await act(handle, { by: 'seller', type: 'accept_return' });
    const shipped = await act(handle, { by: 'buyer', type: 'return_shipped', tracking_number: 'RET42' });
    expect(shipped).toMatchObject({ state: 'return_in_transit', return_awb: 'AWB-return' });
    const id = shipped.complaint_id;
    await handle.signal(complaintParcelSignal, parcelEvent(id, 'return', 'out_for_delivery', 1));
    await quiescent(handle);
    expect((await handle.query(complaintStateQuery)).state).toBe('return_in_transit');
    await handle.signal(complaintParcelSignal, parcelEvent(id, 'return', 'delivered', 2));
    await reach(handle, 'inspecting');
    const result = await handle.result();
    expect(result.history).toEqual([
      'seller:accept_return',
      'buyer:return_shipped',
      'carrier:return_delivered',
      'deadline:inspecting',
    ]);
    expect(c.calls).toEqual(['hold', 'book:return', 'restock', 'refund', 'orderRefunded', 'release:refunded']);
  });

  it('refuses what the case does not allow: wrong state, wrong side, an amount at or past what was paid', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    expect((await refusal(act(handle, { by: 'buyer', type: 'accept_offer' }))).type).toBe('invalid_state');
    expect((await refusal(act(handle, { by: 'buyer', type: 'reject' } as unknown as ComplaintAction))).type).toBe(
      'forbidden',
    );
    for (const amount of ['150000.00', '999999999.00', '0.00', '-5', 'abc']) {
      expect((await refusal(act(handle, { by: 'seller', type: 'offer_partial', amount }))).type).toBe(
        'validation_failed',
      );
    }
    expect((await refusal(act(handle, { by: 'seller', type: 'accept_counter' }))).type).toBe('invalid_state');
    await act(handle, { by: 'seller', type: 'accept_return' });
    // An accepted return is an agreement: the buyer can no longer withdraw.
    expect((await refusal(act(handle, { by: 'buyer', type: 'withdraw' }))).type).toBe('invalid_state');
    await act(handle, { by: 'buyer', type: 'return_shipped', tracking_number: 'R1' });
    await act(handle, { by: 'seller', type: 'return_received' });
    await act(handle, { by: 'seller', type: 'inspection_passed' });
    await handle.result();
    expect(c.refunds).toHaveLength(1);
  });

  it('two resolutions racing: exactly one is taken, one refund', async () => {
    const { handle, c } = await start();
    await reach(handle, 'awaiting_seller');
    const outcomes = await Promise.allSettled([
      act(handle, { by: 'seller', type: 'accept_refund' }),
      act(handle, { by: 'seller', type: 'offer_partial', amount: '10000.00' }),
      act(handle, { by: 'seller', type: 'reject' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    // Whichever won, the others were judged against the state it led to, and refused there.
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(2);
    const state = await handle.query(complaintStateQuery);
    expect(state.history).toHaveLength(1);
    expect(c.refunds.length).toBeLessThanOrEqual(1);
    if (state.state !== 'resolving' && state.state !== 'resolved') await handle.terminate('test done');
  });
});
