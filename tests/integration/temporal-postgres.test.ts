/**
 * TEMPORAL_MODE=postgres end to end. The stack script brings up the Temporal server on PostgreSQL
 * exactly as `TEMPORAL_MODE=postgres npm run stack:up` does (building it the first time: minutes,
 * once per machine), but beside the running stack: a state dir, free ports and databases of this
 * file's own, all removed after. The real API and a worker on a task queue of their own then run a
 * ping and a checkout to paid on it, and an operator's visibility queries find the saga by the
 * search attributes it upserts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client as PgClient } from 'pg';
import { getConfig } from '../../platform/config';
import { pingWorkflow } from '../../workflows';
import { unique } from '../support/deps';
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';

const run = promisify(execFile);

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * A frontend port P whose whole block is free: P+1..+3 and P+10 (history, matching, worker, HTTP),
 * P-300..-297 (membership; scripts/stack/temporal-postgres.sh), P+20 and P+21 (Web UI, metrics).
 */
async function freeTemporalPorts() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = 20_400 + Math.floor(Math.random() * 9_000);
    const block = [0, 1, 2, 3, 10, -300, -299, -298, -297, 20, 21].map((d) => p + d);
    if ((await Promise.all(block.map(canListen))).every(Boolean)) return { frontend: p, ui: p + 20, metrics: p + 21 };
  }
  throw new Error('no free block of ports for a Temporal server');
}

describe('TEMPORAL_MODE=postgres: the stack runs the Temporal server on PostgreSQL', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'pasar-temporal-postgres-'));
  const database = `temporal_suite_${process.pid}`;
  let ports: Awaited<ReturnType<typeof freeTemporalPorts>>;
  let env: NodeJS.ProcessEnv;
  const stack = (...args: string[]) =>
    run('bash', ['scripts/stack/stack.sh', ...args], { env, timeout: 20 * 60_000, maxBuffer: 10 * 1024 * 1024 });

  const dropDatabases = async () => {
    const pg = new PgClient({ connectionString: getConfig().postgres.url });
    await pg.connect();
    try {
      for (const db of [database, `${database}_visibility`])
        await pg.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    } finally {
      await pg.end();
    }
  };

  // Declared before useServer: it runs first, so the server and worker find Temporal up.
  beforeAll(async () => {
    ports = await freeTemporalPorts();
    env = {
      ...process.env,
      PASAR_STATE_DIR: stateDir,
      TEMPORAL_MODE: 'postgres',
      TEMPORAL_PORT: String(ports.frontend),
      TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_METRICS_PORT: String(ports.metrics),
      TEMPORAL_POSTGRES_DB: database,
    };
    await dropDatabases();
    await stack('up', 'temporal');
  }, 20 * 60_000);

  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      temporal: {
        ...c.temporal,
        address: `127.0.0.1:${ports.frontend}`,
        uiUrl: `http://127.0.0.1:${ports.ui}`,
      },
    }),
  });

  // Declared after useServer: runs once its worker and clients are closed.
  afterAll(async () => {
    try {
      await stack('down', 'temporal');
      await dropDatabases();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);

  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('is up on the ports it was given, on Postgres, with its Web UI, and stack.sh status says so', async () => {
    // Each status call asks the server and the Web UI anew (3 s each at most): on a busy machine one
    // answer can come late, and status says DOWN for that call. Healthy is a condition to wait for.
    const line = new RegExp(`temporal +healthy +127\\.0\\.0\\.1:${ports.frontend} .*TEMPORAL_MODE=postgres`);
    const stdout = await waitFor(
      'stack.sh status to report the server healthy',
      async () => {
        const out = await stack('status', 'temporal').then(
          (r) => r.stdout,
          (err: { stdout?: string }) => err.stdout ?? '',
        );
        return line.test(out) ? out : undefined;
      },
      90_000,
    );
    expect(stdout).toMatch(line);
    const info = await server().deps.temporal.client.workflowService.getClusterInfo({});
    expect(info.persistenceStore).toBe('postgres12');
    expect(info.visibilityStore).toBe('postgres12');
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
  });

  it('runs a workflow whose activity executes on a worker polling it', async () => {
    const result = await server().deps.temporal.client.workflow.execute(pingWorkflow, {
      taskQueue: server().config.temporal.taskQueue,
      workflowId: unique('ping'),
      args: ['pasar'],
    });
    expect(result).toBe(`pong pasar from worker pid ${process.pid}`);
  });

  it('runs a checkout to paid, and visibility finds the saga by the search attributes it upserts', async () => {
    const temporal = server().deps.temporal.client;
    const find = (query: string) =>
      waitFor(`a saga matching ${query}`, async () => {
        const found = [];
        for await (const wf of temporal.workflow.list({ query })) found.push(wf);
        return found.length > 0 ? found : undefined;
      });

    const productId = await newProduct(api, admin, 3);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body).toMatchObject({ status: 'awaiting_payment' });
    const orderNumber = res.body.order_number as string;
    const waiting = await find(`OrderNumber = "${orderNumber}" AND OrderStatus = "awaiting_payment"`);
    expect(waiting.map((w) => w.workflowId)).toEqual([res.body.workflow_id]);

    await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, res.body.order_id, 'paid');
    // By status alone, as an operator filters the Web UI: this queue's paid sagas are this one.
    const paid = await find(`OrderStatus = "paid" AND TaskQueue = "${server().config.temporal.taskQueue}"`);
    expect(paid.map((w) => w.workflowId)).toEqual([res.body.workflow_id]);
    expect(paid[0]!.searchAttributes).toMatchObject({ OrderNumber: [orderNumber], UserId: [me.id] });
  });
});
