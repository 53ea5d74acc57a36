/**
 * OWASP API3:2023 Broken Object Property Level Authorization, for vouchers: what the store keeps
 * (spent, used, the code, who created it, when) cannot be set through create or patch, even by an
 * operator; such a field is refused by name and nothing changes.
 */
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';

const HOUR = 3_600_000;
const refusedNaming = (res: { status: number; body: any }, field: string) => {
  expect({ field, status: res.status, code: res.body.error?.code }).toEqual({
    field,
    status: 400,
    code: 'validation_failed',
  });
  expect(JSON.stringify(res.body.error.details)).toContain(field);
};

describe('API3 voucher fields the store keeps cannot be assigned', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  const terms = () => ({
    name: 'Gratis Ongkir',
    kind: 'shipping',
    amount_off: '20000.00',
    budget_uses: 10,
    budget_amount: '200000.00',
    valid_from: new Date(Date.now() - HOUR).toISOString(),
    valid_until: new Date(Date.now() + HOUR).toISOString(),
  });
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('refuses spent, used, code and the other kept fields on create', async () => {
    const forced: Record<string, unknown> = {
      spent: '-1000000.00',
      used: -5,
      code: 'AAAAAAAAAAAA',
      id: '00000000-0000-4000-8000-000000000000',
      created_by: '00000000-0000-4000-8000-000000000000',
      created_at: '2020-01-01T00:00:00Z',
      budget: { spent: '0.00' },
      claims: [],
    };
    for (const [field, value] of Object.entries(forced))
      refusedNaming(await api.post('/admin/vouchers', { ...terms(), [field]: value }, admin), field);
    expect(await server().deps.db.voucher.count({ where: { code: 'AAAAAAAAAAAA' } })).toBe(0);
  });

  it('refuses spent, used, code and the terms on patch, changing nothing', async () => {
    const created = await api.post('/admin/vouchers', terms(), admin);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const forced: Record<string, unknown> = {
      spent: '0.00',
      used: 0,
      code: 'BBBBBBBBBBBB',
      kind: 'discount',
      amount_off: '99999999.00',
      per_shopper_limit: 100,
      user_id: '00000000-0000-4000-8000-000000000000',
      valid_from: '2020-01-01T00:00:00Z',
    };
    for (const [field, value] of Object.entries(forced))
      refusedNaming(await api.patch(`/admin/vouchers/${id}`, { status: 'paused', [field]: value }, admin), field);
    const after = await api.get(`/admin/vouchers/${id}`, admin);
    expect(after.body).toEqual(created.body);
  });

  it('answers with exactly the documented properties', async () => {
    const created = await api.post('/admin/vouchers', terms(), admin);
    expect(Object.keys(created.body).sort()).toEqual(
      [
        'amount_off',
        'budget',
        'claims',
        'code',
        'created_at',
        'id',
        'kind',
        'max_discount',
        'min_spend',
        'name',
        'per_shopper_limit',
        'percent_off',
        'scope',
        'status',
        'updated_at',
        'user_id',
        'valid_from',
        'valid_until',
      ].sort(),
    );
  });
});
