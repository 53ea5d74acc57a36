/**
 * The shipment pipeline on the real stack: one in-process worker (a task queue of its own) with the
 * real activities, the carrier simulator booking every parcel (normal journey, a step every
 * `stepMs`), a carrier link on a stream cursor of its own, the tracking intake signalling the
 * workflows. N paid orders written straight into the order service's tables (a checkout each would
 * measure the checkout), N shipments started at once: how long until every order was delivered
 * against how long until the first was (1 = no queueing), tracking events/s from the carrier's
 * push to the order's status, the intake's time per call, how long each event waited between the
 * carrier's push and the sink (the link's lag) and the worker's memory. The link starts at the
 * carrier's current last seq (as the tests' links do), so it carries this run's parcels, not a
 * replay of every event the stack's carrier ever sent. With `npm start` running, the stack's own
 * carrier link signals the same workflows too (the workflow dedupes). Afterwards it deletes its
 * orders, shipments and tracking events (outbox rows stay, as published).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Config } from '../../../platform/config';
import { closeDeps, createDeps } from '../../../platform/deps';
import { createServices } from '../../../services';
import { createCarrierLink } from '../../../services/shipments/carrier-link';
import { receiveCarrierEvents } from '../../../services/shipments/tracking-intake';
import { DEMO_ADDRESS } from '../../../services/users/demo-address';
import { createProfile } from '../../../services/users/store';
import { createWorker } from '../../../workers/worker';
import { benchLogger } from '../lib/kafka';
import { percentile, round, sleep } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

export async function shipmentsPart(
  ctx: BenchContext,
  opts: { shipments?: number; stepMs?: number } = {},
): Promise<PartResult> {
  const n = opts.shipments ?? (ctx.quick ? 10 : 200);
  const stepMs = opts.stepMs ?? 100;
  const taskQueue = `bench-shipments-${randomUUID().slice(0, 8)}`;
  const config: Config = {
    ...ctx.config,
    logLevel: 'warn',
    temporal: { ...ctx.config.temporal, taskQueue },
    shipments: { ...ctx.config.shipments, carrierStepMs: stepMs, delivery: 'websocket', completionWindowSeconds: 3600 },
  };
  const deps = createDeps(config);
  const { db } = deps;
  const userId = randomUUID();
  const orderIds = Array.from({ length: n }, () => randomUUID());
  // Unique per run: a run that died before its clean-up must not block the next one's orders.
  const orderNumber = (i: number) => `PB-${taskQueue.slice(-8)}-${String(i).padStart(5, '0')}`;
  const { worker, connection } = await createWorker(deps, { taskQueue });
  // The stores on this part's task queue and timings: the intake, the shipment starts.
  const services = createServices(deps, benchLogger);
  const running = worker.run();
  const intake = receiveCarrierEvents(services);
  const stream = `bench-${taskQueue}`;
  // Time in the intake (one lookup + Temporal's signal accepts) per call: the link hands a parcel's queued events on as one call.
  const intakeMs: number[] = [];
  let intakeEvents = 0;
  // From the carrier's push (a normal journey's occurred_at is its send time) to the sink.
  const lagMs: number[] = [];
  const link = createCarrierLink({
    carrierUrl: config.carrier.url,
    apiKey: config.carrier.apiKey,
    databaseUrl: config.postgres.url,
    batchSink: async (events) => {
      for (const event of events) lagMs.push(Date.now() - Date.parse(event.occurred_at));
      const t0 = performance.now();
      await intake(events);
      intakeMs.push(performance.now() - t0);
      intakeEvents += events.length;
    },
    logger: benchLogger,
    stream,
    lockKey: randomInt(1_000_000, 2_000_000_000),
  });
  try {
    await createProfile(db, {
      id: userId,
      email: `bench-${userId}@bench.pasar.local`,
      first_name: 'Bench',
      last_name: 'Shopper',
      phone: '+6281200000000',
    });
    for (const [i, id] of orderIds.entries())
      await db.order.create({
        data: {
          id,
          order_number: orderNumber(i),
          user_id: userId,
          status: 'paid',
          subtotal: 50000,
          shipping_amount: 18000,
          total_amount: 68000,
          shipping_service: 'regular',
          shipping_address: { ...DEMO_ADDRESS },
          items: {
            create: [
              {
                product_id: randomUUID(),
                product_name: 'Kopi',
                unit_price: 50000,
                quantity: 1,
                total_amount: 50000,
                product_snapshot: { weight_grams: 300 },
              },
            ],
          },
        },
      });
    const { last_seq } = (await fetch(`${config.carrier.url}/healthz`).then((r) => r.json())) as { last_seq: number };
    await db.carrierStreamCursor.create({ data: { stream, last_acked_seq: BigInt(last_seq) } });
    await link.start();

    const started = performance.now();
    const rss0 = process.memoryUsage().rss;
    await Promise.all(
      orderIds.map((orderId, i) => services.shipmentStart.start({ orderId, orderNumber: orderNumber(i), userId })),
    );
    let peakOpen = 0;
    let peakRss = rss0;
    let firstDelivered = 0;
    for (;;) {
      const open = await db.shipment.count({ where: { order_id: { in: orderIds }, status: { notIn: ['delivered'] } } });
      const delivered = await db.order.count({ where: { id: { in: orderIds }, status: 'delivered' } });
      peakOpen = Math.max(peakOpen, open);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (delivered > 0 && firstDelivered === 0) firstDelivered = performance.now() - started;
      if (delivered === n) break;
      if (performance.now() - started > 600_000)
        throw new Error(`only ${delivered} of ${n} delivered after 10 minutes`);
      await sleep(250);
    }
    const allDelivered = performance.now() - started;
    const events = await db.trackingEvent.count({ where: { shipment: { order_id: { in: orderIds } } } });
    const mib = (bytes: number) => round(bytes / 2 ** 20, 0);
    return {
      figures: {
        shipments: n,
        carrier_step_ms: stepMs,
        peak_parcels_on_their_way: peakOpen,
        rss_before_mib: mib(rss0),
        rss_peak_mib: mib(peakRss),
        tracking_events: events,
        all_delivered_s: round(allDelivered / 1000),
        events_per_second: round(events / (allDelivered / 1000)),
        intake_p50_ms: Math.round(percentile(intakeMs, 50)),
        intake_p95_ms: Math.round(percentile(intakeMs, 95)),
        intake_calls: intakeMs.length,
        intake_events: intakeEvents,
        link_lag_p50_ms: Math.round(percentile(lagMs, 50)),
        link_lag_p95_ms: Math.round(percentile(lagMs, 95)),
      },
      ratios: [
        ratio('all shipments delivered vs the first delivered (lower is better)', allDelivered, firstDelivered, 'ms'),
      ],
    };
  } finally {
    await link.stop();
    await db.carrierStreamCursor.deleteMany({ where: { stream } });
    const handles = orderIds.map((id) => deps.temporal.client.workflow.getHandle(`shipment-${id}`));
    await Promise.allSettled(handles.map((h) => h.terminate('bench done')));
    worker.shutdown();
    await running;
    await connection.close();
    const shipments = await db.shipment.findMany({ where: { order_id: { in: orderIds } }, select: { id: true } });
    await db.trackingEvent.deleteMany({ where: { shipment_id: { in: shipments.map((s) => s.id) } } });
    await db.shipment.deleteMany({ where: { order_id: { in: orderIds } } });
    await db.order.deleteMany({ where: { id: { in: orderIds } } });
    await db.user.deleteMany({ where: { id: userId } });
    await closeDeps(deps);
  }
}
