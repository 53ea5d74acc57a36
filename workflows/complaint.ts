/**
 * One complaint about a delivered order, as a durable case. Its phases:
 * - opened: awaiting the seller's answer: a refund, a return, a replacement, a partial-refund
 *   offer or a rejection (silence refunds the buyer);
 * - negotiation: the buyer accepts, counters or escalates a partial offer (silence accepts);
 * - decision: a rejected or escalated case waits for an operator (silence decides for the buyer);
 * - return: the buyer ships the goods back in a parcel of the case's own, the carrier's delivery
 *   marks them received, the seller inspects (silence passes), then restock and refund;
 * - replacement: the items come out of stock under the complaint's key and travel in a parcel of
 *   their own (out of stock, returned or lost → a refund instead).
 * Every deadline is a durable timer from the case's input (config), visible as the
 * ComplaintDeadline search attribute; a missed deadline decides for the side that was kept
 * waiting. While the case is open it holds the order's completion. Money goes back through the
 * refund path's steps (activities/refunds.ts), never beyond what was paid.
 */
import { ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import { ComplaintCase, complaintSteps as steps } from './complaint-case';
import {
  complaintParcelReference,
  fromSen,
  replacementStockKey,
  toSen,
  type ComplaintInput,
  type ComplaintOutcome,
  type ComplaintState,
  type ComplaintStateName,
} from './complaint-contract';
import { Saga } from './saga';

/** A phase's answer: the next state to wait in, or the case, ended. */
type Next = ComplaintStateName | ComplaintState;

export async function complaintWorkflow(input: ComplaintInput): Promise<ComplaintState> {
  const complaint = new Complaint(input);
  await steps.holdOrderCompletion(input.orderId, input.complaintId);
  let next: Next = 'awaiting_seller';
  while (typeof next === 'string') next = await complaint.phase(next);
  return next;
}

class Complaint {
  private readonly c: ComplaintCase;
  private readonly d: ComplaintInput['deadlines'];
  private readonly workflowId = workflowInfo().workflowId;
  private refunds = 0;

  constructor(private readonly input: ComplaintInput) {
    this.c = new ComplaintCase(input);
    this.d = input.deadlines;
  }

  private get state() {
    return this.c.state;
  }

  /** Runs the phase that owns the state `next`. */
  phase(next: ComplaintStateName): Promise<Next> {
    switch (next) {
      case 'awaiting_seller':
        return this.opened();
      case 'offer_pending':
        return this.negotiation();
      case 'escalated':
        return this.decision();
      case 'awaiting_return':
        return this.returnRequested();
      case 'return_in_transit':
        return this.returnInTransit();
      case 'inspecting':
        return this.inspection();
      case 'replacing':
        return this.replacement();
      default:
        throw ApplicationFailure.nonRetryable(`unknown complaint state ${next}`, 'InvalidState');
    }
  }

  /** Opened: the seller answers, or by silence refunds the buyer. */
  private async opened(): Promise<Next> {
    const a = await this.c.waitIn('awaiting_seller', this.d.sellerAnswerSeconds);
    if (!a || a.type === 'accept_refund') return this.finish('resolved', await this.refund(this.c.paidSen));
    if (a.type === 'withdraw') return this.finish('withdrawn', 'withdrawn');
    if (a.type === 'accept_return') return 'awaiting_return';
    if (a.type === 'accept_replacement') return 'replacing';
    if (a.type === 'accept_counter')
      return this.finish('resolved', await this.refund(toSen(this.state.counter_amount!)));
    if (a.type === 'offer_partial') {
      this.state.offer_amount = a.amount;
      return 'offer_pending';
    }
    return 'escalated'; // reject
  }

  /** Negotiation: the buyer takes the seller's offer, counters it or escalates. */
  private async negotiation(): Promise<Next> {
    const a = await this.c.waitIn('offer_pending', this.d.offerResponseSeconds);
    // Silence on an offer is taken as acceptance, as the marketplaces do: the case cannot hang.
    if (!a || a.type === 'accept_offer')
      return this.finish('resolved', await this.refund(toSen(this.state.offer_amount!)));
    if (a.type === 'withdraw') return this.finish('withdrawn', 'withdrawn');
    if (a.type === 'counter_offer') {
      this.state.counter_amount = a.amount;
      return 'awaiting_seller';
    }
    return 'escalated';
  }

  /** Decision: an operator decides; the platform that does not decide in time decides for the buyer. */
  private async decision(): Promise<Next> {
    const a = await this.c.waitIn('escalated', this.d.escalationSeconds);
    if (!a) return this.finish('resolved', await this.refund(this.c.paidSen));
    if (a.type === 'withdraw') return this.finish('withdrawn', 'withdrawn');
    if (a.type === 'decide' && a.outcome === 'reject') return this.finish('resolved', 'rejected');
    if (a.type === 'decide' && a.outcome === 'partial_refund')
      return this.finish('resolved', await this.refund(toSen(a.amount!)));
    return this.finish('resolved', await this.refund(this.c.paidSen));
  }

  /** Return, first leg: the buyer ships the goods back (a buyer who never does gives the case up). */
  private async returnRequested(): Promise<Next> {
    const a = await this.c.waitIn('awaiting_return', this.d.returnShipSeconds);
    if (!a) return this.finish('closed', 'closed');
    if (a.type === 'return_shipped') this.state.return_tracking_number = a.tracking_number;
    // Cases started before the return travelled through the carrier replay without the booking.
    if (patched('complaint-return-parcel')) {
      const parcel = await steps.bookComplaintParcel({
        orderId: this.input.orderId,
        complaintId: this.input.complaintId,
        kind: 'return',
      });
      this.state.return_awb = parcel.awb;
    }
    return 'return_in_transit';
  }

  /** Return, second leg: no timer; the carrier's `delivered` for the parcel (or the seller by hand) reports it. */
  private async returnInTransit(): Promise<Next> {
    const returnParcel = complaintParcelReference('return', this.input.complaintId);
    const a = await this.c.waitIn(
      'return_in_transit',
      undefined,
      () => this.c.parcels.get(returnParcel) === 'delivered',
    );
    if (!a) this.state.history.push('carrier:return_delivered');
    return 'inspecting';
  }

  /** Return, last leg: passed, or never inspected, the goods are back: restock and refund. */
  private async inspection(): Promise<Next> {
    const a = await this.c.waitIn('inspecting', this.d.inspectionSeconds);
    if (a?.type === 'inspection_failed') return 'escalated';
    await steps.restockReturnedGoods(this.input.orderId, this.input.complaintId);
    return this.finish('resolved', await this.refund(this.c.paidSen));
  }

  /** Replacement: the same items out of stock once and on their way; back on the shelf if they come back. */
  private async replacement(): Promise<Next> {
    const { orderId, complaintId } = this.input;
    const saga = new Saga();
    const stock = await saga.step(
      'deductReplacementStock',
      () => steps.deductReplacementStock(orderId, complaintId),
      async (taken) => taken?.ok && steps.restockReturnedGoods(replacementStockKey(complaintId), complaintId),
    );
    if (!stock.ok) {
      // Nothing to send: the buyer gets the money instead, and the case says why.
      this.state.replacement_fallback = 'out_of_stock';
      this.state.history.push('replacement:out_of_stock');
      return this.finish('resolved', await this.refund(this.c.paidSen));
    }
    const parcel = await steps.bookComplaintParcel({ orderId, complaintId, kind: 'replacement' });
    this.state.replacement_awb = parcel.awb;
    await this.c.waitIn('replacing', this.input.parcelLostAfterSeconds, () => this.c.parcels.has(parcel.reference));
    const fate = this.c.parcels.get(parcel.reference);
    if (fate === 'delivered') {
      this.state.history.push('carrier:replacement_delivered');
      return this.finish('resolved', 'replaced');
    }
    this.state.replacement_fallback = 'not_delivered';
    if (fate === 'returned_to_sender') {
      // Back at the warehouse: its units go back on the shelf. A lost one (the deadline) is gone.
      this.state.history.push('carrier:replacement_returned');
      await saga.compensate();
    }
    return this.finish('resolved', await this.refund(this.c.paidSen));
  }

  /** Refunds `sen` through the refund path under the case's key; what the case resolved as. */
  private async refund(sen: number): Promise<ComplaintOutcome> {
    await this.c.enter('resolving');
    this.refunds += 1;
    const result = await steps.refundComplaint({
      orderId: this.input.orderId,
      complaintId: this.input.complaintId,
      amount: fromSen(sen),
      idempotencyKey: `${this.workflowId}:refund:${this.refunds}`,
    });
    this.state.refunded_amount = result.refunded_total;
    return sen >= this.c.paidSen ? 'refunded' : 'partially_refunded';
  }

  private async finish(name: 'resolved' | 'withdrawn' | 'closed', outcome: ComplaintOutcome) {
    this.state.outcome = outcome;
    if (outcome === 'refunded') await steps.markOrderRefundedByComplaint(this.input.orderId, this.input.complaintId);
    await steps.releaseOrderCompletion(this.input.orderId, this.input.complaintId, outcome);
    await this.c.enter(name);
    return this.state;
  }
}
