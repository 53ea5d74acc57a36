/**
 * The shipment workflow's steps: the shipment service's store and the carrier, and the order
 * service's fulfilment moves. Each is idempotent: the shipment is unique per order, a booking is
 * idempotent at the carrier on its reference, events are recorded once per carrier event id, and
 * every order move is a conditional update that a retry finds already done.
 */
import { AppError } from '../platform/errors';
import type { FulfilmentStatus, FulfilmentStore } from '../services/orders/fulfilment';
import type { OrderStore } from '../services/orders/store';
import { codCarriers } from '../services/payments/cod';
import type { PaymentStore } from '../services/payments/store';
import type { UserStore } from '../services/users/store';
import type { CarrierClient } from '../services/shipments/carrier-client';
import type { Scenario } from '../contracts/carrier';
import { SCENARIOS } from '../contracts/carrier';
import type { ShipmentStore } from '../services/shipments/shipment-store';
import {
  bookingReference,
  CARRIER_CHOICES,
  SHIPMENT_STATUS_OF,
  type TrackingSignal,
} from '../workflows/shipment-contract';
import { asActivity } from './business-failure';
import { WAREHOUSE_ADDRESS, toCarrierAddress } from '../services/shipments/addresses';

export interface ShipmentActivityDeps {
  shipments: ShipmentStore;
  fulfilment: FulfilmentStore;
  orders: Pick<OrderStore, 'get'>;
  payments: Pick<PaymentStore, 'get' | 'cod'>;
  users: Pick<UserStore, 'getProfile'>;
  carrier: Pick<CarrierClient, 'book' | 'cancel'>;
  shipmentSettings: {
    delivery: 'websocket' | 'webhook';
    testScenarios: boolean;
    /** Test/demo only: the simulator's time per journey step for new bookings. */
    stepMs?: number;
  };
}

/** Test/demo only: an address labelled `carrier:<scenario>` asks the simulator for that journey. */
function scenarioOf(label: unknown, enabled: boolean): Scenario | undefined {
  if (!enabled || typeof label !== 'string' || !label.startsWith('carrier:')) return undefined;
  const wanted = label.slice('carrier:'.length);
  return (SCENARIOS as readonly string[]).includes(wanted) ? (wanted as Scenario) : undefined;
}

