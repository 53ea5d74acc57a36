/**
 * Every process answers GET /metrics with its series after a real checkout (the API in-process;
 * the worker, relay and consumers as their real entry points on ports of their own), and the
 * stack's Prometheus fires a real alert: the test's API joins its scrape targets, receives forged
 * webhooks, and PaymentWebhookSignatureFailures fires within seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { kill } from '../support/worker-process';
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';

const server = useServer();
const children: ChildProcess[] = [];
let api: Client;
let admin: string;
const ports = { worker: 0, temporalSdk: 0, relay: 0, consumers: 0 };

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Starts a real entry point and resolves once it logged `readyLine`. */
function start(entry: string, env: Record<string, string>, readyLine: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['--import', 'tsx', entry], {
      env: { ...process.env, LOG_LEVEL: 'info', RECONCILE_SCHEDULE: 'off', ...env },
    });
    children.push(child);
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`${entry} never logged ${readyLine}: ${output.slice(-2000)}`)),
      90_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (readyLine.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${entry} exited with ${code}: ${output.slice(-2000)}`)));
  });
}

const scrape = async (port: number | string) => {
  const base = typeof port === 'number' ? `http://127.0.0.1:${port}` : port;
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};
/** The value of one series, by name and exact labels as Prometheus prints them. */
const valueOf = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  api = client(server().base);
  admin = await adminToken(server());
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  await Promise.all([
    start(
      'workers/temporal-worker.ts',
      {
        TEMPORAL_TASK_QUEUE: server().config.temporal.taskQueue,
        PAYMENT_WEBHOOK_URL: `${server().base}/payments/webhook`,
        WORKER_HEALTH_PORT: String(ports.worker),
        WORKER_TEMPORAL_METRICS_PORT: String(ports.temporalSdk),
      },
      /worker polling/,
    ),
    start('workers/outbox-relay.ts', { RELAY_HEALTH_PORT: String(ports.relay) }, /health server listening/),
    start('workers/consumers.ts', { CONSUMERS_HEALTH_PORT: String(ports.consumers) }, /health server listening/),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(children.map((c) => kill(c, 'SIGTERM')));
});

describe('GET /metrics on every process after a checkout', () => {
  it('shows the paid and the declined checkout, the webhooks, the HTTP routes, Temporal and the consumers', async () => {
    const productId = await newProduct(api, admin, 10);
    const orders: string[] = [];
    for (const card of [CARDS.ok, CARDS.declined]) {
      const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
      const res = await checkout(api, me.token, me.address_id);
      expect(res.status).toBe(202);
      orders.push(res.body.order_id);
      await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: card }, me.token);
      await orderStatus(api, me.token, res.body.order_id, card === CARDS.ok ? 'paid' : 'cancelled', 45_000);
    }

    const apiText = await scrape(server().metricsBase);
    expect(valueOf(apiText, 'pasar_http_requests_total{route="/checkout",method="POST",status="202"}')).toBe(2);
    expect(apiText).toMatch(/pasar_http_request_duration_seconds_bucket\{le="[^"]+",route="\/orders\/:id"/);
    expect(
      valueOf(apiText, 'pasar_payment_webhooks_received_total{outcome="applied",duplicate="false",source="webhook"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(apiText).toContain('nodejs_eventloop_lag_seconds');
    // Route patterns, never raw paths: no order id leaks into a label.
    for (const id of orders) expect(apiText).not.toContain(id);

    const worker = await scrape(ports.worker);
    expect(valueOf(worker, 'pasar_checkouts_started_total')).toBe(2);
    expect(valueOf(worker, 'pasar_checkouts_ended_total{outcome="paid"}')).toBe(1);
    expect(valueOf(worker, 'pasar_checkouts_ended_total{outcome="declined"}')).toBe(1);
    expect(valueOf(worker, 'pasar_checkouts_compensated_total{reason="payment_failed"}')).toBe(1);
    expect(valueOf(worker, 'pasar_stuck_work_up')).toBe(1);

    const sdk = await scrape(ports.temporalSdk);
    expect(sdk).toMatch(/^temporal_worker_task_slots_available\{/m);
    expect(sdk).toMatch(/^temporal_workflow_completed_total\{/m);
    expect(sdk).toMatch(/^temporal_workflow_task_schedule_to_start_latency_bucket\{/m);

    expect(await scrape(ports.relay)).toContain('process_resident_memory_bytes');

    const consumers = await waitFor(
      'the consumers to have handled events and read their lag',
      async () => {
        const text = await scrape(ports.consumers);
        const handled = valueOf(
          text,
          'pasar_consumer_messages_total{consumer="search",group="pasar.search",result="handled"}',
        );
        return (handled ?? 0) > 0 && valueOf(text, 'pasar_consumer_lag_up') === 1 ? text : undefined;
      },
      60_000,
    );
    expect(consumers).toMatch(
      /^pasar_consumer_lag\{group="pasar\.search",topic="pasar\.[a-z-]+",partition="\d+"\} \d+/m,
    );
    expect(consumers).toMatch(/^pasar_dead_letter_messages \d+/m);
    expect(consumers).toMatch(/^pasar_consumer_up\{consumer="search",group="pasar.search"\} 1/m);
  }, 180_000);
});

describe('the stack Prometheus', () => {
  let targetFile: string | undefined;
  afterAll(() => targetFile && rmSync(targetFile, { force: true }));

  it('fires PaymentWebhookSignatureFailures when forged webhooks reach an API it scrapes', async () => {
    const url = server().config.metrics.prometheusUrl;
    const config = (await (await fetch(`${url}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    const extra = YAML.parse(config.data.yaml).scrape_configs.find(
      (s: { job_name: string }) => s.job_name === 'pasar-extra',
    );
    const instance = new URL(server().metricsBase).host;
    // A job of this run's own: an earlier run's forged webhooks stay in the alert's 5-minute window.
    const job = `pasar-api-test-${randomUUID().slice(0, 8)}`;
    targetFile = path.join(path.dirname(extra.file_sd_configs[0].files[0]), `metrics-test-${randomUUID()}.json`);
    writeFileSync(targetFile, JSON.stringify([{ targets: [instance], labels: { job } }]));
    const scraped = async () => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(`up{instance="${instance}"}`)}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1] === '1';
    };
    await waitFor('Prometheus to scrape the test API', scraped, 30_000);

    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${server().base}/payments/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // A forged notification: well formed, its signature_key made up.
        body: JSON.stringify({
          transaction_id: `pi_forged_${i}`,
          order_id: randomUUID(),
          gross_amount: '150000.00',
          currency: 'IDR',
          payment_type: 'bank_transfer',
          transaction_status: 'settlement',
          status_code: '200',
          signature_key: 'ab'.repeat(64),
        }),
      });
      expect(res.status).toBe(401);
    }

    const firing = await waitFor(
      'PaymentWebhookSignatureFailures to fire',
      async () => {
        const res = await fetch(`${url}/api/v1/alerts`);
        const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
        return body.data.alerts.find(
          (a) =>
            a.labels.alertname === 'PaymentWebhookSignatureFailures' && a.labels.job === job && a.state === 'firing',
        );
      },
      45_000,
    );
    expect(firing.labels.severity).toBe('page');
  }, 90_000);
});
