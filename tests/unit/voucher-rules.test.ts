/** The voucher rules without a database: what a voucher takes off, its terms, codes and the person keys. */
import { CODE_ALPHABET, generateCode, normalizeCode } from '../../services/promotions/codes';
import { identityKeys, normalizeAddress, normalizePhone } from '../../services/promotions/identity';
import { discountFor, stackProblem, type Basket, type VoucherTerms } from '../../services/promotions/rules';
import { newVoucherProblems, type NewVoucher } from '../../services/promotions/terms';

const KOPI = '11111111-1111-4111-8111-111111111111';
const BATIK = '22222222-2222-4222-8222-222222222222';
const basket: Basket = {
  shipping: '18000.00',
  lines: [
    { product_id: KOPI, category: 'kopi', amount: '125000.50' },
    { product_id: BATIK, category: 'batik', amount: '350000.00' },
  ],
};
const base: VoucherTerms = {
  kind: 'discount',
  amount_off: null,
  percent_off: null,
  max_discount: null,
  min_spend: '0.00',
  scope_product_ids: [],
  scope_category: null,
};
const terms = (t: Partial<VoucherTerms>): VoucherTerms => ({ ...base, ...t });

describe('discountFor', () => {
  it('covers shipping up to its amount, never more than the shipping', () => {
    expect(discountFor(terms({ kind: 'shipping', amount_off: '10000.00' }), basket)).toEqual({
      amount: '10000.00',
      reason: null,
    });
    expect(discountFor(terms({ kind: 'shipping', amount_off: '50000.00' }), basket).amount).toBe('18000.00');
    // Free shipping already: a shipping voucher has nothing to take off, so it would spend a use for nothing.
    expect(discountFor(terms({ kind: 'shipping', amount_off: '50000.00' }), { ...basket, shipping: '0.00' })).toEqual({
      amount: '0.00',
      reason: 'not_applicable',
    });
  });

  it('takes a fixed amount off, never more than the eligible lines', () => {
    expect(discountFor(terms({ amount_off: '20000.00' }), basket).amount).toBe('20000.00');
    expect(discountFor(terms({ amount_off: '200000.00', scope_category: 'kopi' }), basket).amount).toBe('125000.50');
  });

  it('rounds a percentage down to the whole rupiah, and caps it', () => {
    // 10% of 475,000.50 is 47,500.05: the shopper gets Rp47.500, never a fraction above the percentage.
    expect(discountFor(terms({ percent_off: 10, max_discount: '100000.00' }), basket).amount).toBe('47500.00');
    expect(discountFor(terms({ percent_off: 10, max_discount: '30000.00' }), basket).amount).toBe('30000.00');
    // 33% of 125,000.50 = 41,250.165 → 41,250.
    expect(
      discountFor(terms({ percent_off: 33, max_discount: '999999.00', scope_product_ids: [KOPI] }), basket).amount,
    ).toBe('41250.00');
    expect(
      discountFor(terms({ percent_off: 100, max_discount: '999999.00', scope_category: 'batik' }), basket).amount,
    ).toBe('350000.00');
  });

  it('refuses a percentage over 100 or under 1 rather than pay the shopper', () => {
    for (const percent_off of [101, 0, -5, 12.5])
      expect(() => discountFor(terms({ percent_off, max_discount: '1000.00' }), basket)).toThrow(RangeError);
  });

  it('applies to its scope only, and measures the minimum spend on the eligible lines', () => {
    expect(discountFor(terms({ amount_off: '5000.00', scope_category: 'teh' }), basket)).toEqual({
      amount: '0.00',
      reason: 'not_applicable',
    });
    expect(discountFor(terms({ amount_off: '5000.00', scope_product_ids: [BATIK.toUpperCase()] }), basket).amount).toBe(
      '5000.00',
    );
    // The basket is Rp475.000 but only Rp125.000 of it is coffee.
    expect(
      discountFor(terms({ amount_off: '5000.00', scope_category: 'kopi', min_spend: '200000.00' }), basket),
    ).toEqual({
      amount: '0.00',
      reason: 'min_spend_not_met',
    });
    expect(discountFor(terms({ amount_off: '5000.00', min_spend: '475000.50' }), basket).amount).toBe('5000.00');
    expect(discountFor(terms({ amount_off: '5000.00', min_spend: '475000.51' }), basket).reason).toBe(
      'min_spend_not_met',
    );
  });
});

describe('stacking', () => {
  it('allows one shipping and one discount voucher, not two of a kind nor one twice', () => {
    expect(
      stackProblem([
        { id: 'a', kind: 'shipping' },
        { id: 'b', kind: 'discount' },
      ]),
    ).toBeNull();
    expect(
      stackProblem([
        { id: 'a', kind: 'discount' },
        { id: 'b', kind: 'discount' },
      ]),
    ).toBe('discount');
    expect(
      stackProblem([
        { id: 'a', kind: 'shipping' },
        { id: 'b', kind: 'shipping' },
      ]),
    ).toBe('shipping');
    expect(
      stackProblem([
        { id: 'a', kind: 'shipping' },
        { id: 'a', kind: 'shipping' },
      ]),
    ).toBe('duplicate');
  });
});

