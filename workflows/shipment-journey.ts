/**
 * What the shipment workflow knows of its parcel's journey: the state every query reads, the
 * carrier's events as they arrive (deduplicated by event id, applied only when further along the
 * journey, in journey order), the order moved along with them, the completion holds of complaints,
 * and the search attributes operators filter by. The workflow's phases (workflows/shipment.ts)
 * wait on it; it decides nothing about money.
 */
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ShipmentActivities } from '../activities/shipment';
import {
  carrierEventSignal,
  holdCompletionSignal,
  moves,
  rankOf,
  releaseCompletionSignal,
  SHIPMENT_STATUS_OF,
  shipmentStateQuery,
  type ShipmentInput,
  type ShipmentState,
  type ShipmentStatus,
  type TrackingSignal,
} from './shipment-contract';
import { AIRWAY_BILL, ORDER_NUMBER, SHIPMENT_STATUS, SHIPMENT_STUCK, USER_ID } from './search-attributes';

export const SHIPMENT_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 50,
} as const;
const steps = proxyActivities<ShipmentActivities>({ startToCloseTimeout: '30 seconds', retry: SHIPMENT_RETRY });
/**
 * The same steps run by the worker inside the workflow task that asked for them (the database
 * steps only; the carrier's calls stay activities of their own): a carrier event then costs one
 * workflow task and one marker instead of two tasks and an activity's three events (each step is
 * idempotent by its key, which a local activity needs since a lost task runs it again).
 */
const localSteps = proxyLocalActivities<ShipmentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: SHIPMENT_RETRY,
});
/**
 * Shipments started before it replay their history as it was recorded: every step an activity,
 * one step per carrier event and per order move, and every search attribute upserted at each change.
 */
export const LEAN_SHIPMENT_PATCH = 'shipment-local-steps';

type OrderMove = 'shipped' | 'delivered' | 'returned';

export class Journey {
  readonly state: ShipmentState;
  private readonly inbox: TrackingSignal[] = [];
  private readonly seen = new Set<string>();
  /** Events of the current booking applied or recorded so far: silence is no growth. */
  heard = 0;
  /** Local database steps, batched carrier events, search attributes only when they change. */
  readonly lean = patched(LEAN_SHIPMENT_PATCH);
  /** The database steps as this run records them (local activities when lean). */
  readonly steps = this.lean ? localSteps : steps;
  private shown: { status?: ShipmentStatus; stuck?: boolean } = {};

  constructor(private readonly input: ShipmentInput) {
    this.state = {
      order_id: input.orderId,
      order_number: input.orderNumber,
      status: 'pending',
      booking_attempt: 0,
      last_position: 0,
      stuck: false,
      completion_holds: [],
    };
    setHandler(shipmentStateQuery, () => this.state);
    setHandler(carrierEventSignal, (event) => {
      if (this.seen.has(event.event_id)) return; // a redelivered push: applied (or queued) already
      this.seen.add(event.event_id);
      this.inbox.push(event);
    });
    setHandler(holdCompletionSignal, ({ hold_id }) => {
      if (!this.state.completion_holds.includes(hold_id)) this.state.completion_holds.push(hold_id);
    });
    setHandler(releaseCompletionSignal, ({ hold_id }) => {
      this.state.completion_holds = this.state.completion_holds.filter((h) => h !== hold_id);
    });
  }

  /**
   * The search attributes every shipment carries from its first task: given at start by the
   * starters (services/shipments/shipment-client.ts), set here only when a starter did not.
   */
  announce() {
    if (this.lean && workflowInfo().typedSearchAttributes.get(ORDER_NUMBER) !== undefined) {
      this.shown = { status: 'pending', stuck: false };
      return;
    }
    upsertSearchAttributes([
      { key: ORDER_NUMBER, value: this.input.orderNumber },
      { key: USER_ID, value: this.input.userId },
      { key: SHIPMENT_STUCK, value: false },
    ]);
    this.setStatus('pending');
  }

  get shipmentId() {
    return this.state.shipment_id!;
  }

  pickedUp() {
    return rankOf(this.state.status) >= rankOf('picked_up');
  }

