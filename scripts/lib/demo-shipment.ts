/**
 * The demo's last leg: follows a paid order's shipment (started by the order.paid consumer,
 * booked by the shipment workflow) through the carrier's tracking events until it is delivered,
 * printing each new event once. The carrier simulator's pace is CARRIER_SPEED; the worker's
 * SHIPMENT_CARRIER_STEP_MS (e.g. 1000) makes each step of our bookings take that many ms.
 */
import type { Json } from './http';

type Call = (method: string, path: string) => Promise<Json>;

const FINAL = ['delivered', 'returned', 'cancelled'];
const ORDER_AFTER_SHIPPING = ['delivered', 'completed', 'returned', 'refunded', 'cancelled'];

export async function followShipment(
  call: Call,
  orderId: string,
  step: (title: string, detail?: unknown) => void,
  timeoutMs = 30 * 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const printed = new Set<string>();
  let announced = false;
  console.log(
    "   (a normal journey is ~22 simulated hours: ~22 s at the stack's CARRIER_SPEED=3600; CARRIER_SPEED=1 is real time)",
  );
  while (Date.now() < deadline) {
    const shipment = await call('GET', `/shipments/${orderId}`).catch(() => undefined);
    if (shipment && shipment.awb && !announced) {
      announced = true;
      step(`Booked with ${shipment.carrier} ${shipment.service}`, `airway bill ${shipment.awb}`);
    }
    if (shipment?.awb) {
      const tracking = await call('GET', `/shipments/${shipment.id}/tracking`);
      for (const e of tracking.events as { event_id: string; status: string; location: string | null }[]) {
        if (printed.has(e.event_id)) continue;
        printed.add(e.event_id);
        console.log(`   · ${e.status.replaceAll('_', ' ')}${e.location ? ` (${e.location})` : ''}`);
      }
      if (FINAL.includes(shipment.status)) {
        // The order moves right after the shipment row (the workflow's next step): give it a moment.
        let order = await call('GET', `/orders/${orderId}`);
        for (let i = 0; i < 10 && !ORDER_AFTER_SHIPPING.includes(order.status); i++) {
          await new Promise((r) => setTimeout(r, 500));
          order = await call('GET', `/orders/${orderId}`);
        }
        step(`Shipment ${shipment.status.toUpperCase()}; the order is ${order.status}`, {
          awb: shipment.awb,
          delivered_at: shipment.delivered_at ?? undefined,
        });
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  step('The parcel is still on its way', 'the carrier simulator runs at CARRIER_SPEED; see README');
}
