/**
 * Voucher codes typed at the cart, over HTTP against the real stack: remembered on the cart (one
 * per kind), shown with what each takes off now or why it no longer does, and the guessing limit
 * (wrong codes per account and per address, a right code free; a code of another account's
 * answered exactly as one that does not exist).
 */
import { randomUUID } from 'node:crypto';
import { adminToken, client, sansRequestId, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { newProduct } from '../support/shop';
import { clientFrom, randomAddress } from '../security/support/from-address';
import { generateCode } from '../../services/promotions/codes';

const HOUR = 3_600_000;
const window = () => ({
  valid_from: new Date(Date.now() - HOUR).toISOString(),
  valid_until: new Date(Date.now() + HOUR).toISOString(),
});

describe('vouchers at the cart', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  let product: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    product = await newProduct(api, admin, 1000, '50000.00');
  });

  const voucher = async (v: Record<string, unknown> = {}) => {
    const res = await api.post(
      '/admin/vouchers',
      { name: 'Diskon Kopi', kind: 'discount', amount_off: '10000', budget_uses: 100, ...window(), ...v },
      admin,
    );
    if (res.status !== 201) throw new Error(`voucher: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; code: string };
  };
  /** A shopper with `quantity` × Rp50.000 in the cart, calling from an address of their own. */
  const shopper = async (quantity = 2) => {
    const me = await signUp(api, { phone: `+62812${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` });
    const from = clientFrom(server().base, randomAddress());
    const added = await from.post('/cart/items', { product_id: product, quantity }, me.token);
    if (added.status !== 201) throw new Error(`cart: ${added.status}`);
    return { ...me, from };
  };
  const add = (s: { from: Client; token: string }, code: string) => s.from.post('/cart/vouchers', { code }, s.token);
  const claimFor = (userId: string, code: string, phone: string | null = null) =>
    server().services.promotions.claims.claim({
      orderId: randomUUID(),
      userId,
      identity: { phone, address: null },
      codes: [code],
      basket: { shipping: '20000.00', lines: [{ product_id: product, category: 'x', amount: '100000.00' }] },
    });

  it('remembers a code, shows it with the totals, replaces a voucher of the same kind, and removes it', async () => {
    const me = await shopper(2); // Rp100.000
    const tenOff = await voucher({ min_spend: '50000' });
    const ongkir = await voucher({ kind: 'shipping', amount_off: '15000', name: 'Gratis Ongkir' });
    const percent = await voucher({ amount_off: undefined, percent_off: 20, max_discount: '15000' });

    // As printed on a banner: lower case and dashes are read too.
    const typed = tenOff.code.toLowerCase().replace(/(.{4})(?=.)/g, '$1-');
    const first = await add(me, typed);
    expect(first.status).toBe(201);
    expect(first.body.vouchers).toEqual([
      expect.objectContaining({
        code: tenOff.code,
        kind: 'discount',
        applies: true,
        reason: null,
        amount: '10000.00',
        total_before_shipping: '90000.00',
      }),
    ]);
    expect(first.body.totals).toEqual({
      subtotal: '100000.00',
      discount: '10000.00',
      shipping_discount: '0.00',
      total_before_shipping: '90000.00',
    });

    expect((await add(me, ongkir.code)).status).toBe(201);
    // A second discount voucher replaces the first: 20% of Rp100.000 capped at Rp15.000.
    const replaced = await add(me, percent.code);
    expect(replaced.status).toBe(201);
    const cart = await me.from.get('/cart', me.token);
    expect(cart.status).toBe(200);
    expect(cart.body.vouchers.map((v: { code: string; amount: string }) => [v.code, v.amount])).toEqual([
      [percent.code, '15000.00'],
      [ongkir.code, '15000.00'],
    ]);
    expect(cart.body.totals).toEqual({
      subtotal: '100000.00',
      discount: '15000.00',
      shipping_discount: '15000.00',
      total_before_shipping: '85000.00',
    });
    expect(cart.body.items).toHaveLength(1);

    expect((await me.from.del(`/cart/vouchers/${percent.code}`, me.token)).status).toBe(204);
    expect((await me.from.del(`/cart/vouchers/${percent.code}`, me.token)).status).toBe(404);
    const after = await me.from.get('/cart', me.token);
    expect(after.body.vouchers.map((v: { code: string }) => v.code)).toEqual([ongkir.code]);
    expect(after.body.totals).toMatchObject({ discount: '0.00', shipping_discount: '15000.00' });

    // Emptying the cart forgets its codes.
    expect((await me.from.del('/cart', me.token)).status).toBe(204);
    expect((await me.from.get('/cart', me.token)).body.vouchers).toEqual([]);
  });

  it('a code no longer applies once the cart shrinks below its minimum spend, and says so', async () => {
    const me = await shopper(2);
    const v = await voucher({ min_spend: '80000' });
    expect((await add(me, v.code)).status).toBe(201);
    expect((await me.from.patch(`/cart/items/${product}`, { quantity: 1 }, me.token)).status).toBe(200);
    const cart = await me.from.get('/cart', me.token);
    expect(cart.body.vouchers).toEqual([
      expect.objectContaining({ code: v.code, applies: false, reason: 'min_spend_not_met', amount: '0.00' }),
    ]);
    expect(cart.body.totals).toEqual({
      subtotal: '50000.00',
      discount: '0.00',
      shipping_discount: '0.00',
      total_before_shipping: '50000.00',
    });
    // Typed again now, it is refused with the minimum it needs.
    const again = await add(me, v.code);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toMatchObject({ reason: 'min_spend_not_met', min_spend: '80000.00' });
  });

  it('the per-person limit counts another account sharing a verified phone, and the account itself', async () => {
    const v = await voucher({ per_shopper_limit: 1 });
    const me = await shopper(2);
    const twin = await signUp(api, { phone: me.phone });
    // Both phones verified: the limit counts the person behind them (identity.ts).
    await server().deps.db.credential.updateMany({
      where: { user_id: { in: [me.id, twin.id] } },
      data: { phone_verified: true },
    });
    expect((await add(me, v.code)).status).toBe(201);
    await claimFor(twin.id, v.code, me.phone);
    const cart = await me.from.get('/cart', me.token);
    expect(cart.body.vouchers).toEqual([
      expect.objectContaining({ code: v.code, applies: false, reason: 'per_shopper_limit' }),
    ]);
    expect((await add(me, v.code)).body.error.details).toMatchObject({ reason: 'per_shopper_limit' });

    // Without a phone: the account's own earlier use.
    const other = await shopper(2);
    const once = await voucher({ per_shopper_limit: 1 });
    await claimFor(other.id, once.code);
    const refused = await add(other, once.code);
    expect([refused.status, refused.body.error.details.reason]).toEqual([409, 'per_shopper_limit']);
  });

  it('paused, expired and used-up codes are refused with their reason, and a remembered one shows it', async () => {
    const me = await shopper(2);
    const paused = await voucher();
    expect((await add(me, paused.code)).status).toBe(201);
    expect((await api.patch(`/admin/vouchers/${paused.id}`, { status: 'paused' }, admin)).status).toBe(200);
    expect((await me.from.get('/cart', me.token)).body.vouchers).toEqual([
      expect.objectContaining({ code: paused.code, applies: false, reason: 'paused' }),
    ]);
    expect((await add(me, paused.code)).body.error.details).toMatchObject({ reason: 'paused', code: paused.code });

    const expired = await voucher();
    await server().deps.db.voucher.update({
      where: { id: expired.id },
      data: { valid_from: new Date(Date.now() - 2 * HOUR), valid_until: new Date(Date.now() - HOUR) },
    });
    const late = await add(me, expired.code);
    expect([late.status, late.body.error.details.reason]).toEqual([409, 'expired']);

    const single = await voucher({ budget_uses: 1 });
    await claimFor(randomUUID(), single.code);
    const gone = await add(me, single.code);
    expect([gone.status, gone.body.error.details.reason]).toEqual([409, 'uses_exhausted']);
  });

  it('a malformed code is a 400 naming the field', async () => {
    const me = await shopper(1);
    for (const code of ['', 'O0O0-IIII-LLLL', 'x'.repeat(41), 12345]) {
      const res = await add(me, code as string);
      expect([code, res.status, res.body.error.details[0].field]).toEqual([code, 400, 'code']);
    }
    const res = await me.from.del('/cart/vouchers/not-a-code!', me.token);
    expect([res.status, res.body.error.details[0]]).toEqual([
      400,
      expect.objectContaining({ field: 'code', in: 'path' }),
    ]);
  });

  describe('guessing', () => {
    it('answers a code of another account exactly as one that does not exist', async () => {
      const owner = await shopper(2);
      const mine = await voucher({ user_id: owner.id });
      const stranger = await shopper(2);
      const notYours = await add(stranger, mine.code);
      const unknown = await add(stranger, generateCode());
      const strip = (res: { status: number; body: any }) => {
        const body = sansRequestId(res.body) as any;
        return { status: res.status, ...body, error: { ...body.error, details: { ...body.error.details, code: 'X' } } };
      };
      expect(strip(notYours)).toEqual(strip(unknown));
      expect(notYours.body.error.details.reason).toBe('unknown_code');
      // Its owner uses it.
      expect((await add(owner, mine.code)).status).toBe(201);
    });

    it('the 11th wrong code of an account is 429 with Retry-After; right codes spend nothing', async () => {
      const me = await shopper(2);
      const right = await voucher();
      for (let i = 0; i < 15; i++) expect((await add(me, right.code)).status).toBe(201);
      const limit = server().config.rateLimits.voucherCodeFailuresPerAccount;
      for (let i = 0; i < limit; i++) {
        const res = await add(me, generateCode());
        expect([i, res.status, res.body.error.details.reason]).toEqual([i, 409, 'unknown_code']);
      }
      const refused = await add(me, generateCode());
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Past the budget even a right code is refused before any lookup: the 429 says nothing of the code.
      expect((await add(me, right.code)).status).toBe(429);
      // The same account from another address is still limited (per account, whatever the address).
      expect((await clientFrom(server().base).post('/cart/vouchers', { code: right.code }, me.token)).status).toBe(429);
    });

    it('wrong codes from one address across accounts are limited per address', async () => {
      const address = randomAddress();
      const perAccount = server().config.rateLimits.voucherCodeFailuresPerAccount;
      const perAddress = server().config.rateLimits.voucherCodeFailuresPerAddress;
      let spent = 0;
      while (spent < perAddress) {
        const s = await shopper(1);
        const from = clientFrom(server().base, address);
        for (let i = 0; i < perAccount && spent < perAddress; i++, spent++)
          expect((await from.post('/cart/vouchers', { code: generateCode() }, s.token)).status).toBe(409);
      }
      const fresh = await shopper(1);
      const refused = await clientFrom(server().base, address).post(
        '/cart/vouchers',
        { code: generateCode() },
        fresh.token,
      );
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // The same account elsewhere is not limited by that address.
      expect((await fresh.from.post('/cart/vouchers', { code: generateCode() }, fresh.token)).status).toBe(409);
    });
  });
});
