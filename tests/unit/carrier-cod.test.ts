/**
 * Cash on delivery in the carrier contract: where couriers take it (codOffered), how a wire amount
 * is read, and the intake's check that only a delivered event carries a collection.
 */
import {
  CARRIERS,
  COD_CARRIER_MAX_AMOUNT,
  amountInSen,
  codOffered,
  normalProvince,
  senToAmount,
  type CarrierCode,
  type CarrierService,
} from '../../contracts/carrier';
import { parseCarrierEvent } from '../../services/shipments/carrier-event-schema';
import { readCarrierFrame } from '../../services/shipments/carrier-frame';

const PAPUA_AND_MALUKU_UTARA = [
  'Papua',
  'Papua Barat',
  'Papua Barat Daya',
  'Papua Selatan',
  'Papua Tengah',
  'Papua Pegunungan',
  'Maluku Utara',
];
const services = Object.entries(CARRIERS).flatMap(([carrier, c]) =>
  c.services.map((service) => [carrier as CarrierCode, service as CarrierService] as const),
);

describe('codOffered', () => {
  it('offers COD on JNE REG, J&T EZ and SiCepat BEST across Java, Sumatra, Bali, Kalimantan, Sulawesi and Maluku', () => {
    for (const province of ['DKI Jakarta', 'Jawa Barat', 'Sumatera Utara', 'Bali', 'Kalimantan Timur', 'Maluku']) {
      expect(codOffered('jne', 'REG', province)).toBe(true);
      expect(codOffered('jnt', 'EZ', province)).toBe(true);
      expect(codOffered('sicepat', 'BEST', province)).toBe(true);
    }
  });

  it('never offers COD on JNE YES (same-day/next-day), wherever it goes', () => {
    expect(codOffered('jne', 'YES', 'DKI Jakarta')).toBe(false);
    expect(codOffered('jne', 'YES', 'Jawa Barat')).toBe(false);
  });

  it.each(PAPUA_AND_MALUKU_UTARA)('offers no COD to %s on any carrier or service', (province) => {
    for (const [carrier, service] of services) expect(codOffered(carrier, service, province)).toBe(false);
  });

  it('reads a province name without case, spacing or a Provinsi prefix, and its English name', () => {
    for (const written of [
      'PAPUA BARAT',
      '  papua   barat ',
      'Provinsi Papua Barat',
      'Prov. Papua Barat',
      'West Papua',
    ])
      expect(codOffered('jnt', 'EZ', written)).toBe(false);
    expect(normalProvince('Prov. Maluku  Utara')).toBe('maluku utara');
    expect(normalProvince('North Maluku')).toBe('maluku utara');
    // Maluku is not Maluku Utara, nor is a name that merely contains "Papua".
    expect(codOffered('sicepat', 'BEST', 'Maluku')).toBe(true);
    expect(codOffered('sicepat', 'BEST', 'Jalan Papua, Jakarta')).toBe(true);
  });
});

describe('carrier amounts', () => {
  it('reads and writes two-decimal IDR amounts in whole sen, the maximum included', () => {
    expect(amountInSen('125000.00')).toBe(12_500_000);
    expect(amountInSen('0.05')).toBe(5);
    expect(amountInSen(COD_CARRIER_MAX_AMOUNT)).toBe(500_000_000);
    expect(senToAmount(12_500_005)).toBe('125000.05');
    expect(senToAmount(5)).toBe('0.05');
    expect(senToAmount(amountInSen('4999999.99') + amountInSen('0.01'))).toBe(COD_CARRIER_MAX_AMOUNT);
  });
});

describe('a carrier event with cod_collected', () => {
  const event = (overrides: Record<string, unknown> = {}) => ({
    event_id: 'JNE900000001-7',
    seq: 12,
    awb: 'JNE900000001',
    reference: 'shp-1.1',
    carrier: 'jne',
    status: 'delivered',
    position: 7,
    occurred_at: '2026-12-02T10:00:00.000Z',
    ...overrides,
  });

  it('is read on a delivered event, the amount kept as sent', () => {
    const parsed = parseCarrierEvent(event({ cod_collected: { amount: '125000.00' } }));
    expect(parsed).toMatchObject({ ok: true, event: { cod_collected: { amount: '125000.00' } } });
    expect(parseCarrierEvent(event())).toMatchObject({ ok: true });
  });

  it.each(['out_for_delivery', 'delivery_failed', 'returned_to_sender', 'picked_up'])(
    'is refused on a %s event, naming the field',
    (status) => {
      expect(parseCarrierEvent(event({ status, cod_collected: { amount: '125000.00' } }))).toEqual({
        ok: false,
        field: 'cod_collected',
        message: expect.stringMatching(/only a delivered event/),
      });
    },
  );

  it.each([
    [{ amount: 125000 }, 'cod_collected.amount'],
    [{ amount: '125000' }, 'cod_collected.amount'],
    [{ amount: '125000.5' }, 'cod_collected.amount'],
    [{ amount: '-1.00' }, 'cod_collected.amount'],
    [{ amount: '0.00' }, 'cod_collected.amount'],
    [{ amount: '1,000.00' }, 'cod_collected.amount'],
    [{}, 'cod_collected.amount'],
    [{ amount: '1.00', currency: 'IDR' }, 'cod_collected'],
    ['125000.00', 'cod_collected'],
  ])('refuses a malformed collection %j, naming %s', (cod_collected, field) => {
    expect(parseCarrierEvent(event({ cod_collected }))).toMatchObject({ ok: false, field });
  });

  it('makes a stream frame with a collection on another status a malformed frame the link records and passes', () => {
    const raw = JSON.stringify({
      type: 'event',
      event: event({ status: 'out_for_delivery', position: 6, cod_collected: { amount: '1.00' } }),
    });
    expect(readCarrierFrame(raw)).toMatchObject({
      kind: 'malformed',
      frame: { seq: 12, eventId: 'JNE900000001-7', field: 'cod_collected' },
    });
  });
});
