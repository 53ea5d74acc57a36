/**
 * The complaint workflow's steps, each idempotent: mirror the case's state into the order
 * service (once per step), refund through the payment service (once per key, never beyond what
 * was paid), restock returned goods (deducted → restocked, once), take a replacement's stock out
 * (reserved and deducted under the complaint's key, once), book the case's own parcels with the
 * carrier (idempotent on the reference), and hold or release the order's completion.
 */
import { AppError } from '../platform/errors';
import type { InventoryStore } from '../services/catalog/inventory';
import type { CarrierClient } from '../services/shipments/carrier-client';
import type { ComplaintClient } from '../services/orders/complaint-client';
import type { ComplaintStore } from '../services/orders/complaints';
import type { OrderStore } from '../services/orders/store';
import type { UserStore } from '../services/users/store';
import type { ShipmentActivityDeps } from './shipment';
import { WAREHOUSE_ADDRESS, toCarrierAddress } from '../services/shipments/addresses';
import {
  complaintParcelReference,
  replacementStockKey,
  type ComplaintOutcome,
  type ComplaintParcelKind,
  type ComplaintStateName,
} from '../workflows/complaint-contract';
import { CARRIER_CHOICES } from '../workflows/shipment-contract';
import { asActivity } from './business-failure';

/** What a complaint's steps touch: the case records, the order and user stores, the carrier. */
export interface ComplaintActivityDeps {
  complaints: Pick<ComplaintStore, 'recordState'>;
  complaintClient: Pick<ComplaintClient, 'holdCompletion' | 'releaseCompletion'>;
  orders: Pick<OrderStore, 'get'>;
  users: Pick<UserStore, 'getProfile'>;
  carrier: Pick<CarrierClient, 'book'>;
  inventory: Pick<InventoryStore, 'reserve' | 'deduct'>;
  shipmentSettings: Pick<ShipmentActivityDeps['shipmentSettings'], 'delivery' | 'stepMs'>;
}

async function orderOf(s: ComplaintActivityDeps, orderId: string) {
  const order = await s.orders.get(orderId);
  if (!order) throw new AppError('not_found', `order ${orderId} not found`);
  return order;
}

export function createComplaintActivities(s: ComplaintActivityDeps) {
  return {
    recordComplaintState: (input: {
      complaintId: string;
      orderId: string;
      state: ComplaintStateName;
      deadline: string | null;
      step: number;
      cause: string;
      outcome?: ComplaintOutcome | null;
      offerAmount?: string | null;
      refundedAmount?: string | null;
      returnTrackingNumber?: string | null;
      noteId?: string | null;
    }) => asActivity(async () => void (await s.complaints.recordState(input))),

    /**
     * Takes the order's items out of stock for a replacement, under the complaint's own key: a
     * retry finds the units reserved (then deducts them) or already deducted, never takes twice.
     * Out of stock is an answer, not a failure: the case falls back to a refund.
     */
    deductReplacementStock: (orderId: string, complaintId: string) =>
      asActivity(async (): Promise<{ ok: true } | { ok: false; reason: 'out_of_stock' }> => {
        const order = await orderOf(s, orderId);
        const key = replacementStockKey(complaintId);
        const lines = order.items.map((i) => ({ product_id: i.product_id, quantity: i.quantity }));
        try {
          await s.inventory.reserve(key, lines);
        } catch (err) {
          if (err instanceof AppError && err.code === 'insufficient_stock')
            return { ok: false, reason: 'out_of_stock' };
          // Settled already: an earlier attempt deducted it (deduct below finds nothing left to do).
          if (!(err instanceof AppError && (err.details as { reason?: string })?.reason === 'order_settled')) throw err;
        }
        await s.inventory.deduct(key);
        return { ok: true };
      }),

    /**
     * Books one of the case's parcels with the carrier: a replacement from the warehouse to the
     * order's address, or the return from the buyer back to the warehouse. The reference names
     * the case, so a retried booking is the same parcel and its events find the case.
     */
    bookComplaintParcel: (input: { orderId: string; complaintId: string; kind: ComplaintParcelKind }) =>
      asActivity(async () => {
        const order = await orderOf(s, input.orderId);
        const profile = await s.users.getProfile(order.user_id);
        const buyer = toCarrierAddress(
          order.shipping_address as Record<string, unknown>,
          `${profile.first_name} ${profile.last_name}`,
          profile.phone,
        );
        const choice = CARRIER_CHOICES[order.shipping_service === 'express' ? 'express' : 'regular'][0];
        const weight = order.items.reduce(
          (w, i) => w + Number((i.product_snapshot as { weight_grams?: number }).weight_grams ?? 500) * i.quantity,
          0,
        );
        const reference = complaintParcelReference(input.kind, input.complaintId);
        const stepMs = s.shipmentSettings.stepMs;
        const booking = await s.carrier.book(
          {
            reference,
            carrier: choice.carrier,
            service: choice.service,
            origin: input.kind === 'return' ? buyer : WAREHOUSE_ADDRESS,
            destination: input.kind === 'return' ? WAREHOUSE_ADDRESS : buyer,
            weight_grams: Math.min(Math.max(weight, 1), 50_000),
            delivery: s.shipmentSettings.delivery,
          },
          stepMs === undefined ? undefined : { stepMs },
        );
        return { carrier: booking.carrier, awb: booking.awb, reference };
      }),

    holdOrderCompletion: (orderId: string, complaintId: string) =>
      asActivity(() => s.complaintClient.holdCompletion(orderId, complaintId)),
    releaseOrderCompletion: (orderId: string, complaintId: string, _outcome: ComplaintOutcome) =>
      asActivity(() => s.complaintClient.releaseCompletion(orderId, complaintId)),
  };
}

export type ComplaintActivities = ReturnType<typeof createComplaintActivities>;
