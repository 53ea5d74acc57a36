/**
 * The carrier event rule (services/shipments/carrier-event-rules.ts): an event's airway bill,
 * reference and carrier must name one parcel, or it is refused with the reason; an event of a
 * booking not recorded yet, or of an earlier booking of the same shipment, names it by its id.
 */
import { judgeCarrierEvent, type BookedParcel } from '../../services/shipments/carrier-event-rules';

const A: BookedParcel = { id: 'a', order_id: 'order-a', tracking_number: 'JNE1', reference: 'a', carrier: 'jne' };
const B: BookedParcel = { id: 'b', order_id: 'order-b', tracking_number: 'SCP2', reference: 'b', carrier: 'sicepat' };
const event = (awb: string, reference: string, carrier: 'jne' | 'jnt' | 'sicepat' = 'jne') => ({
  awb,
  reference,
  carrier,
});

describe('carrier event rule', () => {
  it('applies an event naming one booking by all three', () => {
    expect(judgeCarrierEvent(event('JNE1', 'a'), { byAwb: A, byReference: A })).toEqual({ kind: 'apply', shipment: A });
  });

  it.each([
    [
      'the airway bill names one parcel, the reference another',
      event('JNE1', 'b'),
      { byAwb: A, byReference: B },
      'awb_reference_mismatch',
      ['a', 'b'],
    ],
    [
      "the airway bill is the parcel's, the reference names nothing",
      event('JNE1', 'zzz'),
      { byAwb: A, byReference: undefined },
      'reference_mismatch',
      ['a'],
    ],
    [
      "the reference is the booking's, the airway bill names nothing",
      event('JNE999', 'a'),
      { byAwb: undefined, byReference: A },
      'awb_mismatch',
      ['a'],
    ],
    ['both agree, another carrier', event('JNE1', 'a', 'jnt'), { byAwb: A, byReference: A }, 'carrier_mismatch', ['a']],
    [
      "a complaint's parcel reference with a shipment's airway bill",
      event('JNE1', 'return-x'),
      { byAwb: A, byReference: undefined },
      'awb_reference_mismatch',
      ['a'],
    ],
  ])('refuses when %s', (_name, e, named, reason, ids) => {
    expect(judgeCarrierEvent(e, named, e.reference.startsWith('return-'))).toEqual({
      kind: 'refused',
      reason,
      shipmentIds: ids,
    });
  });

  it('an event before its booking is recorded names the shipment by its id', () => {
    const pending = { ...A, tracking_number: null, reference: null, carrier: null };
    expect(judgeCarrierEvent(event('JNE7', 'a'), { byAwb: undefined, byReference: pending }).kind).toBe('apply');
  });

  it("an earlier booking's event (a rebook) goes on: the workflow sets it aside", () => {
    const rebooked = { ...A, tracking_number: 'SCP9', reference: 'a.2', carrier: 'sicepat' };
    expect(judgeCarrierEvent(event('JNE1', 'a'), { byAwb: undefined, byReference: rebooked }).kind).toBe('apply');
  });

  it('names nothing: unknown', () => {
    expect(judgeCarrierEvent(event('X', 'y'), { byAwb: undefined, byReference: undefined })).toEqual({
      kind: 'unknown',
    });
  });
});
