/**
 * One complaint about a delivered order, as a durable case: awaiting the seller's answer →
 * refund, return (buyer ships back, seller inspects), a partial-refund offer (buyer accepts,
 * counters or escalates) or a rejection escalated to an operator → resolved. Every deadline is a
 * durable timer from the case's input (config), visible as the ComplaintDeadline search
 * attribute; a missed deadline decides for the side that was kept waiting. A replacement takes the
 * items out of stock under the complaint's key and ships them in a parcel of the case's own (out
 * of stock → refund); a return travels back in one too, and the carrier's `delivered` for it
 * marks the goods received. Every action arrives
 * through one update whose handler changes state synchronously, so two racing actions cannot
 * both be accepted. While the case is open it holds the order's completion.
 */
import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ComplaintActivities } from '../activities/complaints';
import type { RefundActivities } from '../activities/refunds';
import {
  ACTION_ACTOR,
  ALLOWED_ACTIONS,
  complaintActionUpdate,
  complaintParcelReference,
  complaintParcelSignal,
  complaintStateQuery,
  fromSen,
  replacementStockKey,
  toSen,
  type ComplaintAction,
  type ComplaintInput,
  type ComplaintOutcome,
  type ComplaintState,
  type ComplaintStateName,
} from './complaint-contract';
import { COMPLAINT_DEADLINE, COMPLAINT_STATE } from './search-attributes';

const steps = proxyActivities<ComplaintActivities & RefundActivities>({
  startToCloseTimeout: '30 seconds',
  // Money and stock steps must eventually happen: retry long, then surface as a failed case.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50 },
});

