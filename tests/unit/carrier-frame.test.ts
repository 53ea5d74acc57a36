/** Reading one frame of the carrier's push stream: an event, another frame type, or a malformed frame named by field. */
import { readCarrierFrame } from '../../services/shipments/carrier-frame';

const event = {
  event_id: 'JNE0000000001-3',
  seq: 12,
  awb: 'JNE0000000001',
  reference: 'shp_1',
  carrier: 'jne',
  status: 'picked_up',
  position: 3,
  occurred_at: '2026-12-02T10:00:00.000Z',
  location: 'Origin',
};
const frame = (e: unknown) => JSON.stringify({ type: 'event', event: e });

describe('readCarrierFrame', () => {
  it('reads an event, and passes frames of other types', () => {
    expect(readCarrierFrame(frame(event))).toMatchObject({ kind: 'event', event: { seq: 12 }, cleaned: [] });
    expect(readCarrierFrame(JSON.stringify({ type: 'hello', version: 2 }))).toEqual({ kind: 'other' });
  });

  it('names the field at fault and keeps the seq and the event id when they are usable', () => {
    const read = readCarrierFrame(frame({ ...event, status: 'teleported' }));
    expect(read).toMatchObject({
      kind: 'malformed',
      frame: { seq: 12, eventId: 'JNE0000000001-3', field: 'status' },
    });
  });

  it('gives a frame without a usable event id an id of its own, the same for the same frame', () => {
    const bad = frame({ ...event, event_id: 'x\u202Ey' });
    const read = readCarrierFrame(bad);
    expect(read).toMatchObject({ kind: 'malformed', frame: { field: 'event_id', seq: 12 } });
    const id = read.kind === 'malformed' ? read.frame.eventId : '';
    expect(id).toMatch(/^malformed:[0-9a-f]{40}$/);
    expect(readCarrierFrame(bad)).toMatchObject({ frame: { eventId: id } });
    expect(readCarrierFrame(frame({ ...event, event_id: 'x\u202Ez' }))).not.toMatchObject({ frame: { eventId: id } });
  });

  it.each([
    ['not JSON', '{"type":"event",', 'frame'],
    ['not an object', '[1,2]', 'frame'],
    ['JSON null', 'null', 'frame'],
    ['an event that is not an object', frame('JNE1'), 'event'],
    ['a seq that is not a positive integer', frame({ ...event, seq: '12' }), 'seq'],
  ])('refuses %s, with no seq to ack', (_what, raw, field) => {
    expect(readCarrierFrame(raw)).toMatchObject({ kind: 'malformed', frame: { field, seq: undefined, raw } });
  });
});
