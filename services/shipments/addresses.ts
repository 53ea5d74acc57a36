/**
 * Addresses as the carrier's booking API takes them (contracts/carrier.ts): the
 * warehouse parcels leave from, and an order's address snapshot with the recipient's name and phone.
 */
import type { Address } from '../../contracts/carrier';

/** The Jakarta warehouse (rates.ts prices from it too). */
export const WAREHOUSE_ADDRESS: Address = {
  name: 'Gudang Pasar',
  phone: '+62215550100',
  line1: 'Jl. Gudang Utama No. 1, Cakung',
  city: 'Jakarta Timur',
  province: 'DKI Jakarta',
  postal_code: '13910',
};

const text = (value: unknown, fallback: string) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;

/** An order's address snapshot (users.addresses at checkout time) for the carrier's label. */
export function toCarrierAddress(snapshot: Record<string, unknown>, recipient: string, phone: string): Address {
  const postal = text(snapshot.postal_code, '');
  return {
    name: text(recipient, 'Pelanggan Pasar').slice(0, 100),
    phone: text(phone, '+620000000000').slice(0, 20),
    line1: [snapshot.street, snapshot.subdistrict_name, snapshot.district_name]
      .filter((p): p is string => typeof p === 'string' && p !== '')
      .join(', ')
      .slice(0, 255),
    city: text(snapshot.city_name, 'unknown').slice(0, 100),
    province: text(snapshot.province_name, 'unknown').slice(0, 100),
    // The carrier wants five digits; a snapshot without one goes to the sorting centre's default.
    postal_code: /^\d{5}$/.test(postal) ? postal : '00000',
  };
}
