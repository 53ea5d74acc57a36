/** Posts a payment-gateway webhook to a test server, signed as the gateway signs it. */
import { signWebhook, SIGNATURE_HEADER } from '../../contracts/webhook-signature/gateway';
import type { TestServer } from './server';

export async function postSignedWebhook(
  server: TestServer,
  event: unknown,
  secret = server.config.payments.webhookSecret,
) {
  const raw = JSON.stringify(event);
  const res = await fetch(`${server.base}/payments/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(secret, raw) },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}
