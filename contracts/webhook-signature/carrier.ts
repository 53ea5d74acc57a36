/**
 * The carrier's webhook signature (contracts/carrier.ts): `X-Carrier-Timestamp:
 * <unix seconds>` and `X-Carrier-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw
 * body>")>`. Verification compares in constant time and refuses a timestamp more than five minutes
 * old, so a captured delivery cannot be replayed later, or one from the future (beyond a few seconds
 * of clock drift between two honest machines), so a signature cannot be minted to stay valid longer.
 * Uses node:crypto: workflows never import it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CARRIER_TIMESTAMP_HEADER = 'x-carrier-timestamp';
export const CARRIER_SIGNATURE_HEADER = 'x-carrier-signature';
export const CARRIER_SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
/** How far ahead of our clock an honest carrier's clock may run (NTP keeps real drift far below). */
export const CARRIER_CLOCK_SKEW_SECONDS = 30;

const hmacHex = (secret: string, timestamp: string, rawBody: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');

/** The two headers a carrier sends with a webhook body. */
export function signCarrierWebhook(
  secret: string,
  rawBody: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<typeof CARRIER_TIMESTAMP_HEADER | typeof CARRIER_SIGNATURE_HEADER, string> {
  const t = String(timestamp);
  return { [CARRIER_TIMESTAMP_HEADER]: t, [CARRIER_SIGNATURE_HEADER]: `sha256=${hmacHex(secret, t, rawBody)}` };
}

export type CarrierSignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a webhook's headers against its raw body (the exact bytes received, before any JSON
 * parsing). `now` is unix seconds, injectable for tests.
 */
export function verifyCarrierWebhook(
  secret: string,
  rawBody: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  now = Math.floor(Date.now() / 1000),
): CarrierSignatureCheck {
  const { timestamp, signature } = headers;
  // Digits only: Number() would also accept " 1e9", "0x10" or "", each a way to sign one string and send another.
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed timestamp' };
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature ?? '');
  if (!match) return { ok: false, reason: 'missing or malformed signature' };
  const age = now - Number(timestamp);
  if (age > CARRIER_SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'signature timestamp too old' };
  if (age < -CARRIER_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'signature timestamp in the future' };
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  const given = Buffer.from(match[1]!, 'hex');
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
