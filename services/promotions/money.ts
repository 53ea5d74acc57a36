/**
 * Voucher money as integer sen (1/100 rupiah) in bigint: exact, no floats. Amounts enter and
 * leave as Postgres-style decimal strings ("15000.00"; "15000" and "15000.5" are read too).
 */
const DECIMAL = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** "15000.50" → 1500050n; throws on anything but a non-negative decimal with at most two places. */
export function toSen(amount: string): bigint {
  const m = DECIMAL.exec(amount);
  if (!m) throw new Error(`not an amount: ${amount}`);
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

export const isAmount = (s: string) => DECIMAL.test(s);

/** 1500050n → "15000.50". */
export function fromSen(sen: bigint): string {
  const sign = sen < 0n ? '-' : '';
  const abs = sen < 0n ? -sen : sen;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export const minSen = (...xs: bigint[]) => xs.reduce((a, b) => (b < a ? b : a));
