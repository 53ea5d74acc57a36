/**
 * "One per person" (issue 22, item 5): a voucher's per-shopper limit counts a claim against three
 * keys of the person behind the order, and a claim is refused when ANY of them is at the limit:
 *   - the account (user id);
 *   - the verified phone number (normalized to 62…): a second account needs a second SIM, which
 *     costs money and an identity registration in Indonesia. Only a VERIFIED number may be given:
 *     an unverified one is just text, and anyone could type a stranger's number to use up their
 *     voucher;
 *   - the delivery address (normalized: case, punctuation, "Jalan/Jln/Jl.", "Nomor/No.", leading
 *     zeros of RT/RW numbers, plus the postal code): ten accounts shipping to one door are one
 *     person for a flash voucher.
 * False positives, accepted for a promotion (never for anything a shopper has paid for): members of
 * one family or a boarding house (kos) sharing an address, an office or apartment block whose
 * address has no unit number, or a reused phone number, are one "person" here; the second of them
 * is told `per_shopper_limit` and pays the normal price. False negatives: one person with two SIMs
 * and two addresses, or an address written two genuinely different ways, still gets two.
 * Keys are stored as SHA-256 digests, so the promotions schema holds no phone number or address in
 * clear; this is pseudonymous, not anonymous (a phone number's digest can be found by trying every
 * number), which is why they stay in this service's schema and are never published.
 */
import { createHash } from 'node:crypto';

export interface ShopperIdentity {
  /** The account's phone number, ONLY if verified (otherwise null). */
  phone: string | null;
  /** The order's delivery address. */
  address: { street: string; postal_code: string } | null;
}

export function normalizePhone(phone: string): string | null {
  let digits = phone.replace(/\D/g, '');
  if (digits.startsWith('0')) digits = `62${digits.slice(1)}`;
  else if (digits.startsWith('8')) digits = `62${digits}`;
  return digits.length >= 9 ? digits : null;
}

const WORDS: [RegExp, string][] = [
  [/\b(jalan|jln|jl)\b/g, 'jl'],
  [/\b(nomor|nomer|no)\b/g, 'no'],
  [/\b(gang|gg)\b/g, 'gg'],
  [/\b(blok|blk)\b/g, 'blok'],
];

export function normalizeAddress(a: { street: string; postal_code: string }): string {
  let s = a.street.toLowerCase().normalize('NFKC');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ');
  for (const [re, to] of WORDS) s = s.replace(re, to);
  s = s.replace(/\b0+(\d)/g, '$1'); // RT 001 = RT 1
  return `${a.postal_code.replace(/\D/g, '')}|${s.replace(/\s+/g, ' ').trim()}`;
}

const digest = (kind: string, value: string) =>
  `${kind}:${createHash('sha256').update(`${kind}:${value}`).digest('hex')}`;

/** The keys a claim counts against, sorted (the claim store locks them in this order: no deadlocks). */
export function identityKeys(userId: string, identity: ShopperIdentity): string[] {
  const keys = [`account:${userId.toLowerCase()}`];
  const phone = identity.phone ? normalizePhone(identity.phone) : null;
  if (phone) keys.push(digest('phone', phone));
  if (identity.address) keys.push(digest('address', normalizeAddress(identity.address)));
  return keys.sort();
}