export async function complaintWorkflow(input: ComplaintInput): Promise<ComplaintState> {
  const { workflowId } = workflowInfo();
  const paidSen = toSen(input.paidAmount);
  const state: ComplaintState = {
    complaint_id: input.complaintId,
    order_id: input.orderId,
    state: 'awaiting_seller',
    history: [],
  };
  let inbox: ComplaintAction | undefined;
  // From an accepted action (or a fired deadline) until the next state is entered, nothing else is taken.
  let busy = true;
  let refunds = 0;
  // Numbers each state change, so its complaint.* event id is stable across activity retries.
  let stepsEntered = 0;

  // The last word of the carrier on each of the case's parcels: delivered, or back at the sender.
  const parcels = new Map<string, 'delivered' | 'returned_to_sender'>();

  setHandler(complaintStateQuery, () => state);
  setHandler(complaintParcelSignal, (event) => {
    if (event.status === 'delivered' || event.status === 'returned_to_sender') {
      if (!parcels.has(event.reference)) parcels.set(event.reference, event.status);
    }
  });
  setHandler(
    complaintActionUpdate,
    async (action) => {
      // While the case moves to its next state, an action waits for it, then is judged against it.
      // Checking and taking happen in one synchronous stretch: of two racing actions, one wins.
      while (busy) await condition(() => !busy);
      refuseUnlessAllowed(state, action, paidSen, false);
      inbox = action;
      busy = true;
      state.history.push(`${action.by}:${action.type}`);
      await condition(() => !busy);
      return state;
    },
    { validator: (action) => refuseUnlessAllowed(state, action, paidSen, busy) },
  );

  /** Enters a state with its timer, records it, and waits for an action or the deadline. */
  async function waitIn(
    name: ComplaintStateName,
    seconds?: number,
    carrierDone: () => boolean = () => false,
  ): Promise<ComplaintAction | undefined> {
    const deadline = seconds === undefined ? undefined : new Date(Date.now() + seconds * 1000);
    await enter(name, deadline);
    // The timer runs to the deadline recorded, however long recording it took.
    const woken = () => inbox !== undefined || carrierDone();
    const acted =
      deadline === undefined
        ? await condition(woken).then(() => true)
        : await condition(woken, Math.max(0, deadline.getTime() - Date.now()));
    const action = inbox;
    inbox = undefined;
    busy = true;
    if (!acted) state.history.push(`deadline:${name}`);
    return action;
  }

  async function enter(name: ComplaintStateName, deadline?: Date) {
    state.state = name;
    state.deadline = deadline?.toISOString();
    upsertSearchAttributes([
      { key: COMPLAINT_STATE, value: name },
      { key: COMPLAINT_DEADLINE, value: deadline ?? null },
    ] as Parameters<typeof upsertSearchAttributes>[0]);
    stepsEntered += 1;
    await steps.recordComplaintState({
      complaintId: input.complaintId,
      orderId: input.orderId,
      state: name,
      deadline: state.deadline ?? null,
      step: stepsEntered,
      cause: state.history.at(-1) ?? 'opened',
      outcome: state.outcome ?? null,
      offerAmount: state.offer_amount ?? null,
      refundedAmount: state.refunded_amount ?? null,
      returnTrackingNumber: state.return_tracking_number ?? null,
    });
    // Only now does the case take the next action: whoever acted reads the new state in the store too.
    busy = false;
  }

  async function refund(sen: number) {
    await enter('resolving');
    refunds += 1;
    const result = await steps.refundComplaint({
      orderId: input.orderId,
      complaintId: input.complaintId,
      amount: fromSen(sen),
      idempotencyKey: `${workflowId}:refund:${refunds}`,
    });
    state.refunded_amount = result.refunded_total;
    return sen >= paidSen ? 'refunded' : 'partially_refunded';
  }

  async function finish(name: 'resolved' | 'withdrawn' | 'closed', outcome: ComplaintOutcome) {
    state.outcome = outcome;
    if (outcome === 'refunded') await steps.markOrderRefundedByComplaint(input.orderId, input.complaintId);
    await steps.releaseOrderCompletion(input.orderId, input.complaintId, outcome);
    await enter(name);
    return state;
  }

  await steps.holdOrderCompletion(input.orderId, input.complaintId);
  const d = input.deadlines;
  let next: ComplaintStateName = 'awaiting_seller';

  for (;;) {
    if (next === 'awaiting_seller') {
      const a = await waitIn('awaiting_seller', d.sellerAnswerSeconds);
      if (!a || a.type === 'accept_refund') return finish('resolved', await refund(paidSen));
      if (a.type === 'withdraw') return finish('withdrawn', 'withdrawn');
      if (a.type === 'accept_return') next = 'awaiting_return';
      else if (a.type === 'accept_replacement') next = 'replacing';
      else if (a.type === 'accept_counter') return finish('resolved', await refund(toSen(state.counter_amount!)));
      else if (a.type === 'offer_partial') {
        state.offer_amount = a.amount;
        next = 'offer_pending';
      } else next = 'escalated'; // reject
    } else if (next === 'offer_pending') {
      const a = await waitIn('offer_pending', d.offerResponseSeconds);
      // Silence on an offer is taken as acceptance, as the marketplaces do: the case cannot hang.
      if (!a || a.type === 'accept_offer') return finish('resolved', await refund(toSen(state.offer_amount!)));
      if (a.type === 'withdraw') return finish('withdrawn', 'withdrawn');
      if (a.type === 'counter_offer') {
        state.counter_amount = a.amount;
        next = 'awaiting_seller';
      } else next = 'escalated';
    } else if (next === 'escalated') {
      const a = await waitIn('escalated', d.escalationSeconds);
      // The platform that does not decide in time decides for the buyer.
      if (!a) return finish('resolved', await refund(paidSen));
      if (a.type === 'withdraw') return finish('withdrawn', 'withdrawn');
      if (a.type === 'decide' && a.outcome === 'reject') return finish('resolved', 'rejected');
      if (a.type === 'decide' && a.outcome === 'partial_refund')
        return finish('resolved', await refund(toSen(a.amount!)));
      return finish('resolved', await refund(paidSen));
    } else if (next === 'awaiting_return') {
      const a = await waitIn('awaiting_return', d.returnShipSeconds);
      // A buyer who never ships the goods back gives the complaint up.
      if (!a) return finish('closed', 'closed');
      if (a.type === 'return_shipped') state.return_tracking_number = a.tracking_number;
      // Cases started before the return travelled through the carrier replay without the booking.
      if (patched('complaint-return-parcel')) {
        const parcel = await steps.bookComplaintParcel({
          orderId: input.orderId,
          complaintId: input.complaintId,
          kind: 'return',
        });
        state.return_awb = parcel.awb;
      }
      next = 'return_in_transit';
    } else if (next === 'return_in_transit') {
      // No timer: the carrier's `delivered` for the return parcel (or the seller by hand) reports it.
      const returnParcel = complaintParcelReference('return', input.complaintId);
      const a = await waitIn('return_in_transit', undefined, () => parcels.get(returnParcel) === 'delivered');
      if (!a) state.history.push('carrier:return_delivered');
      next = 'inspecting';
    } else if (next === 'replacing') {
      const stock = await steps.deductReplacementStock(input.orderId, input.complaintId);
      if (!stock.ok) {
        // Nothing to send: the buyer gets the money instead, and the case says why.
        state.replacement_fallback = 'out_of_stock';
        state.history.push('replacement:out_of_stock');
        return finish('resolved', await refund(paidSen));
      }
      const parcel = await steps.bookComplaintParcel({
        orderId: input.orderId,
        complaintId: input.complaintId,
        kind: 'replacement',
      });
      state.replacement_awb = parcel.awb;
      await waitIn('replacing', input.parcelLostAfterSeconds, () => parcels.has(parcel.reference));
      const fate = parcels.get(parcel.reference);
      if (fate === 'delivered') {
        state.history.push('carrier:replacement_delivered');
        return finish('resolved', 'replaced');
      }
      state.replacement_fallback = 'not_delivered';
      if (fate === 'returned_to_sender') {
        // Back at the warehouse: its units go back on the shelf. A lost one (the deadline) is gone.
        state.history.push('carrier:replacement_returned');
        await steps.restockReturnedGoods(replacementStockKey(input.complaintId), input.complaintId);
      }
      return finish('resolved', await refund(paidSen));
    } else if (next === 'inspecting') {
      const a = await waitIn('inspecting', d.inspectionSeconds);
      if (a?.type === 'inspection_failed') {
        next = 'escalated';
        continue;
      }
      // Passed, or the seller never inspected: the goods are back, so the refund goes through.
      await steps.restockReturnedGoods(input.orderId, input.complaintId);
      return finish('resolved', await refund(paidSen));
    } else {
      throw ApplicationFailure.nonRetryable(`unknown complaint state ${next}`, 'InvalidState');
    }
  }
}

