import {
  CARRIER_CLOCK_SKEW_SECONDS,
  CARRIER_SIGNATURE_TOLERANCE_SECONDS,
  signCarrierWebhook,
  verifyCarrierWebhook,
} from '../../contracts/webhook-signature/carrier';

const secret = 'carrier_whsec_unit_test_secret';
const body = '{"event_id":"JNE0000000001-1","status":"order_received"}';
const now = 1_800_000_000;
const headersOf = (h: Record<string, string>) => ({
  timestamp: h['x-carrier-timestamp'],
  signature: h['x-carrier-signature'],
});
const signed = (t = now, b = body, s = secret) => headersOf(signCarrierWebhook(s, b, t));

describe('carrier webhook signatures', () => {
  it('signs "<timestamp>.<body>" as the contract says and accepts what it signed', () => {
    const h = signCarrierWebhook(secret, body, now);
    expect(h['x-carrier-timestamp']).toBe(String(now));
    expect(h['x-carrier-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyCarrierWebhook(secret, body, signed(), now)).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, or a timestamp moved after signing', () => {
    expect(verifyCarrierWebhook(secret, body.replace('-1', '-2'), signed(), now)).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(verifyCarrierWebhook(secret, body, signed(now, body, 'carrier_whsec_another_one'), now).ok).toBe(false);
    const moved = { ...signed(now - 10), timestamp: String(now) };
    expect(verifyCarrierWebhook(secret, body, moved, now)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('refuses a delivery older than five minutes, or from the future beyond clock drift', () => {
    const old = now - CARRIER_SIGNATURE_TOLERANCE_SECONDS - 1;
    expect(verifyCarrierWebhook(secret, body, signed(old), now)).toEqual({
      ok: false,
      reason: 'signature timestamp too old',
    });
    expect(verifyCarrierWebhook(secret, body, signed(old + 2), now).ok).toBe(true);
    const ahead = now + CARRIER_CLOCK_SKEW_SECONDS + 1;
    expect(verifyCarrierWebhook(secret, body, signed(ahead), now)).toEqual({
      ok: false,
      reason: 'signature timestamp in the future',
    });
    expect(verifyCarrierWebhook(secret, body, signed(now + 5), now).ok).toBe(true);
  });

  it.each([
    ['no headers', { timestamp: undefined, signature: undefined }, 'missing or malformed timestamp'],
    ['no signature', { timestamp: String(now), signature: undefined }, 'missing or malformed signature'],
    [
      'a timestamp in another notation',
      { timestamp: '1.8e9', signature: `sha256=${'0'.repeat(64)}` },
      'missing or malformed timestamp',
    ],
    [
      'a negative timestamp',
      { timestamp: '-1', signature: `sha256=${'0'.repeat(64)}` },
      'missing or malformed timestamp',
    ],
    [
      'another scheme',
      { timestamp: String(now), signature: `md5=${'0'.repeat(32)}` },
      'missing or malformed signature',
    ],
    ['a short digest', { timestamp: String(now), signature: 'sha256=abcd' }, 'missing or malformed signature'],
    [
      'upper-case or non-hex digits',
      { timestamp: String(now), signature: `sha256=${'Z'.repeat(64)}` },
      'missing or malformed signature',
    ],
    [
      'two signatures',
      { timestamp: String(now), signature: `sha256=${'0'.repeat(64)},sha256=${'1'.repeat(64)}` },
      'missing or malformed signature',
    ],
  ])('refuses a malformed header: %s', (_name, headers, reason) => {
    expect(verifyCarrierWebhook(secret, body, headers, now)).toEqual({ ok: false, reason });
  });
});
