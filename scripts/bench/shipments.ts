/**
 * `npm run bench:shipments -- [--shipments 200] [--step-ms 100]`: the shipment pipeline on the
 * real stack: one in-process worker (its own task queue) with the real activities, the carrier
 * simulator booking every parcel (normal journey, a step every --step-ms), the carrier link on a
 * stream cursor of its own, the tracking intake signalling the workflows. Makes N paid orders
 * straight in the order service's tables (a checkout each would measure the checkout), starts N
 * shipments at once and prints:
 * - in flight: how many shipment workflows one worker held open at once, and its memory then;
 * - throughput: tracking events from the carrier's push to the order's status, per second, and
 *   the time from the first start until every order was delivered.
 * Afterwards it deletes its orders, shipments and tracking events (outbox rows stay, as published).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { getConfig, type Config } from '../../platform/config';
import { closeDeps, createDeps } from '../../platform/deps';
import { createLogger } from '../../platform/logger';
import { createServices } from '../../services';
import { createCarrierLink } from '../../services/transport/carrier-link';
import { shipmentTimings, startShipment } from '../../services/transport/shipment-starter';
import { receiveCarrierEvent } from '../../services/transport/tracking-intake';
import { createProfile } from '../../services/users/store';
import { DEMO_ADDRESS } from '../../services/users/demo-address';
import { createWorker } from '../../workers/worker';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const N = option('--shipments', 200);
const STEP_MS = option('--step-ms', 100);

const seconds = (from: number) => (performance.now() - from) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const base = getConfig();
  const taskQueue = `bench-shipments-${randomUUID().slice(0, 8)}`;
  const config: Config = {
    ...base,
    logLevel: 'warn',
    temporal: { ...base.temporal, taskQueue },
    shipments: { ...base.shipments, carrierStepMs: STEP_MS, delivery: 'websocket', completionWindowSeconds: 3600 },
  };
  const deps = createDeps(config);
  const logger = createLogger('warn', 'bench');
  const services = createServices(deps, logger);
  const { db } = deps;

  const userId = randomUUID();
  await createProfile(db, {
    id: userId,
    email: `bench-${userId}@bench.pasar.local`,
    first_name: 'Bench',
    last_name: 'Shopper',
    phone: '+6281200000000',
  });
  const orderIds = Array.from({ length: N }, () => randomUUID());
  for (const [i, id] of orderIds.entries()) {
    await db.order.create({
      data: {
        id,
        order_number: `PSR-BENCH-${String(i).padStart(5, '0')}`.slice(0, 20),
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
  }

  const { worker, connection } = await createWorker(deps, { taskQueue });
  const running = worker.run();
  const intake = receiveCarrierEvent(services);
  // Time in the intake (lookup + Temporal's signal accept) per event: the link hands them on one at a time.
  const intakeMs: number[] = [];
  const link = createCarrierLink({
    carrierUrl: config.carrier.url,
    apiKey: config.carrier.apiKey,
    databaseUrl: config.postgres.url,
    sink: async (event) => {
      const t0 = performance.now();
      await intake(event);
      intakeMs.push(performance.now() - t0);
    },
    logger,
    stream: `bench-${taskQueue}`,
    lockKey: randomInt(1_000_000, 2_000_000_000),
  });
  await link.start();

  const started = performance.now();
  const rss0 = process.memoryUsage().rss;
  const timings = shipmentTimings(config);
  await Promise.all(
    orderIds.map((orderId, i) =>
      startShipment(
        deps.temporal.client,
        { taskQueue, timings },
        {
          orderId,
          orderNumber: `PSR-BENCH-${i}`,
          userId,
        },
      ),
    ),
  );
  let peakOpen = 0;
  let peakRss = rss0;
  for (;;) {
    const open = await db.shipment.count({ where: { order_id: { in: orderIds }, status: { notIn: ['delivered'] } } });
    const delivered = await db.order.count({ where: { id: { in: orderIds }, status: 'delivered' } });
    peakOpen = Math.max(peakOpen, open);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (delivered === N) break;
    if (seconds(started) > 600) throw new Error(`only ${delivered} of ${N} delivered after 10 minutes`);
    await sleep(250);
  }
  const elapsed = seconds(started);
  const events = await db.trackingEvent.count({ where: { shipment: { order_id: { in: orderIds } } } });

  console.log(`[bench:shipments] ${N} shipments, carrier step ${STEP_MS} ms, one worker`);
  console.log(
    `[bench:shipments] in flight: ${N} shipment workflows open on one worker (up to ${peakOpen} parcels on their way at once); process RSS ${(rss0 / 2 ** 20).toFixed(0)} → ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(
    `[bench:shipments] throughput: ${events} tracking events pushed → applied → order status in ${elapsed.toFixed(1)} s = ${(events / elapsed).toFixed(0)} events/s; all ${N} orders delivered`,
  );

  intakeMs.sort((a, b) => a - b);
  const pct = (p: number) => intakeMs[Math.min(intakeMs.length - 1, Math.floor(intakeMs.length * p))]?.toFixed(0);
  console.log(
    `[bench:shipments] intake per event (lookup + signal accepted): p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms over ${intakeMs.length} events; the link is serial, so at most ~${(1000 / Number(pct(0.5))).toFixed(0)} events/s`,
  );

  await link.stop();
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

main().catch((err) => {
  console.error(`[bench:shipments] ${(err as Error).message}`);
  process.exit(1);
});
