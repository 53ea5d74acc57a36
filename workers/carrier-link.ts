/**
 * Process entry: the shipment service's connection to the carrier's push stream
 * (services/shipments/carrier-link.ts). Several replicas may run: one holds the stream (an
 * advisory lock), the others wait as standbys. Each parcel's events go to the shipment's workflow
 * through the tracking intake, parcels side by side, a parcel's queued events as one batch.
 * Serves /healthz and /readyz (Postgres, Temporal, the carrier, and the link's state) on
 * CARRIER_LINK_HEALTH_PORT. SIGTERM lets the events in hand finish, then exits 0.
 */
import '../platform/telemetry/register'; // first: tracing patches the clients the imports below load
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { startHealthServer } from '../platform/health-server';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { createCarrierClient } from '../services/shipments/carrier-client';
import { createCarrierLink } from '../services/shipments/carrier-link';
import { carrierLinkReadiness } from '../services/shipments/carrier-link-readiness';
import { receiveCarrierEvents } from '../services/shipments/tracking-intake';

const config = getConfig();
const logger = createLogger(config.logLevel, 'carrier-link');
const deps = createDeps(config);
// The shipments, their workflows and (for a complaint's replacement and return parcels) the cases.
const services = createServices(deps, logger);
const intake = receiveCarrierEvents(services);
const link = createCarrierLink({
  carrierUrl: config.carrier.url,
  apiKey: config.carrier.apiKey,
  databaseUrl: config.postgres.url,
  logger,
  // A malformed frame is recorded as refused and passed: it must not stop the stream.
  refuseMalformed: (frame) => services.carrierRefusals.refuseMalformed(frame, 'link'),
  batchSink: async (events) => {
    const outcomes = await intake(events);
    const unknown = events.filter((_, i) => outcomes[i] === 'unknown_shipment');
    if (unknown.length > 0)
      logger.warn(
        { awb: unknown[0]!.awb, event_ids: unknown.map((e) => e.event_id) },
        'carrier events for no shipment of ours; acknowledged',
      );
  },
});
// The readiness probe's own client: bounded by the dependency timeout, not the booking calls'.
const carrier = createCarrierClient({
  baseUrl: config.carrier.url,
  apiKey: config.carrier.apiKey,
  timeoutMs: config.dependencyTimeoutMs,
});
const health = startHealthServer({
  host: config.health.host,
  port: config.health.carrierLinkPort,
  logger,
  readiness: () => carrierLinkReadiness(deps, carrier, link),
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, 'stopping carrier link');
    health.close();
    await link.stop();
    await closeDeps(deps);
    process.exit(0);
  });
}

await link.start();
logger.info({ carrier: config.carrier.url }, 'carrier link running');
