import { client, signUp, type Client } from '../support/http';
import { bandung } from '../support/shop';
import { useServer } from '../support/server';

const address = (label: string, extra: Record<string, unknown> = {}) => ({ ...bandung, label, ...extra });

describe('users over HTTP', () => {
  const server = useServer();
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  it('shows and changes only my own profile fields', async () => {
    const me = await signUp(api);
    const profile = await api.get('/users/me', me.token);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: me.id, email: me.email });

    const changed = await api.patch('/users/me', { first_name: 'Ayu', phone: '+6285700001111' }, me.token);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      first_name: 'Ayu',
      last_name: 'Wulandari',
      phone: '+6285700001111',
      email: me.email,
    });
  });

  it.each([['email'], ['id'], ['role']])('refuses to change %s, naming the field', async (field) => {
    const me = await signUp(api);
    const res = await api.patch('/users/me', { [field]: 'x@example.id' }, me.token);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain(field);
    expect((await api.get('/users/me', me.token)).body.email).toBe(me.email);
  });

  it('keeps exactly one default address', async () => {
    const me = await signUp(api);
    const home = await api.post('/users/me/addresses', address('Rumah'), me.token);
    expect(home.status).toBe(201);
    expect(home.body.is_default).toBe(true); // the first address is the default
    const office = await api.post('/users/me/addresses', address('Kantor', { is_default: true }), me.token);
    expect(office.body.is_default).toBe(true);

    let list = await api.get('/users/me/addresses', me.token);
    expect(list.body.data.map((a: any) => [a.label, a.is_default])).toEqual([
      ['Kantor', true],
      ['Rumah', false],
    ]);

    await api.patch(`/users/me/addresses/${home.body.id}`, { is_default: true }, me.token);
    list = await api.get('/users/me/addresses', me.token);
    expect(list.body.data.filter((a: any) => a.is_default).map((a: any) => a.id)).toEqual([home.body.id]);

    expect((await api.del(`/users/me/addresses/${home.body.id}`, me.token)).status).toBe(204);
    list = await api.get('/users/me/addresses', me.token);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ id: office.body.id, is_default: true }); // the default moved on
  });

  it('names invalid address fields', async () => {
    const me = await signUp(api);
    const res = await api.post(
      '/users/me/addresses',
      address('Rumah', { postal_code: '4016', province_id: -1, subdistrict_id: 3273011001 }),
      me.token,
    );
    expect(res.status).toBe(400);
    const fields = res.body.error.details.map((d: any) => d.field).sort();
    expect(fields).toEqual(['postal_code', 'province_id', 'subdistrict_id']);
  });

  it("gives user B a 404 for user A's address and never A's profile", async () => {
    const a = await signUp(api);
    const b = await signUp(api);
    const home = await api.post('/users/me/addresses', address('Rumah'), a.token);
    expect((await api.patch(`/users/me/addresses/${home.body.id}`, { label: 'Mine now' }, b.token)).status).toBe(404);
    expect((await api.del(`/users/me/addresses/${home.body.id}`, b.token)).status).toBe(404);
    expect((await api.get('/users/me/addresses', b.token)).body.data).toEqual([]);
    expect((await api.get('/users/me', b.token)).body.id).toBe(b.id);
    const stillThere = await api.get('/users/me/addresses', a.token);
    expect(stillThere.body.data[0]).toMatchObject({ id: home.body.id, label: 'Rumah' });
  });

  it('needs a token', async () => {
    expect((await api.get('/users/me')).status).toBe(401);
    expect((await api.get('/users/me/addresses')).status).toBe(401);
  });
});
