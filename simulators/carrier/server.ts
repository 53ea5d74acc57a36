/** Process entry: the carrier simulator, started by the local stack (scripts/stack/carrier.sh). */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { getConfig } from '../../platform/config';
import { createCarrierApp } from './app';
import { createJourneys } from './journeys';
import { createCarrierState } from './state';
import { createStreamHub } from './stream';
import { createWebhookSender } from './webhooks';

const { carrier } = getConfig();
const log = (msg: string) => console.log(JSON.stringify({ time: new Date().toISOString(), service: 'carrier', msg }));

const state = createCarrierState(carrier.stateFile);
const hub = createStreamHub(state, carrier.apiKey);
const webhooks = createWebhookSender(state, carrier.webhookSecret, carrier.webhookUrl, log);
const journeys = createJourneys(state, carrier.speed, {
  streamed: (event) => hub.publish(event),
  webhook: (booking, emission, event) => webhooks.send(booking.awb, emission, event),
});
const app = createCarrierApp({ apiKey: carrier.apiKey, state, journeys, hub, webhooks });

log(
  `${state.bookings().length} bookings, stream at seq ${state.lastSeq()}` +
    `${carrier.stateFile ? ` (${carrier.stateFile})` : ' (in memory)'}; speed ×${carrier.speed}`,
);
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: carrier.port }, (info) => {
  log(`carrier simulator listening on http://127.0.0.1:${info.port}; webhooks to ${carrier.webhookUrl}`);
  // Only once listening: a journey resumed before then would push to nobody (the log keeps it anyway).
  journeys.resumeAll();
  webhooks.resendUndelivered();
}) as Server;
server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    journeys.stop();
    webhooks.stop();
    hub.close();
    server.close(() => process.exit(0));
  });
}
