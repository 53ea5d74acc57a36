/** Process entry: the payment-gateway simulator, started by the local stack (scripts/stack). */
import { serve } from '@hono/node-server';
import { getConfig } from '../../platform/config';
import { createGatewayApp } from './app';
import { createDeliverer } from './deliveries';
import { createLedger } from './ledger';

const { payments } = getConfig();
const log = (msg: string) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), service: 'payment-gateway', msg }));
const ledger = createLedger(payments.gatewayLedgerFile);
log(
  `${ledger.count()} intents on record${payments.gatewayLedgerFile ? ` (${payments.gatewayLedgerFile})` : ' (in memory)'}`,
);
const app = createGatewayApp(
  payments.gatewayApiKey,
  createDeliverer(payments.serverKey, log),
  ledger,
  `http://127.0.0.1:${payments.gatewayPort}`,
);

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: payments.gatewayPort }, (info) =>
  log(`payment-gateway simulator listening on http://127.0.0.1:${info.port}`),
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
