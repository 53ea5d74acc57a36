/**
 * Money in analytics is integer sen (1/100 rupiah) in ClickHouse Int64 and bigint in code: exact
 * sums, no floats anywhere. It enters as Postgres-style "15000.00" strings and leaves the same way.
 */

/** "15000.00" → 1500000n. Throws on anything but a non-negative two-place decimal. */
export function toSen(amount: string): bigint {
  const m = /^(\d+)\.(\d{2})$/.exec(amount);
  if (!m) throw new Error(`not a two-place amount: ${amount}`);
  return BigInt(m[1]!) * 100n + BigInt(m[2]!);
}

/** 1500000n → "15000.00"; accepts ClickHouse's Int64 (a string in JSON) or a number too. */
export function fromSen(sen: bigint | string | number): string {
  const v = BigInt(sen);
  const sign = v < 0n ? '-' : '';
  const abs = v < 0n ? -v : v;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Average in sen, rounded half up; zero when there is nothing to divide. */
export function averageSen(totalSen: bigint, count: number): bigint {
  if (count === 0) return 0n;
  const n = BigInt(count);
  return (totalSen * 2n + n) / (2n * n);
}
