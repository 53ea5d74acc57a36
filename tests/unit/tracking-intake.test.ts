/**
 * The tracking intake takes a parcel's events as one batch: one shipment lookup (remembered per
 * airway bill afterwards, never when not found), one "already recorded?" query, then one signal
 * per new event in the order given; a carrier's duplicate in the batch is signalled once; a
 * shipment whose workflow ended answers shipment_closed from that event on; a complaint's parcels
 * go to their case. Fakes for the store and the workflows.
 */
import type { CarrierEvent } from '../../contracts/carrier';
import { AppError } from '../../platform/errors';
import {
  receiveCarrierEvent,
  receiveCarrierEvents,
  type TrackingIntakeDeps,
} from '../../services/shipments/tracking-intake';

const event = (awb: string, position: number, extra: Partial<CarrierEvent> = {}): CarrierEvent => ({
  event_id: `${awb}-${position}`,
  seq: position,
  awb,
  reference: `ref-${awb}`,
  carrier: 'jne',
  status: 'packing',
  position,
  occurred_at: '2026-01-01T00:00:00.000Z',
  ...extra,
});

function fakes(options: { orders?: Record<string, string>; recorded?: string[]; closed?: string[] } = {}) {
  const calls: string[] = [];
  const kept: { event_id: string; location?: string; description?: string }[] = [];
  const signalled: Record<string, unknown>[] = [];
  const deps = {
    shipments: {
      keepEventTexts: async (events: { event_id: string; location?: string; description?: string }[]) => {
        kept.push(...events.map(({ event_id, location, description }) => ({ event_id, location, description })));
      },
      parcelsNamedBy: async (awb: string, reference: string) => {
        calls.push(`find ${awb}`);
        // Parcel X: airway bill X, reference ref-X, booked with JNE.
        const parcel = (x: string) => {
          const orderId = options.orders?.[x];
          return orderId
            ? { id: `shipment-${x}`, order_id: orderId, tracking_number: x, reference: `ref-${x}`, carrier: 'jne' }
            : undefined;
        };
        return { byAwb: parcel(awb), byReference: parcel(reference.replace(/^ref-/, '')) };
      },
      recordedEvents: async (ids: string[]) => {
        calls.push(`recorded? ${ids.join(',')}`);
        return new Set(ids.filter((id) => options.recorded?.includes(id)));
      },
    },
    carrierRefusals: {
      refuse: async (e: { event_id: string }, _source: string, reason: string) => {
        calls.push(`refuse ${e.event_id} ${reason}`);
      },
    },
    shipmentWorkflows: {
      deliverEvent: async (orderId: string, signal: { event_id: string }) => {
        calls.push(`signal ${orderId} ${signal.event_id}`);
        signalled.push(signal);
        if (options.closed?.includes(signal.event_id)) throw new AppError('not_found', 'no shipment workflow');
      },
    },
    complaintClient: {
      deliverParcelEvent: async (e: { reference: string; event_id: string }) => {
        if (!e.reference.startsWith('replacement-')) return undefined;
        calls.push(`case ${e.event_id}`);
        return 'delivered' as const;
      },
    },
  } satisfies TrackingIntakeDeps;
  return { deps, calls, kept, signalled };
}