export function createShipmentActivities(d: ShipmentActivityDeps) {
  async function requireOrder(orderId: string) {
    const order = await d.orders.get(orderId);
    if (!order) throw new AppError('not_found', `order ${orderId} not found`);
    return order;
  }

  return {
    /** Creates the order's shipment (once) to the order's address snapshot. */
    createShipment: (input: { orderId: string; orderNumber: string; userId: string; workflowId: string }) =>
      asActivity(async () => {
        const order = await requireOrder(input.orderId);
        const s = await d.shipments.ensure({
          ...input,
          destination: order.shipping_address as Record<string, unknown>,
          shippingCost: order.shipping_amount.toFixed(2),
        });
        return { shipment_id: s.id };
      }),

    /** Books attempt n with the n-th carrier for the order's service; the carrier dedupes on the reference. */
    bookCarrier: (input: { orderId: string; shipmentId: string; attempt: number }) =>
      asActivity(async () => {
        const order = await requireOrder(input.orderId);
        const address = order.shipping_address as Record<string, unknown>;
        const service = order.shipping_service === 'express' ? 'express' : 'regular';
        // Cash on delivery goes only with couriers that collect at this address; they collect the total.
        const payment = await d.payments.get(input.orderId);
        const cod = payment?.method === 'cod' ? { amount: payment.amount.toFixed(2) } : undefined;
        const choices = cod ? codCarriers(service, String(address.province_name ?? '')) : CARRIER_CHOICES[service];
        const choice = choices[input.attempt - 1];
        if (!choice)
          throw new AppError('conflict', `no carrier left to try after ${choices.length}`, { reason: 'no_carrier' });
        const profile = await d.users.getProfile(order.user_id);
        const weight = order.items.reduce(
          (w, i) => w + Number((i.product_snapshot as { weight_grams?: number }).weight_grams ?? 500) * i.quantity,
          0,
        );
        const reference = bookingReference(input.shipmentId, input.attempt);
        const scenario = scenarioOf(address.label, d.shipmentSettings.testScenarios);
        const booking = await d.carrier.book(
          {
            reference,
            carrier: choice.carrier,
            service: choice.service,
            origin: WAREHOUSE_ADDRESS,
            destination: toCarrierAddress(address, `${profile.first_name} ${profile.last_name}`, profile.phone),
            weight_grams: Math.min(Math.max(weight, 1), 50_000),
            delivery: d.shipmentSettings.delivery,
            ...(scenario ? { scenario } : {}),
            ...(cod ? { cod } : {}),
          },
          d.shipmentSettings.stepMs === undefined ? undefined : { stepMs: d.shipmentSettings.stepMs },
        );
        await d.shipments.recordBooking(input.shipmentId, {
          attempt: input.attempt,
          carrier: booking.carrier,
          service: booking.service,
          awb: booking.awb,
          reference,
        });
        return { carrier: booking.carrier, service: booking.service, awb: booking.awb, reference };
      }),

    /**
     * Cancels a booking that was not picked up. A carrier that no longer knows it, or picked it up
     * at the last moment, has nothing to cancel: the workflow already moved on from that booking.
     */
    cancelBooking: (carrier: string, awb: string) =>
      asActivity(async () => {
        try {
          await d.carrier.cancel(awb);
          return 'cancelled';
        } catch (err) {
          if (err instanceof AppError && (err.code === 'not_found' || err.code === 'conflict'))
            return `kept: ${carrier} ${err.message}`;
          throw err;
        }
      }),

    /**
     * The shopper's cancel asks the carrier to let a booking go; the carrier is the referee of a
     * pickup racing the cancel: once it says picked up, the parcel ships and the cancel is refused.
     * A booking it no longer knows has nothing to pick up. Anything else (down, 5xx) is retried.
     */
    withdrawBooking: (awb: string) =>
      asActivity(async (): Promise<'cancelled' | 'already_picked_up'> => {
        try {
          await d.carrier.cancel(awb);
          return 'cancelled';
        } catch (err) {
          if (err instanceof AppError && err.code === 'not_found') return 'cancelled';
          if (err instanceof AppError && err.code === 'conflict') return 'already_picked_up';
          throw err;
        }
      }),

    /** Records a carrier event once; moves the shipment's status only when the workflow says it applies. */
    recordTrackingEvent: (shipmentId: string, event: TrackingSignal, apply: boolean) =>
      asActivity(() => d.shipments.recordEvent(shipmentId, event, SHIPMENT_STATUS_OF[event.status], apply)),

    /**
     * The carrier events the workflow drained at once, in journey order: each recorded once, the
     * shipment moved by those that apply, and the order moved along as the workflow decided
     * (one step for a batch instead of one per event and per order move). A retry finds every
     * record and move it made already done.
     */
    applyTrackingEvents: (
      shipmentId: string,
      orderId: string,
      batch: { event: TrackingSignal; apply: boolean; orderMoves: FulfilmentStatus[] }[],
    ) =>
      asActivity(async () => {
        for (const { event, apply, orderMoves } of batch) {
          await d.shipments.recordEvent(shipmentId, event, SHIPMENT_STATUS_OF[event.status], apply);
          // Cash on delivery: the parcel was handed over against the cash, so the payment is made.
          if (event.status === 'delivered' && event.cod_collected)
            await d.payments.cod.recordCollection(orderId, event.cod_collected.amount, event.awb);
          for (const to of orderMoves) await d.fulfilment.advance(orderId, to, shipmentId);
        }
      }),

    flagShipmentStuck: (shipmentId: string, stuck: boolean, since: string) =>
      asActivity(() => d.shipments.setStuck(shipmentId, stuck, since)),

    cancelShipment: (shipmentId: string, reason: string) => asActivity(() => d.shipments.cancel(shipmentId, reason)),

    advanceOrder: (orderId: string, to: FulfilmentStatus, shipmentId: string) =>
      asActivity(() => d.fulfilment.advance(orderId, to, shipmentId)),
  };
}

export type ShipmentActivities = ReturnType<typeof createShipmentActivities>;