  setStatus(status: ShipmentStatus) {
    this.state.status = status;
    if (this.lean && this.shown.status === status) return;
    this.shown.status = status;
    upsertSearchAttributes([{ key: SHIPMENT_STATUS, value: status }]);
  }

  /** A new booking: its events are the ones that count from now on. */
  booked({ carrier, awb, reference }: { carrier: string; awb: string; reference: string }) {
    Object.assign(this.state, { carrier, awb, reference, last_position: 0 });
    if (this.lean) {
      this.state.status = 'booked';
      this.shown.status = 'booked';
      upsertSearchAttributes([
        { key: AIRWAY_BILL, value: awb },
        { key: SHIPMENT_STATUS, value: 'booked' },
      ]);
      return;
    }
    upsertSearchAttributes([{ key: AIRWAY_BILL, value: awb }]);
    this.setStatus('booked');
  }

  async flagStuck(stuck: boolean) {
    this.state.stuck = stuck;
    if (!this.lean || this.shown.stuck !== stuck) upsertSearchAttributes([{ key: SHIPMENT_STUCK, value: stuck }]);
    this.shown.stuck = stuck;
    await this.steps.flagShipmentStuck(this.shipmentId, stuck, new Date(Date.now()).toISOString());
  }

  /** Waits for `done` up to `seconds`, applying events as they come; false when the time ran out. */
  async waitFor(done: () => boolean, seconds: number) {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      await this.drain();
      if (done()) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const woke = await condition(() => this.inbox.length > 0 || done(), left);
      if (!woke) return done();
    }
  }

  /** Applies queued events of the current booking, in journey order; each is recorded once. */
  private async drain() {
    if (this.lean) return this.drainBatches();
    const state = this.state;
    while (state.reference && this.inbox.length > 0) {
      this.inbox.sort((a, b) => a.position - b.position);
      const event = this.inbox.shift()!;
      // An event of a cancelled booking (the first carrier, after a rebook) tells nothing about this parcel.
      if (event.reference !== state.reference && event.awb !== state.awb) continue;
      this.heard++;
      const apply = moves(state.status, state.last_position, event);
      await steps.recordTrackingEvent(this.shipmentId, event, apply);
      if (!apply) continue;
      state.last_position = event.position;
      await this.followOrder(SHIPMENT_STATUS_OF[event.status]);
      this.setStatus(SHIPMENT_STATUS_OF[event.status]);
    }
  }

  /**
   * Every queued event at once: which apply and which order moves they make are decided here, in
   * journey order, as the one-at-a-time drain decides them; one step records them all. Events
   * signalled while it runs make the next batch.
   */
  private async drainBatches() {
    const state = this.state;
    while (state.reference && this.inbox.length > 0) {
      const queued = this.inbox.splice(0).sort((a, b) => a.position - b.position);
      let { status, last_position: position } = state;
      const batch: { event: TrackingSignal; apply: boolean; orderMoves: OrderMove[] }[] = [];
      for (const event of queued) {
        if (event.reference !== state.reference && event.awb !== state.awb) continue;
        this.heard++;
        const apply = moves(status, position, event);
        const next = SHIPMENT_STATUS_OF[event.status];
        batch.push({ event, apply, orderMoves: apply ? orderMovesOf(status, next) : [] });
        if (!apply) continue;
        position = event.position;
        status = next;
      }
      if (batch.length === 0) continue;
      await this.steps.applyTrackingEvents(this.shipmentId, this.input.orderId, batch);
      state.last_position = position;
      this.setStatus(status);
    }
  }

  /** Moves the order along with the shipment, never skipping a step (a lost scan is filled in). */
  private async followOrder(next: ShipmentStatus) {
    for (const to of orderMovesOf(this.state.status, next))
      await steps.advanceOrder(this.input.orderId, to, this.shipmentId);
  }
}

/** The order's moves when its shipment goes from `current` to `next`: none skipped (a lost scan is filled in). */
function orderMovesOf(current: ShipmentStatus, next: ShipmentStatus): OrderMove[] {
  const out: OrderMove[] = [];
  if (rankOf(next) >= rankOf('picked_up') && rankOf(current) < rankOf('picked_up')) out.push('shipped');
  if (next === 'delivered') out.push('delivered');
  if (next === 'returned') out.push('returned');
  return out;
}
