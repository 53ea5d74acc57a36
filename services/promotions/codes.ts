/**
 * Voucher codes: 12 characters drawn with crypto randomness from a 31-letter alphabet that has no
 * look-alikes (no 0/O, 1/I/L), so a code read off a banner or said over the phone is typed right.
 * 31^12 ≈ 7.9e17, about 59 bits: at a million guesses a second an attacker needs ~12,500 years to
 * walk the space, and a shop with a million live codes still gives a guess ~1 chance in 787 billion.
 * Input is case-insensitive: upper-cased, with spaces and dashes (as codes are often printed) dropped.
 */
import { randomInt } from 'node:crypto';

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_LENGTH = 12;
/** What a stored code looks like (the migration's vouchers_code_check says the same). */
export const CODE_PATTERN = /^[2-9A-HJKMNP-Z]{10,20}$/;

/** A fresh code; randomInt draws without modulo bias. */
export function generateCode(length = CODE_LENGTH): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return out;
}

/** A code as typed → as stored; null when it cannot be one of ours (refused before any lookup). */
export function normalizeCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}
