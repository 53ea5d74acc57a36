/**
 * Cash on delivery in the carrier simulator (contracts/carrier.ts says what the wire carries):
 * the booking's `cod` checked as a courier checks it, and the remittance a collected parcel gets.
 *
 * Remittances: each collected parcel is remitted at once, at its collection, in a remittance of its
 * own (`COD-<awb>`), recorded in the same log line as its `delivered` event. Real couriers batch
 * (JNE, J&T and SiCepat settle D+1 to D+7 per shipper), but a batch window would make a test wait
 * on the simulator's clock and make which parcels share a report depend on timing; one parcel per
 * remittance, written with the scan that collected the cash, is there the moment the `delivered`
 * event is, survives a restart with it, and exercises the same wire shape (a list of items per
 * remittance), so the shop's reconciliation must still match items by airway bill, never
 * remittances by parcel.
 */
import { z } from 'zod';
import {
  CARRIER_AMOUNT_PATTERN,
  COD_CARRIER_MAX_AMOUNT,
  amountInSen,
  senToAmount,
  type CodRemittance,
  type CarrierEvent,
} from '../../contracts/carrier';
import type { StoredBooking } from './state';

const amount = z.string().regex(CARRIER_AMOUNT_PATTERN, 'an IDR amount with two decimals, e.g. "125000.00"');

/** The booking's `cod`: a positive amount the courier may carry, at most COD_CARRIER_MAX_AMOUNT. */
export const CodRequestSchema = z.strictObject({
  amount: amount
    .refine((a) => amountInSen(a) > 0, 'more than 0.00')
    .refine(
      (a) => amountInSen(a) <= amountInSen(COD_CARRIER_MAX_AMOUNT),
      `at most ${COD_CARRIER_MAX_AMOUNT}: the carrier collects no more per parcel`,
    ),
});

/** The test control's amount: any non-negative wire amount (0.00 is a parcel remitted nothing). */
export const RemitAmountSchema = amount;

/** The remittance of a COD parcel's collection: `remitAmount` when a test asked for a short one, else what was collected. */
export function remittanceOf(
  booking: StoredBooking,
  delivered: Pick<CarrierEvent, 'occurred_at'>,
  remitAmount: string | undefined,
  now: Date,
): CodRemittance {
  const items = [
    {
      awb: booking.awb,
      reference: booking.reference,
      amount: remitAmount ?? booking.cod_amount!,
      collected_at: delivered.occurred_at,
    },
  ];
  return {
    remittance_id: `COD-${booking.awb}`,
    carrier: booking.carrier,
    remitted_at: now.toISOString(),
    total: senToAmount(items.reduce((sum, i) => sum + amountInSen(i.amount), 0)),
    items,
  };
}