describe('tracking intake', () => {
  it("looks a parcel's batch up once, skips what is recorded, signals the rest in order, once each", async () => {
    const { deps, calls } = fakes({ orders: { A: 'o1' }, recorded: ['A-1'] });
    const receive = receiveCarrierEvents(deps);
    const batch = [event('A', 1), event('A', 2), event('A', 3, { seq: 4 }), event('A', 2, { seq: 5 })];
    expect(await receive(batch)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(calls).toEqual(['find A', 'recorded? A-1,A-2,A-3,A-2', 'signal o1 A-2', 'signal o1 A-3']);
  });

  it("sets an event's free text aside and signals the workflow without it (a proof of delivery names a person)", async () => {
    const { deps, kept, signalled } = fakes({ orders: { A: 'o1' }, recorded: ['A-1'] });
    const text = { location: 'Bandung', description: 'Delivered to the recipient: Siti Rahayu' };
    await receiveCarrierEvents(deps)([event('A', 1, text), event('A', 7, { status: 'delivered', ...text })]);
    // Only what the workflow has not recorded yet is new; its text is kept before the signal.
    expect(kept).toEqual([{ event_id: 'A-7', ...text }]);
    expect(signalled).toHaveLength(1);
    expect(signalled[0]).toMatchObject({ event_id: 'A-7', status: 'delivered', position: 7 });
    expect(JSON.stringify(signalled)).not.toMatch(/Siti|Bandung/);
  });

  it("remembers a found parcel's order, not a missing one", async () => {
    const { deps, calls } = fakes({ orders: { A: 'o1' } });
    const receive = receiveCarrierEvents(deps);
    await receive([event('A', 1)]);
    await receive([event('A', 2)]);
    expect(await receive([event('X', 1), event('X', 2)])).toEqual(['unknown_shipment', 'unknown_shipment']);
    await receive([event('X', 3)]);
    expect(calls.filter((c) => c.startsWith('find'))).toEqual(['find A', 'find X', 'find X']);
    expect(calls.filter((c) => c.startsWith('signal'))).toEqual(['signal o1 A-1', 'signal o1 A-2']);
  });

  it('answers shipment_closed from the event whose workflow had ended, and signals nothing after it', async () => {
    const { deps, calls } = fakes({ orders: { A: 'o1' }, closed: ['A-2'] });
    const outcomes = await receiveCarrierEvents(deps)([event('A', 1), event('A', 2), event('A', 3)]);
    expect(outcomes).toEqual(['delivered', 'shipment_closed', 'shipment_closed']);
    expect(calls.filter((c) => c.startsWith('signal'))).toEqual(['signal o1 A-1', 'signal o1 A-2']);
  });

  it('takes several parcels in one call, each looked up once, and hands a complaint parcel to its case', async () => {
    const { deps, calls } = fakes({ orders: { A: 'o1', B: 'o2' } });
    const r = { reference: 'replacement-c1' };
    const outcomes = await receiveCarrierEvents(deps)([
      event('A', 1),
      event('B', 1),
      event('B', 2),
      event('R', 1, r),
      event('R', 2, r),
    ]);
    expect(outcomes).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    expect(calls).toEqual([
      'find A',
      'recorded? A-1',
      'signal o1 A-1',
      'find B',
      'recorded? B-1,B-2',
      'signal o2 B-1',
      'signal o2 B-2',
      'find R',
      'case R-1',
      'case R-2',
    ]);
  });

  it.each([
    ['its reference names another parcel', { reference: 'ref-B' }, 'awb_reference_mismatch'],
    ['its carrier is not the booked one', { carrier: 'jnt' as const }, 'carrier_mismatch'],
    [
      "its airway bill is a shipment's but its reference a complaint's parcel",
      { reference: 'return-00000000-0000-4000-8000-000000000000' },
      'awb_reference_mismatch',
    ],
  ])('refuses an event when %s: recorded, never signalled, never looked up from memory', async (_n, extra, reason) => {
    const { deps, calls } = fakes({ orders: { A: 'o1', B: 'o2' } });
    const receive = receiveCarrierEvents(deps);
    expect(await receive([event('A', 1)])).toEqual(['delivered']);
    expect(await receive([event('A', 2, extra), event('A', 3, extra)])).toEqual(['refused', 'refused']);
    expect(calls.filter((c) => !c.startsWith('recorded?'))).toEqual([
      'find A',
      'signal o1 A-1',
      'find A',
      `refuse A-2 ${reason}`,
    ]);
  });

  it("one event (the webhook's) answers its own outcome", async () => {
    const { deps } = fakes({ orders: { A: 'o1' } });
    expect(await receiveCarrierEvent(deps)(event('A', 1))).toBe('delivered');
    expect(await receiveCarrierEvent(deps)(event('Z', 1))).toBe('unknown_shipment');
  });

  it('a failed signal fails the batch (the link hands it on again)', async () => {
    const { deps } = fakes({ orders: { A: 'o1' } });
    deps.shipmentWorkflows.deliverEvent = async () => {
      throw new Error('DEADLINE_EXCEEDED');
    };
    await expect(receiveCarrierEvents(deps)([event('A', 1), event('A', 2)])).rejects.toThrow('DEADLINE_EXCEEDED');
  });
});
