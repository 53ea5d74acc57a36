/** Shipments and tracking events as the API returns them, with their OpenAPI schemas. */
import { z } from '@hono/zod-openapi';
import type { Shipment, TrackingEvent } from '../../generated/prisma/client';

export const TrackingEventSchema = z
  .object({
    event_id: z.string().nullable(),
    status: z.string(),
    position: z.number().nullable(),
    location: z.string().nullable(),
    description: z.string().nullable(),
    occurred_at: z.string().nullable(),
    recorded_at: z.string(),
  })
  .openapi('TrackingEvent');

export const ShipmentSchema = z
  .object({
    id: z.string().uuid(),
    order_id: z.string().uuid(),
    order_number: z.string().nullable(),
    status: z.string(),
    carrier: z.string().nullable(),
    service: z.string().nullable(),
    awb: z.string().nullable(),
    booking_attempt: z.number(),
    stuck: z.boolean(),
    shipping_cost: z.string().nullable(),
    picked_up_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    returned_at: z.string().nullable(),
    last_event_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Shipment');

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toTrackingEventView = (e: TrackingEvent) => ({
  event_id: e.event_id,
  status: e.status,
  position: e.position,
  location: e.location,
  description: e.description,
  occurred_at: iso(e.occurred_at),
  recorded_at: e.created_at.toISOString(),
});

export const toShipmentView = (s: Shipment) => ({
  id: s.id,
  order_id: s.order_id,
  order_number: s.order_number,
  status: s.status,
  carrier: s.carrier,
  service: s.carrier_service,
  awb: s.tracking_number,
  booking_attempt: s.booking_attempt,
  stuck: s.stuck,
  shipping_cost: s.shipping_cost?.toFixed(2) ?? null,
  picked_up_at: iso(s.picked_up_at),
  delivered_at: iso(s.delivered_at),
  returned_at: iso(s.returned_at),
  last_event_at: iso(s.last_event_at),
  created_at: s.created_at.toISOString(),
  updated_at: s.updated_at.toISOString(),
});

/** What an order's detail shows of its shipment: the shipment and its furthest tracking event. */
export const OrderShipmentSchema = ShipmentSchema.extend({ latest_event: TrackingEventSchema.nullable() }).openapi(
  'OrderShipment',
);

export const toOrderShipmentView = (s: (Shipment & { tracking_events: TrackingEvent[] }) | null) =>
  s
    ? { ...toShipmentView(s), latest_event: s.tracking_events[0] ? toTrackingEventView(s.tracking_events[0]) : null }
    : null;
