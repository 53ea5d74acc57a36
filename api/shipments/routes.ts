/** Shipping rates (the shipment service's tariff). Public: a shopper may price before signing in. */
import { createRoute, z } from '@hono/zod-openapi';
import { quote } from '../../services/shipments/rates';
import { createRouter } from '../router';
import { body, errorResponses, json } from '../schemas';

export const RatesBody = z
  .strictObject({
    destination: z.strictObject({
      province_id: z.number().int().min(11).max(99),
      city_id: z.number().int().positive().max(2_147_483_647),
    }),
    weight_grams: z.number().int().min(1).max(100_000),
  })
  .openapi('ShippingRatesRequest');

const RateSchema = z
  .object({
    service: z.enum(['regular', 'express']),
    cost: z.string(),
    etd_days: z.object({ min: z.number(), max: z.number() }),
    zone: z.number(),
    billable_kg: z.number(),
  })
  .openapi('ShippingRate');

const rates = createRoute({
  method: 'post',
  path: '/shipping/rates',
  tags: ['shipping'],
  summary: 'Regular and express rates from the warehouse to a destination',
  request: { body: body(RatesBody) },
  responses: { 200: json(z.object({ rates: z.array(RateSchema) })), ...errorResponses(400) },
});

export function shippingRoutes() {
  return createRouter().openapi(rates, (c) => {
    const { destination, weight_grams } = c.req.valid('json');
    return c.json({ rates: quote(destination, weight_grams) }, 200);
  });
}
