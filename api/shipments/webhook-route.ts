/**
 * `POST /shipments/webhook`: tracking events from carriers that cannot hold our websocket. The
 * raw body is verified against `X-Carrier-Signature` before anything parses it (401 otherwise),
 * then checked field by field (400 naming the field), then handed to the tracking intake, which
 * answers only once the shipment's workflow accepted the event. A duplicate is a 200 too: the
 * workflow dedupes by event id, and the carrier must stop retrying.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import type { Services } from '../../services';
import { parseCarrierEvent } from '../../services/shipments/carrier-event-schema';
import { receiveCarrierEvent } from '../../services/shipments/tracking-intake';
import {
  CARRIER_SIGNATURE_HEADER,
  CARRIER_TIMESTAMP_HEADER,
  verifyCarrierWebhook,
} from '../../contracts/webhook-signature/carrier';
import { createRouter } from '../router';
import { errorResponses, json } from '../schemas';

const webhook = createRoute({
  method: 'post',
  path: '/shipments/webhook',
  tags: ['shipping'],
  summary: 'Carrier tracking webhook: HMAC-signed (X-Carrier-Timestamp, X-Carrier-Signature), idempotent by event id',
  responses: {
    200: json(
      z.object({
        received: z.literal(true),
        outcome: z.enum(['delivered', 'unknown_shipment', 'shipment_closed', 'refused']),
      }),
      '"delivered": on its way to the shipment (a duplicate changes nothing); "unknown_shipment" / "shipment_closed": nothing will take it, dropped; "refused": its airway bill, reference and carrier do not name one parcel, recorded and never applied',
    ),
    ...errorResponses(400, 401, 503),
  },
});

export function shipmentWebhookRoute(services: Services, carrier: Config['carrier']) {
  const intake = receiveCarrierEvent(services);
  return createRouter().openapi(webhook, async (c) => {
    const raw = await c.req.text();
    const check = verifyCarrierWebhook(carrier.webhookSecret, raw, {
      timestamp: c.req.header(CARRIER_TIMESTAMP_HEADER),
      signature: c.req.header(CARRIER_SIGNATURE_HEADER),
    });
    if (!check.ok) throw new AppError('unauthorized', `webhook rejected: ${check.reason}`);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new AppError('validation_failed', 'webhook body is not JSON', [{ field: 'body', message: 'not JSON' }]);
    }
    const parsed = parseCarrierEvent(body);
    if (!parsed.ok) {
      throw new AppError('validation_failed', `malformed carrier event: ${parsed.field}: ${parsed.message}`, [
        { field: parsed.field, message: parsed.message },
      ]);
    }
    return c.json({ received: true as const, outcome: await intake(parsed.event) }, 200);
  });
}
