/** A real-looking Indonesian shipping address (Bandung) for the demo walk-through and the tests. */
import type { AddressFields } from './store';

export const DEMO_ADDRESS: AddressFields = {
  label: 'Rumah',
  province_id: 32,
  province_name: 'Jawa Barat',
  city_id: 3273,
  city_name: 'Kota Bandung',
  district_id: 327301,
  district_name: 'Sukajadi',
  subdistrict_id: 32730110,
  subdistrict_name: 'Pasteur',
  street: 'Jl. Dr. Djundjunan No. 143',
  postal_code: '40161',
};
