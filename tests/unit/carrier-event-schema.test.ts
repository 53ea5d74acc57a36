/**
 * A carrier event's text meets the input policy's rule even on the stream, which never passes the
 * API's middleware: identifiers with a refused character are refused, tracking text is kept
 * without the characters and the cleaned fields are named (the link logs them).
 */
import { parseCarrierEvent } from '../../services/shipments/carrier-event-schema';

const event = (overrides: Record<string, unknown> = {}) => ({
  event_id: 'JNE900000001-4',
  seq: 12,
  awb: 'JNE900000001',
  reference: '5f0c7b9e-0000-4000-8000-000000000001.1',
  carrier: 'jne',
  status: 'arrived_facility',
  position: 4,
  occurred_at: '2026-12-02T10:00:00.000Z',
  location: 'Gudang Bandung',
  description: 'Paket tiba di gudang',
  ...overrides,
});

describe('parseCarrierEvent: text', () => {
  it.each([
    ['awb', 'JNE900000001\u202E'],
    ['reference', '\u2066ref'],
    ['event_id', 'JNE900000001\u200B-4'],
    ['awb', 'JNE9000\u0000'],
  ])('refuses an identifier (%s) holding a refused character, naming it', (field, value) => {
    const parsed = parseCarrierEvent(event({ [field]: value }));
    expect(parsed).toEqual({ ok: false, field, message: expect.stringMatching(/U\+[0-9A-F]{4}/) });
  });

  it('takes direction overrides, isolates, invisible and control characters out of tracking text, naming the fields', () => {
    const parsed = parseCarrierEvent(
      event({ location: 'Gudang \u202EgnudnaB', description: 'Paket\u200B tiba\u0000 di \u2066gudang\u2069' }),
    );
    expect(parsed).toEqual({
      ok: true,
      cleaned: ['location', 'description'],
      event: expect.objectContaining({ location: 'Gudang gnudnaB', description: 'Paket tiba di gudang' }),
    });
  });

  it('changes nothing in ordinary text, emoji sequences included, and names no field', () => {
    const description = 'Diterima oleh Sari \u{1F469}\u200D\u{1F4BB}\nterima kasih';
    const parsed = parseCarrierEvent(event({ description }));
    expect(parsed).toEqual({ ok: true, cleaned: [], event: expect.objectContaining({ description }) });
    expect(parseCarrierEvent(event({ location: undefined, description: undefined }))).toMatchObject({
      ok: true,
      cleaned: [],
    });
  });
});
