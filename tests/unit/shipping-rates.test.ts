import { quote, WAREHOUSE, zoneOf } from '../../services/shipments/rates';

describe('shipping rates', () => {
  it('zones by city, province, island group, then across islands', () => {
    expect(zoneOf(WAREHOUSE, { province_id: 31, city_id: 3171 })).toBe(1);
    expect(zoneOf(WAREHOUSE, { province_id: 31, city_id: 3174 })).toBe(2);
    expect(zoneOf(WAREHOUSE, { province_id: 32, city_id: 3273 })).toBe(3); // Bandung, Java
    expect(zoneOf(WAREHOUSE, { province_id: 51, city_id: 5171 })).toBe(4); // Denpasar
  });

  it('charges per started kilogram, express dearer and faster', () => {
    const [regular, express] = quote({ province_id: 32, city_id: 3273 }, 1200);
    expect(regular).toMatchObject({ service: 'regular', cost: '36000.00', billable_kg: 2 });
    expect(express).toMatchObject({ service: 'express', cost: '65000.00' });
    expect(express!.etd_days.max).toBeLessThan(regular!.etd_days.max);
  });

  it('is deterministic and bills at least one kilogram', () => {
    expect(quote({ province_id: 91, city_id: 9171 }, 10)).toEqual(quote({ province_id: 91, city_id: 9171 }, 999));
    expect(quote({ province_id: 91, city_id: 9171 }, 10)[0]!.cost).toBe('32000.00');
  });
});