describe('voucher terms', () => {
  const valid: NewVoucher = {
    name: 'Diskon Kopi',
    kind: 'discount',
    percent_off: 10,
    max_discount: '25000.00',
    valid_from: new Date('2026-12-01T00:00:00Z'),
    valid_until: new Date('2026-12-31T00:00:00Z'),
    budget_uses: 100,
  };
  const fields = (v: Partial<NewVoucher>) => newVoucherProblems({ ...valid, ...v }).map((p) => p.field);

  it('accepts sound terms', () => expect(newVoucherProblems(valid)).toEqual([]));

  it('names the field of each broken term', () => {
    expect(fields({ percent_off: 101 })).toEqual(['percent_off']);
    expect(fields({ percent_off: 0 })).toEqual(['percent_off']);
    expect(fields({ max_discount: null })).toEqual(['max_discount']);
    expect(fields({ max_discount: '-5.00' })).toEqual(['max_discount']);
    expect(fields({ max_discount: '10.001' })).toEqual(['max_discount']);
    expect(fields({ max_discount: '100000000.01' })).toEqual(['max_discount']);
    expect(fields({ amount_off: '5000.00' })).toEqual(['amount_off']);
    expect(fields({ valid_until: valid.valid_from })).toEqual(['valid_until']);
    expect(fields({ budget_uses: null })).toEqual(['budget_amount']);
    expect(fields({ budget_uses: 0 })).toEqual(['budget_uses']);
    expect(fields({ budget_amount: '0.00' })).toEqual(['budget_amount']);
    expect(fields({ budget_amount: '9999999999.00' })).toEqual(['budget_amount']);
    expect(fields({ per_shopper_limit: 0 })).toEqual(['per_shopper_limit']);
    expect(fields({ scope_product_ids: [KOPI], scope_category: 'kopi' })).toEqual(['scope_category']);
    expect(fields({ kind: 'shipping', percent_off: null, max_discount: null })).toEqual(['amount_off']);
    expect(fields({ kind: 'shipping', amount_off: '20000.00' })).toEqual(['percent_off', 'max_discount']);
  });
});

describe('codes', () => {
  it('are drawn from the unambiguous alphabet, twelve long, and differ', () => {
    const codes = Array.from({ length: 2000 }, () => generateCode());
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) {
      expect(c).toHaveLength(12);
      expect([...c].every((ch) => CODE_ALPHABET.includes(ch))).toBe(true);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it('are read in any case, with spaces and dashes dropped; anything else is no code', () => {
    expect(normalizeCode('abcd-efgh 2345')).toBe('ABCDEFGH2345');
    expect(normalizeCode('ABCD0FGH2345')).toBeNull(); // a zero is never in a code
    expect(normalizeCode("' OR 1=1 --")).toBeNull();
    expect(normalizeCode('')).toBeNull();
  });
});

describe('one per person', () => {
  it('reads one phone number however it is written', () => {
    expect(normalizePhone('+62 812-3456-7890')).toBe('6281234567890');
    expect(normalizePhone('081234567890')).toBe('6281234567890');
    expect(normalizePhone('81234567890')).toBe('6281234567890');
  });

  it('reads one address however it is written', () => {
    const a = normalizeAddress({ street: 'Jalan Asia Afrika No. 8, RT 001/RW 02', postal_code: '40111' });
    expect(normalizeAddress({ street: 'jl asia afrika nomor 8 rt 1 rw 2', postal_code: '40111' })).toBe(a);
    expect(normalizeAddress({ street: 'JLN. ASIA AFRIKA NO 8  RT 01 / RW 002', postal_code: '40111' })).toBe(a);
    expect(normalizeAddress({ street: 'Jalan Asia Afrika No. 9', postal_code: '40111' })).not.toBe(
      normalizeAddress({ street: 'Jalan Asia Afrika No. 8', postal_code: '40111' }),
    );
  });

  it('keys the account, the verified phone and the address, with no phone or street in clear', () => {
    const keys = identityKeys(KOPI, {
      phone: '081234567890',
      address: { street: 'Jl. Braga No. 1', postal_code: '40111' },
    });
    expect(keys).toHaveLength(3);
    expect(keys.join(' ')).not.toMatch(/8123|braga/i);
    expect(identityKeys(BATIK, { phone: '+6281234567890', address: null })).toContain(
      keys.find((k) => k.startsWith('phone:')),
    );
    expect(identityKeys(BATIK, { phone: null, address: null })).toEqual([`account:${BATIK}`]);
  });
});
