/**
 * The complaint workflow's deadlines at their real production defaults (platform/config.ts: seller
 * answer 2 d, return shipped 3 d, inspection 2 d, offer answer 1 d, escalation 2 d) on Temporal's
 * time-skipping server, with mocked activities. Each deadline is checked from both sides: a minute
 * before it the case still waits, a minute after it the side kept waiting has won.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { ComplaintActivities } from '../../../activities/complaints';
import type { RefundActivities } from '../../../activities/refunds';
import { loadConfig } from '../../../platform/config';
import { complaintWorkflow } from '../../../workflows/complaint';
import {
  complaintActionUpdate,
  complaintStateQuery,
  type ComplaintAction,
  type ComplaintDeadlines,
  type ComplaintState,
  type ComplaintStateName,
} from '../../../workflows/complaint-contract';
import { delegateTo, eventually, quiescent, useTimeSkippingWorker } from '../../support/time-skipping';

// The production defaults, whatever the test run's environment overrides for the e2e suites.
const deadlines: ComplaintDeadlines = { ...loadConfig({}).complaints.deadlines };
const PAID = '150000.00';
const MINUTE = 60_000;
const ms = (seconds: number) => seconds * 1000;

/** Mocked activities that record what the case asked for, in order. */
function recordingActivities() {
  const calls: string[] = [];
  let refundedSen = 0;
  const activities: Partial<ComplaintActivities & RefundActivities> = {
    recordComplaintState: async ({ state }) => void calls.push(`state:${state}`),
    refundComplaint: async ({ amount }) => {
      calls.push(`refund:${amount}`);
      refundedSen += Math.round(Number(amount) * 100);
      const total = `${Math.floor(refundedSen / 100)}.${String(refundedSen % 100).padStart(2, '0')}`;
      return { refund_id: randomUUID(), status: 'refunding' as const, refunded_total: total };
    },
    restockReturnedGoods: async () => void calls.push('restock'),
    bookComplaintParcel: async ({ kind, complaintId }) => (
      calls.push(`book:${kind}`),
      { carrier: 'jne' as const, awb: `AWB-${kind}`, reference: `${kind}-${complaintId}` }
    ),
    markOrderRefundedByComplaint: async () => (calls.push('orderRefunded'), true),
    holdOrderCompletion: async () => (calls.push('hold'), true),
    releaseOrderCompletion: async (_orderId, _complaintId, outcome) => (calls.push(`release:${outcome}`), true),
  };
  return { calls, activities };
}

type Handle = WorkflowHandle<typeof complaintWorkflow>;

