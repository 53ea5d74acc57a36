import { signWebhook, verifyWebhook } from '../../contracts/webhook-signature/gateway';

const secret = 'whsec_test_secret_value';
const body = '{"id":"evt_1","type":"payment_intent.succeeded"}';

describe('webhook signatures', () => {
  it('accepts what it signed', () => {
    expect(verifyWebhook(secret, body, signWebhook(secret, body))).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, or a missing header', () => {
    const header = signWebhook(secret, body);
    expect(verifyWebhook(secret, body.replace('evt_1', 'evt_2'), header).ok).toBe(false);
    expect(verifyWebhook('whsec_another_secret', body, header).ok).toBe(false);
    expect(verifyWebhook(secret, body, undefined).ok).toBe(false);
    expect(verifyWebhook(secret, body, 't=abc,v1=00').ok).toBe(false);
  });

  it('refuses a delivery older or newer than five minutes', () => {
    const now = 1_800_000_000;
    const header = signWebhook(secret, body, now - 301);
    expect(verifyWebhook(secret, body, header, now)).toEqual({
      ok: false,
      reason: 'signature timestamp outside tolerance',
    });
    expect(verifyWebhook(secret, body, signWebhook(secret, body, now - 299), now).ok).toBe(true);
    expect(verifyWebhook(secret, body, signWebhook(secret, body, now + 301), now).ok).toBe(false);
  });
});