/** Throws (refusing the update) when the action does not fit the case as it stands now. */
/**
 * Throws (refusing the update) when the action does not fit the case. While the case is busy
 * moving on, its state is judged later, by the handler, against the state it moves to.
 */
function refuseUnlessAllowed(state: ComplaintState, action: ComplaintAction, paidSen: number, busy: boolean) {
  const allowed = ALLOWED_ACTIONS[state.state] ?? [];
  if (!busy && !allowed.includes(action.type)) {
    throw ApplicationFailure.nonRetryable(
      `a complaint that is ${state.state} does not take ${action.type}`,
      'invalid_state',
      { state: state.state, action: action.type },
    );
  }
  if (ACTION_ACTOR[action.type] !== action.by) {
    throw ApplicationFailure.nonRetryable(`${action.type} is the ${ACTION_ACTOR[action.type]}'s to do`, 'forbidden');
  }
  if (!busy && action.type === 'accept_counter' && state.counter_amount === undefined) {
    throw ApplicationFailure.nonRetryable('there is no counter-offer to accept', 'invalid_state');
  }
  const amount =
    action.type === 'offer_partial' || action.type === 'counter_offer'
      ? action.amount
      : action.type === 'decide' && action.outcome === 'partial_refund'
        ? (action.amount ?? '')
        : undefined;
  if (amount !== undefined) {
    const sen = toSen(amount);
    if (!(sen > 0 && sen < paidSen)) {
      throw ApplicationFailure.nonRetryable(
        `amount must be more than 0 and less than the ${fromSen(paidSen)} paid`,
        'validation_failed',
        { field: 'amount' },
      );
    }
  }
}
