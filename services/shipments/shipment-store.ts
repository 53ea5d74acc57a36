/**
 * The shipment service's shipments and tracking events. One shipment per order (order_id is
 * unique); every write is idempotent so a retried activity changes nothing twice: a tracking
 * event is recorded once per carrier event id, and the status moves only to a later place in the
 * parcel's journey (`last_position < position`), so a late or duplicated event never moves it back.
 * Each change publishes a `shipment.*` event through the outbox, with an id from the change.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import type { ShipmentStatus, TrackingSignal } from '../../workflows/shipment-contract';
import type { NamedParcels } from './carrier-event-rules';

type Tx = Prisma.TransactionClient;
type ShipmentRow = NonNullable<Awaited<ReturnType<Db['shipment']['findUnique']>>>;

export interface NewShipment {
  orderId: string;
  orderNumber: string;
  userId: string;
  workflowId: string;
  destination: Record<string, unknown>;
  shippingCost: string;
}

export interface BookingRecord {
  attempt: number;
  carrier: string;
  service: string;
  awb: string;
  reference: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FINAL: ShipmentStatus[] = ['delivered', 'returned', 'cancelled'];

export function createShipmentStore(db: Db) {
  async function emit(tx: Tx, id: string, type: string, s: ShipmentRow, extra: { tracking?: string; reason?: string }) {
    await enqueueEvent(tx, {
      id: stableId(id),
      topic: TOPICS.shipments,
      type,
      aggregateId: s.order_id,
      data: {
        shipment_id: s.id,
        order_id: s.order_id,
        status: s.status,
        carrier: s.carrier,
        awb: s.tracking_number,
        tracking_status: extra.tracking ?? null,
        reason: extra.reason ?? null,
      },
    });
  }

  return {
    /** Creates the order's shipment once; a retry (or a second workflow run) gets the same row. */
    async ensure(n: NewShipment) {
      await db.shipment.createMany({
        data: [
          {
            order_id: n.orderId,
            order_number: n.orderNumber,
            user_id: n.userId,
            workflow_id: n.workflowId,
            destination_address: n.destination as Prisma.InputJsonValue,
            shipping_cost: n.shippingCost,
          },
        ],
        skipDuplicates: true,
      });
      return db.shipment.findUniqueOrThrow({ where: { order_id: n.orderId } });
    },

    /** Records the booking of attempt n once; a retry, or an older attempt, changes nothing. */
    async recordBooking(shipmentId: string, b: BookingRecord) {
      return db.$transaction(async (tx) => {
        const moved = await tx.shipment.updateMany({
          where: { id: shipmentId, booking_attempt: { lt: b.attempt }, status: { in: ['pending', 'booked'] } },
          data: {
            booking_attempt: b.attempt,
            carrier: b.carrier,
            carrier_service: b.service,
            tracking_number: b.awb,
            reference: b.reference,
            status: 'booked',
            last_position: 0,
          },
        });
        const s = await tx.shipment.findUniqueOrThrow({ where: { id: shipmentId } });
        if (moved.count === 1) await emit(tx, `${shipmentId}:booked:${b.attempt}`, 'shipment.created', s, {});
        return s;
      });
    },

    /**
     * Records a carrier event once (by its event id) and, when `apply`, moves the shipment to the
     * event's status if the event is further along than anything applied. Returns whether it moved.
     */
    /**
     * Sets aside the free text of carrier events (location, the courier's description) before the
     * intake signals them without it: the workflow's history never holds it (a proof of delivery
     * names a person); recordEvent reads it back by event id. Kept once per event.
     */
    async keepEventTexts(events: Pick<TrackingSignal, 'event_id' | 'location' | 'description'>[]) {
      const data = events
        .filter((e) => e.location !== undefined || e.description !== undefined)
        .map((e) => ({
          event_id: e.event_id,
          location: e.location?.slice(0, 255) ?? null,
          description: e.description?.slice(0, 255) ?? null,
        }));
      if (data.length > 0) await db.carrierEventText.createMany({ data, skipDuplicates: true });
    },

    async recordEvent(shipmentId: string, e: TrackingSignal, status: ShipmentStatus, apply: boolean) {
      return db.$transaction(async (tx) => {
        const at = new Date(e.occurred_at);
        // Signalled without its text (the intake set it aside); histories from before carry it.
        const text =
          e.location === undefined && e.description === undefined
            ? await tx.carrierEventText.findUnique({ where: { event_id: e.event_id } })
            : { location: e.location ?? null, description: e.description ?? null };
        await tx.trackingEvent.createMany({
          data: [
            {
              shipment_id: shipmentId,
              event_id: e.event_id,
              awb: e.awb,
              status: e.status,
              position: e.position,
              occurred_at: at,
              location: text?.location?.slice(0, 255) ?? null,
              description: text?.description?.slice(0, 255) ?? null,
            },
          ],
          skipDuplicates: true,
        });
        if (!apply) return { moved: false };
        const moved = await tx.shipment.updateMany({
          where: { id: shipmentId, last_position: { lt: e.position }, status: { notIn: FINAL } },
          data: {
            status,
            last_position: e.position,
            last_event_at: at,
            ...(status === 'picked_up' ? { picked_up_at: at, shipped_at: at } : {}),
            ...(status === 'delivered' ? { delivered_at: at } : {}),
            ...(status === 'returned' ? { returned_at: at } : {}),
          },
        });
        if (moved.count === 0) return { moved: false };
        const s = await tx.shipment.findUniqueOrThrow({ where: { id: shipmentId } });
        await emit(tx, `${shipmentId}:${e.event_id}`, 'shipment.status_changed', s, { tracking: e.status });
        return { moved: true };
      });
    },

    /** Raises or clears the operators' flag; `shipment.stuck` once per raising. */
    async setStuck(shipmentId: string, stuck: boolean, since: string) {
      return db.$transaction(async (tx) => {
        const changed = await tx.shipment.updateMany({ where: { id: shipmentId, stuck: !stuck }, data: { stuck } });
        if (changed.count === 1 && stuck) {
          const s = await tx.shipment.findUniqueOrThrow({ where: { id: shipmentId } });
          await emit(tx, `${shipmentId}:stuck:${since}`, 'shipment.stuck', s, {
            reason: `no tracking event since ${since}`,
          });
        }
      });
    },

    /** Ends a shipment that will not be delivered (no pickup, lost); a final status stays as it is. */
    async cancel(shipmentId: string, reason: string) {
      return db.$transaction(async (tx) => {
        const moved = await tx.shipment.updateMany({
          where: { id: shipmentId, status: { notIn: FINAL } },
          data: { status: 'cancelled', stuck: false },
        });
        if (moved.count === 1) {
          const s = await tx.shipment.findUniqueOrThrow({ where: { id: shipmentId } });
          await emit(tx, `${shipmentId}:cancelled`, 'shipment.status_changed', s, { reason });
        }
      });
    },

    /**
     * The shipments a carrier event's fields name: by airway bill, and by the booking's reference,
     * else the shipment id the reference starts with (the first events can beat the booking's answer
     * to us; an earlier booking's events carry its reference). One query; the rule that judges them
     * is carrier-event-rules.ts.
     */
    async parcelsNamedBy(awb: string, reference: string): Promise<NamedParcels> {
      const shipmentId = reference.split('.')[0]!;
      const byId = UUID.test(shipmentId) ? [{ id: shipmentId }] : [];
      const rows = await db.shipment.findMany({
        where: { OR: [{ tracking_number: awb }, { reference }, ...byId] },
        select: { id: true, order_id: true, tracking_number: true, reference: true, carrier: true },
        take: 3,
      });
      return {
        byAwb: rows.find((r) => r.tracking_number === awb),
        byReference: rows.find((r) => r.reference === reference) ?? rows.find((r) => r.id === shipmentId),
      };
    },

    /** Which of these carrier events were recorded already (the workflow took them): a redelivery need not signal again. */
    async recordedEvents(eventIds: string[]): Promise<Set<string>> {
      const rows = await db.trackingEvent.findMany({
        where: { event_id: { in: eventIds } },
        select: { event_id: true },
      });
      return new Set(rows.map((r) => r.event_id!));
    },

    /** A shopper's own order's shipment; anyone else's is answered like a missing one. */
    async getOwnByOrder(orderId: string, userId: string) {
      const s = await db.shipment.findFirst({ where: { order_id: orderId, user_id: userId } });
      if (!s) throw new AppError('not_found', 'shipment not found');
      return s;
    },

    /** A shopper's own shipment with its tracking history in journey order. */
    async getOwnTracking(shipmentId: string, userId: string) {
      const s = await db.shipment.findFirst({
        where: { id: shipmentId, user_id: userId },
        include: { tracking_events: { orderBy: [{ position: 'asc' }, { occurred_at: 'asc' }] } },
      });
      if (!s) throw new AppError('not_found', 'shipment not found');
      return s;
    },

    /** The order's shipment and its latest event (by journey position), for the order detail. */
    async latestForOrder(orderId: string) {
      return db.shipment.findUnique({
        where: { order_id: orderId },
        include: { tracking_events: { orderBy: [{ position: 'desc' }, { occurred_at: 'desc' }], take: 1 } },
      });
    },

    get: (shipmentId: string) => db.shipment.findUnique({ where: { id: shipmentId } }),

    /**
     * Keeps an operator's rebook and its reason before the workflow is told: the reason is free text
     * (it may hold the shopper's phone), so the rebook signal carries this row's id, not the text.
     */
    async recordRebook(shipmentId: string, reason: string) {
      const row = await db.shipmentRebook.create({ data: { shipment_id: shipmentId, reason: reason.slice(0, 255) } });
      return row.id;
    },

    /** Operators: shipments in a status (or all), newest first. */
    async list(filter: { status?: ShipmentStatus; stuck?: boolean }, page: number, pageSize: number) {
      const where = { ...(filter.status ? { status: filter.status } : {}), ...(filter.stuck ? { stuck: true } : {}) };
      const [data, total] = await Promise.all([
        db.shipment.findMany({
          where,
          orderBy: [{ created_at: 'desc' }, { id: 'asc' }],
          skip: (page - 1) * pageSize,
          take: pageSize,
        }),
        db.shipment.count({ where }),
      ]);
      return { data, total };
    },
  };
}

export type ShipmentStore = ReturnType<typeof createShipmentStore>;
export type Shipment = ShipmentRow;
