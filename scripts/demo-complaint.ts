/**
 * `npm run demo -- --complaint` (or `tsx scripts/demo-complaint.ts`): one complaint walked to its
 * automatic refund in seconds. It runs its own API and Temporal worker in this process, against
 * the running stack (Postgres, Temporal, the gateway simulator), with the seller's deadline cut
 * to COMPLAINT_DEMO_SELLER_SECONDS (default 8) so the case's durable timer fires while you watch.
 * The order is paid through the real checkout saga and gateway; its delivery is written straight
 * to the order, since a parcel's journey is `npm run demo`'s story.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app';
import { getConfig, type Config } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { DEMO_ADDRESS } from '../services/users/demo-address';
import { TEST_CARDS } from '../contracts/test-cards';
import { createWorker } from '../workers/worker';
import { httpCall, loopbackAddress, type Json } from './lib/http';

const sellerSeconds = Number(process.env.COMPLAINT_DEMO_SELLER_SECONDS ?? 8);
let stepNo = 0;
const step = (title: string, detail: unknown = '') =>
  console.log(
    `\n${++stepNo}. ${title}${detail === '' ? '' : `\n   ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const base = getConfig();
  const config: Config = {
    ...base,
    logLevel: 'warn',
    temporal: { ...base.temporal, taskQueue: `demo-complaint-${Date.now()}` },
    complaints: { ...base.complaints, deadlines: { ...base.complaints.deadlines, sellerAnswerSeconds: sellerSeconds } },
  };
  const logger = createLogger('warn');
  const deps = createDeps(config);
  const services = createServices(deps, logger);
  await services.auth.ensureAdmin(config.auth.admin.email, config.auth.admin.password);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: createApp(deps, services, logger).fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(s),
    );
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const workerDeps = createDeps({ ...config, payments: { ...config.payments, webhookUrl: `${url}/payments/webhook` } });
  const { worker, connection } = await createWorker(workerDeps, { taskQueue: config.temporal.taskQueue });
  const running = worker.run();

  const from = loopbackAddress();
  let token = '';
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await httpCall(url, method, path, { body, headers, token: token || undefined, from });
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Json;
  };

  try {
    const admin = await deps.db.credential.findFirstOrThrow({ where: { email: config.auth.admin.email } });
    token = (await services.tokens.issue(admin.user_id)).access_token;
    const product = await call('POST', '/products', {
      sku: `DEMO-CPL-${Date.now()}`,
      name: 'Kopi Gayo Wine 200 g',
      price: '85000.00',
      quantity: 5,
      weight_grams: 250,
    });
    const email = `complaint-demo-${Date.now()}@example.id`;
    await call('POST', '/auth/register', {
      email,
      password: 'kopi-susu-gula-aren',
      first_name: 'Rina',
      last_name: 'Kusuma',
      phone: '+6281377778888',
    });
    token = (await call('POST', '/auth/login', { email, password: 'kopi-susu-gula-aren' })).access_token;
    const address = await call('POST', '/users/me/addresses', DEMO_ADDRESS);
    await call('POST', '/cart/items', { product_id: product.id, quantity: 1 });
    const order = await call(
      'POST',
      '/checkout',
      { address_id: address.id, shipping_service: 'regular' },
      {
        'idempotency-key': randomUUID(),
      },
    );
    await call('POST', '/payments/confirm', { order_id: order.order_id, card_number: TEST_CARDS.success });
    while ((await call('GET', `/orders/${order.order_id}`)).status !== 'paid') await sleep(300);
    step('Paid', `${order.order_number}: Rp ${order.amount.total_amount} through the checkout saga and the gateway`);

    await deps.db.order.update({ where: { id: order.order_id }, data: { status: 'delivered' } });
    step('Delivered', '(written straight to the order for this demo)');

    const complaint = await call('POST', `/orders/${order.order_id}/complaint`, {
      reason: 'damaged',
      description: 'The bag arrived torn and half the beans spilled in the box.',
      evidence_urls: ['https://photos.example.id/torn-bag.jpg'],
    });
    step('Complaint opened', {
      state: complaint.state,
      workflow: `complaint-${complaint.id}`,
      web_ui: `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/complaint-${complaint.id}`,
    });
    let opened = await call('GET', `/orders/${order.order_id}/complaint`);
    // The case records its deadline as it enters its first state, a moment after the POST.
    while (!opened.deadline_at) {
      await sleep(200);
      opened = await call('GET', `/orders/${order.order_id}/complaint`);
    }
    step(`The seller has ${sellerSeconds} s to answer (a durable timer)`, `deadline ${opened.deadline_at}`);

    let seen = opened.state as string;
    for (;;) {
      const c = await call('GET', `/orders/${order.order_id}/complaint`);
      if (c.state !== seen) console.log(`   … ${c.state}${c.deadline_at ? ` (deadline ${c.deadline_at})` : ''}`);
      seen = c.state;
      if (c.state === 'resolved') {
        step('No answer: the buyer is refunded automatically', {
          outcome: c.outcome,
          refunded: `Rp ${c.refunded_amount}`,
        });
        break;
      }
      await sleep(500);
    }
    for (let i = 0; i < 20; i++) {
      const payment = await call('GET', `/payments/${order.order_id}`);
      if (payment.status === 'refunded' || i === 19) {
        const detail = await call('GET', `/orders/${order.order_id}`);
        step('Money and order', { payment: payment.status, order: detail.status });
        break;
      }
      await sleep(500);
    }
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    server.close();
    await closeDeps(workerDeps);
    await closeDeps(deps);
  }
}

// Exits when the story ends: after everything above is closed a socket and two timers of the
// in-process clients still held the event loop for minutes.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[demo] ${(err as Error).message}`);
    process.exit(1);
  },
);