describe('complaint deadlines at production durations (time skipping)', () => {
  // One server and one worker for the file; each test's activities record into its own lists.
  let recorder = recordingActivities();
  beforeEach(() => {
    recorder = recordingActivities();
  });
  const temporal = useTimeSkippingWorker(() => delegateTo(() => recorder.activities));
  const env = () => temporal.env();

  async function open(calls: string[]) {
    const complaintId = randomUUID();
    // A case a failed test leaves running is terminated after it (its timers would fire into the
    // next test's skipped time).
    temporal.track(`complaint-${complaintId}`);
    const handle = await env().client.workflow.start(complaintWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: `complaint-${complaintId}`,
      args: [{ complaintId, orderId: randomUUID(), userId: randomUUID(), paidAmount: PAID, deadlines }],
    });
    await until(handle, 'awaiting_seller', calls);
    return handle;
  }

  /**
   * Polls until the case is in `name` and has recorded it (in real time: the server's clock does
   * not skip meanwhile), so its timer is running and nothing of the step is still in flight.
   */
  const until = (handle: Handle, name: ComplaintStateName, calls: string[]) =>
    eventually(name, async () => {
      const state = await handle.query(complaintStateQuery);
      return state.state === name && calls.at(-1) === `state:${name}` ? state : undefined;
    });

  /** The state once the case has acted on whatever the skipped time fired. */
  async function settled(handle: Handle): Promise<ComplaintState> {
    await quiescent(handle);
    return handle.query(complaintStateQuery);
  }

  const act = (handle: Handle, action: ComplaintAction) =>
    handle.executeUpdate(complaintActionUpdate, { args: [action] });

  /** Skips to a minute before `seconds` from now, asserts the case still waits in `name`, then past it. */
  async function expectDeadline(handle: Handle, name: ComplaintStateName, seconds: number, calls: string[]) {
    const before = calls.length;
    await env().sleep(ms(seconds) - MINUTE);
    const waiting = await settled(handle);
    expect(waiting.state).toBe(name);
    expect(waiting.history).not.toContain(`deadline:${name}`);
    expect(calls.slice(before)).toEqual([]);
    await env().sleep(2 * MINUTE);
    // Fired by now, without help: handle.result() would skip on to a later deadline by itself.
    await untilFired(handle, name);
  }

  async function untilFired(handle: Handle, name: ComplaintStateName) {
    // Quiescent a minute past the deadline: whatever it was going to fire has fired.
    await quiescent(handle);
    if (!(await handle.query(complaintStateQuery)).history.includes(`deadline:${name}`)) {
      throw new Error(`the ${name} deadline had not fired a minute after it was due`);
    }
  }

  it('seller silent for 2 days: the buyer is refunded in full, not a minute before', async () => {
    const { calls } = recorder;
    const handle = await open(calls);
    await expectDeadline(handle, 'awaiting_seller', deadlines.sellerAnswerSeconds, calls);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'resolved', outcome: 'refunded', refunded_amount: PAID });
    expect(result.history).toEqual(['deadline:awaiting_seller']);
    expect(calls).toEqual([
      'hold',
      'state:awaiting_seller',
      'state:resolving',
      `refund:${PAID}`,
      'orderRefunded',
      'release:refunded',
      'state:resolved',
    ]);
  });

  it('return accepted but not shipped within 3 days: the complaint closes without a refund', async () => {
    const { calls } = recorder;
    const handle = await open(calls);
    await act(handle, { by: 'seller', type: 'accept_return' });
    await until(handle, 'awaiting_return', calls);
    await expectDeadline(handle, 'awaiting_return', deadlines.returnShipSeconds, calls);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'closed', outcome: 'closed' });
    expect(result.history).toEqual(['seller:accept_return', 'deadline:awaiting_return']);
    expect(calls.filter((c) => c.startsWith('refund:') || c === 'restock')).toEqual([]);
    expect(calls.slice(-2)).toEqual(['release:closed', 'state:closed']);
  });

  it('return received but not inspected within 2 days: restocked and refunded in full', async () => {
    const { calls } = recorder;
    const handle = await open(calls);
    await act(handle, { by: 'seller', type: 'accept_return' });
    await act(handle, { by: 'buyer', type: 'return_shipped', tracking_number: 'JNE-RETURN-1' });
    await until(handle, 'return_in_transit', calls);
    // The return's journey has no deadline of its own: weeks pass and the case waits for it.
    await env().sleep(30 * 86_400_000);
    expect((await settled(handle)).state).toBe('return_in_transit');
    await act(handle, { by: 'seller', type: 'return_received' });
    await until(handle, 'inspecting', calls);

    await expectDeadline(handle, 'inspecting', deadlines.inspectionSeconds, calls);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'resolved', outcome: 'refunded', refunded_amount: PAID });
    expect(result.history.at(-1)).toBe('deadline:inspecting');
    expect(calls.slice(calls.indexOf('state:inspecting') + 1)).toEqual([
      'restock',
      'state:resolving',
      `refund:${PAID}`,
      'orderRefunded',
      'release:refunded',
      'state:resolved',
    ]);
  });

  it('a partial offer unanswered for 1 day: taken as accepted, exactly the offer refunded', async () => {
    const { calls } = recorder;
    const handle = await open(calls);
    await act(handle, { by: 'seller', type: 'offer_partial', amount: '40000.50' });
    await until(handle, 'offer_pending', calls);
    await expectDeadline(handle, 'offer_pending', deadlines.offerResponseSeconds, calls);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'resolved', outcome: 'partially_refunded', refunded_amount: '40000.50' });
    expect(calls.filter((c) => c.startsWith('refund:'))).toEqual(['refund:40000.50']);
    // A partial refund leaves the order's status to the shipment: it is not marked refunded.
    expect(calls).not.toContain('orderRefunded');
    expect(calls).toContain('release:partially_refunded');
  });

  it('rejected and escalated, undecided for 2 days: the buyer wins a full refund', async () => {
    const { calls } = recorder;
    const handle = await open(calls);
    await act(handle, { by: 'seller', type: 'reject' });
    await until(handle, 'escalated', calls);
    await expectDeadline(handle, 'escalated', deadlines.escalationSeconds, calls);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'resolved', outcome: 'refunded', refunded_amount: PAID });
    expect(result.history).toEqual(['seller:reject', 'deadline:escalated']);
    expect(calls.filter((c) => c.startsWith('refund:'))).toEqual([`refund:${PAID}`]);
  });

  it('each state gets a fresh timer: a counter-offer restarts the seller’s 2 days', async () => {
    const { calls } = recorder;
    const handle = await open(calls);
    // Most of the seller's first 2 days pass before the offer.
    await env().sleep(ms(deadlines.sellerAnswerSeconds) - 10 * MINUTE);
    await act(handle, { by: 'seller', type: 'offer_partial', amount: '50000.00' });
    await act(handle, { by: 'buyer', type: 'counter_offer', amount: '90000.00' });
    await until(handle, 'awaiting_seller', calls);
    await expectDeadline(handle, 'awaiting_seller', deadlines.sellerAnswerSeconds, calls);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'resolved', outcome: 'refunded', refunded_amount: PAID });
    expect(result.history.at(-1)).toBe('deadline:awaiting_seller');
  });
});
