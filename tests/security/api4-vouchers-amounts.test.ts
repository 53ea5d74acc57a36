/**
 * OWASP API4:2023 / API8:2023 for vouchers: absurd numbers (huge, negative, fractional, strings
 * for numbers, numbers for strings, exponents) are refused with a 400 naming the field, never a
 * 5xx, and a voucher can never be made to pay more than its ceiling.
 */
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';

const HOUR = 3_600_000;

describe('API4 voucher amounts and counts', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  const terms = () => ({
    name: 'Diskon',
    kind: 'discount',
    percent_off: 10,
    max_discount: '50000.00',
    budget_uses: 10,
    valid_from: new Date(Date.now() - HOUR).toISOString(),
    valid_until: new Date(Date.now() + HOUR).toISOString(),
  });
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const hostile: [string, unknown[]][] = [
    ['percent_off', [101, 0, -1, 12.5, 1e308, -1e308, 2 ** 63, '50', null, true, {}, []]],
    [
      'max_discount',
      [
        '-1.00',
        '0',
        '1e9',
        '1.001',
        '100000000.01',
        '9'.repeat(400),
        'NaN',
        'Infinity',
        ' 100',
        '1,000',
        50000,
        1e308,
        null,
        {},
      ],
    ],
    ['budget_uses', [0, -1, 1.5, 1e308, 2 ** 63, 10_000_001, '10', null]],
    ['budget_amount', ['-1.00', '0.00', '5000000000.01', '1e12', 1000000]],
    ['min_spend', ['-0.01', '1e5', 'abc', 5000]],
    ['per_shopper_limit', [0, -1, 101, 1.5, 1e308, '1']],
    ['valid_until', ['not a date', '0000-01-01T00:00:00Z', '275760-09-13T00:00:00Z', 0, 1e308]],
  ];

  it.each(hostile)('refuses absurd %s values with a 400 naming the field, never a 5xx', async (field, values) => {
    for (const value of values) {
      const res = await api.post('/admin/vouchers', { ...terms(), [field]: value }, admin);
      const named = JSON.stringify(res.body.error?.details ?? '').includes(field);
      expect({ field, value, status: res.status, named }).toEqual({ field, value, status: 400, named: true });
    }
  });

  it('refuses absurd budget changes on patch, and leaves the budget as it was', async () => {
    const created = await api.post('/admin/vouchers', { ...terms(), budget_amount: '100000.00' }, admin);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const [field, value] of [
      ['budget_amount', '-1.00'],
      ['budget_amount', '1e10'],
      ['budget_amount', 99999999999],
      ['budget_uses', -1],
      ['budget_uses', 2 ** 63],
      ['budget_uses', 'lots'],
    ] as const) {
      const res = await api.patch(`/admin/vouchers/${id}`, { [field]: value }, admin);
      expect({ field, value, status: res.status }).toEqual({ field, value, status: 400 });
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
    const after = await api.get(`/admin/vouchers/${id}`, admin);
    expect(after.body.budget).toEqual(created.body.budget);
  });

  it('caps the product scope: at most 500 products', async () => {
    const ids = Array.from({ length: 501 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const res = await api.post('/admin/vouchers', { ...terms(), scope_product_ids: ids }, admin);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain('scope_product_ids');
  });
});
