/**
 * A complaint case's bookkeeping, which the workflow's phases (workflows/complaint.ts) wait on:
 * the state every query reads, the one update through which every buyer, seller and operator
 * action arrives (checked and taken in one synchronous stretch, so of two racing actions exactly
 * one lands), the carrier's last word on the case's own parcels, and each state entered with its
 * durable timer, recorded in the order service and in the search attributes.
 */
import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ComplaintActivities } from '../activities/complaints';
import type { RefundActivities } from '../activities/refunds';
import {
  ACTION_ACTOR,
  ALLOWED_ACTIONS,
  complaintActionUpdate,
  complaintParcelSignal,
  complaintStateQuery,
  fromSen,
  toSen,
  type ComplaintAction,
  type ComplaintInput,
  type ComplaintState,
  type ComplaintStateName,
} from './complaint-contract';
import { COMPLAINT_DEADLINE, COMPLAINT_STATE } from './search-attributes';

/** The case's steps: money and stock steps must eventually happen, so they retry long, then surface. */
export const complaintSteps = proxyActivities<ComplaintActivities & RefundActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50 },
});

export class ComplaintCase {
  readonly state: ComplaintState;
  readonly paidSen: number;
  private inbox: ComplaintAction | undefined;
  // The note of the action taken, by id only: linked to the state change the action leads to.
  private noteId: string | undefined;
  // From an accepted action (or a fired deadline) until the next state is entered, nothing else is taken.
  private busy = true;
  // Numbers each state change, so its complaint.* event id is stable across activity retries.
  private stepsEntered = 0;
  /** The last word of the carrier on each of the case's parcels: delivered, or back at the sender. */
  readonly parcels = new Map<string, 'delivered' | 'returned_to_sender'>();

  constructor(private readonly input: ComplaintInput) {
    this.paidSen = toSen(input.paidAmount);
    this.state = { complaint_id: input.complaintId, order_id: input.orderId, state: 'awaiting_seller', history: [] };
    setHandler(complaintStateQuery, () => this.state);
    setHandler(complaintParcelSignal, (event) => {
      if (event.status === 'delivered' || event.status === 'returned_to_sender') {
        if (!this.parcels.has(event.reference)) this.parcels.set(event.reference, event.status);
      }
    });
    setHandler(
      complaintActionUpdate,
      async (action) => {
        // While the case moves to its next state, an action waits for it, then is judged against it.
        // Checking and taking happen in one synchronous stretch: of two racing actions, one wins.
        while (this.busy) await condition(() => !this.busy);
        refuseUnlessAllowed(this.state, action, this.paidSen, false);
        this.inbox = action;
        this.noteId = action.note_id;
        this.busy = true;
        this.state.history.push(`${action.by}:${action.type}`);
        await condition(() => !this.busy);
        return this.state;
      },
      { validator: (action) => refuseUnlessAllowed(this.state, action, this.paidSen, this.busy) },
    );
  }

  /** Enters a state with its timer, records it, and waits for an action, the carrier or the deadline. */
  async waitIn(
    name: ComplaintStateName,
    seconds?: number,
    carrierDone: () => boolean = () => false,
  ): Promise<ComplaintAction | undefined> {
    const deadline = seconds === undefined ? undefined : new Date(Date.now() + seconds * 1000);
    await this.enter(name, deadline);
    // The timer runs to the deadline recorded, however long recording it took.
    const woken = () => this.inbox !== undefined || carrierDone();
    const acted =
      deadline === undefined
        ? await condition(woken).then(() => true)
        : await condition(woken, Math.max(0, deadline.getTime() - Date.now()));
    const action = this.inbox;
    this.inbox = undefined;
    this.busy = true;
    if (!acted) this.state.history.push(`deadline:${name}`);
    return action;
  }

  /** Enters a state: search attributes, the order service's record, then the next action is taken. */
  async enter(name: ComplaintStateName, deadline?: Date) {
    const state = this.state;
    state.state = name;
    state.deadline = deadline?.toISOString();
    upsertSearchAttributes([
      { key: COMPLAINT_STATE, value: name },
      { key: COMPLAINT_DEADLINE, value: deadline ?? null },
    ] as Parameters<typeof upsertSearchAttributes>[0]);
    this.stepsEntered += 1;
    // The first state change after an action is the action's: its note (if any) is linked to it.
    const noteId = this.noteId;
    this.noteId = undefined;
    await complaintSteps.recordComplaintState({
      complaintId: this.input.complaintId,
      orderId: this.input.orderId,
      state: name,
      deadline: state.deadline ?? null,
      step: this.stepsEntered,
      cause: state.history.at(-1) ?? 'opened',
      outcome: state.outcome ?? null,
      offerAmount: state.offer_amount ?? null,
      refundedAmount: state.refunded_amount ?? null,
      returnTrackingNumber: state.return_tracking_number ?? null,
      ...(noteId ? { noteId } : {}),
    });
    // Only now does the case take the next action: whoever acted reads the new state in the store too.
    this.busy = false;
  }
}

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
