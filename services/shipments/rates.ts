/**
 * Shipping tariffs: deterministic, by zone (same city, same province, same island group, across
 * islands) and weight rounded up to the kilogram, as Indonesian couriers price. Province ids are
 * BPS codes, whose first digit is the island group (1 Sumatra, 3 Java, 5 Bali–Nusa Tenggara,
 * 6 Kalimantan, 7 Sulawesi, 8 Maluku, 9 Papua). Parcels ship from the Jakarta warehouse.
 */
import { Prisma } from '../../generated/prisma/client';

export interface Place {
  province_id: number;
  city_id: number;
}

export type ShippingService = 'regular' | 'express';

export interface Rate {
  service: ShippingService;
  cost: string;
  etd_days: { min: number; max: number };
  zone: number;
  billable_kg: number;
}

export const WAREHOUSE: Place = { province_id: 31, city_id: 3171 };

/** Per-kilogram price in IDR and delivery days, by zone 1..4. */
const REGULAR = [
  { perKg: 9000, days: [1, 2] },
  { perKg: 12000, days: [2, 3] },
  { perKg: 18000, days: [2, 4] },
  { perKg: 32000, days: [4, 7] },
] as const;

const EXPRESS_FACTOR = 1.8;

export function zoneOf(from: Place, to: Place): number {
  if (from.city_id === to.city_id) return 1;
  if (from.province_id === to.province_id) return 2;
  if (String(from.province_id)[0] === String(to.province_id)[0]) return 3;
  return 4;
}

/** Both services' rates for a parcel, regular first. */
export function quote(to: Place, weightGrams: number, from: Place = WAREHOUSE): Rate[] {
  const zone = zoneOf(from, to);
  const tier = REGULAR[zone - 1]!;
  const kg = Math.max(1, Math.ceil(weightGrams / 1000));
  const regular = new Prisma.Decimal(tier.perKg).mul(kg);
  return [
    {
      service: 'regular',
      cost: regular.toFixed(2),
      etd_days: { min: tier.days[0], max: tier.days[1] },
      zone,
      billable_kg: kg,
    },
    {
      service: 'express',
      // Rounded up to the next 500 rupiah, the way couriers print prices.
      cost: regular.mul(EXPRESS_FACTOR).div(500).ceil().mul(500).toFixed(2),
      etd_days: { min: Math.max(1, tier.days[0] - 1), max: Math.max(1, tier.days[1] - 2) },
      zone,
      billable_kg: kg,
    },
  ];
}

export function quoteFor(service: ShippingService, to: Place, weightGrams: number): Rate {
  return quote(to, weightGrams).find((r) => r.service === service)!;
}
