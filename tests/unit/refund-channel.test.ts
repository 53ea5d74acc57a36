/**
 * How each method's money goes back (services/payments/refund-channel.ts): the gateway for card,
 * QRIS and e-wallets; a manual transfer for a virtual account, collected cash on delivery and a
 * part of a whole-only wallet; and whether a shopper's bank account may be asked for at all.
 */
import { Prisma } from '../../generated/prisma/client';
import { mayNeedManualTransfer, refundChannelOf } from '../../services/payments/refund-channel';

const paid = (method: string, method_detail: string | null = null) => ({
  method,
  method_detail,
  amount: new Prisma.Decimal('50000.00'),
});
const whole = new Prisma.Decimal('50000.00');
const part = new Prisma.Decimal('10000.00');

describe('refund channel by method', () => {
  it('sends a virtual account and cash on delivery back by manual transfer, whole or in part', () => {
    for (const method of ['bank_transfer', 'cod'])
      for (const amount of [whole, part]) expect(refundChannelOf(paid(method, 'bca'), amount)).toBe('manual_transfer');
  });

  it('sends card, QRIS and e-wallets through the gateway; a part of ShopeePay by manual transfer', () => {
    for (const [method, detail] of [
      ['card', null],
      ['qris', null],
      ['ewallet', 'gopay'],
      ['ewallet', 'ovo'],
    ] as const) {
      expect(refundChannelOf(paid(method, detail), whole)).toBe('gateway');
      expect(refundChannelOf(paid(method, detail), part)).toBe('gateway');
    }
    expect(refundChannelOf(paid('ewallet', 'shopeepay'), whole)).toBe('gateway');
    expect(refundChannelOf(paid('ewallet', 'shopeepay'), part)).toBe('manual_transfer');
  });

  it('asks for a bank account only where some refund may go by manual transfer', () => {
    expect(
      [
        paid('bank_transfer', 'bni'),
        paid('cod'),
        paid('ewallet', 'shopeepay'),
        paid('card'),
        paid('qris'),
        paid('ewallet', 'gopay'),
        paid('ewallet', 'dana'),
      ].map((p) => [p.method, p.method_detail, mayNeedManualTransfer(p)]),
    ).toEqual([
      ['bank_transfer', 'bni', true],
      ['cod', null, true],
      ['ewallet', 'shopeepay', true],
      ['card', null, false],
      ['qris', null, false],
      ['ewallet', 'gopay', false],
      ['ewallet', 'dana', false],
    ]);
  });
});
