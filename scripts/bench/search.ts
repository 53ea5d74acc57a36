/**
 * `npm run bench:search -- [--seconds 10] [--concurrency 8] [--products 100000]`: the search
 * figures of issue 8, against the real stack (not a timed test). It starts its own API, outbox
 * relay and search consumer processes on spare ports, then prints:
 * 1. `/search` requests/s next to the raw Elasticsearch rate for the same query body, same run;
 * 2. admin product update -> visible in `/search`, p50/p95;
 * 3. search consumer events/s (the real runtime on a bench topic, into a scratch index);
 * 4. `npm run search:reindex` time with 100,000 generated products (bulk-inserted into Postgres
 *    with SKU prefix BENCHSRCH-, deleted afterwards, then reindexed again to drop them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps } from '../../platform/deps';
import { runConsumer } from '../../platform/kafka/consumer';
import { createLogger } from '../../platform/logger';
import { createSearchConsumer } from '../../services/search/consumer';
import { createProductsIndex, PRODUCTS_ALIAS } from '../../services/search/products-index';
import { buildSearch } from '../../services/search/query';
import { benchEvent } from './lib/events';

const args = process.argv.slice(2);
const num = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const SECONDS = num('--seconds', 10);
const CONCURRENCY = num('--concurrency', 8);
const PRODUCTS = num('--products', 100_000);
const QUERY = 'kopi susu';

const config = getConfig();
const API = 'http://127.0.0.1:3190';
const env = {
  ...process.env,
  API_PORT: '3190',
  RELAY_HEALTH_PORT: '3192',
  CONSUMERS_HEALTH_PORT: '3193',
  LOG_LEVEL: 'warn',
};
const logger = createLogger('warn', 'bench-search');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

const children: ChildProcess[] = [];
const start = (script: string, ...rest: string[]) => {
  const child = spawn('node', ['--import', 'tsx', script, ...rest], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
};

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Closed loop: CONCURRENCY callers for SECONDS; returns requests/s. */
async function rate(call: () => Promise<Response>): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const res = await call();
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function main() {
  const deps = createDeps(config);
  const api = (path: string, init?: RequestInit) => fetch(`${API}${path}`, init);
  try {
    start('workers/api.ts');
    start('workers/outbox-relay.ts');
    start('workers/consumers.ts', 'search');
    await until('the API', async () => (await api('/healthz')).ok);
    const login = await api('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: config.auth.admin.email, password: config.auth.admin.password }),
    });
    const admin = ((await login.json()) as { access_token: string }).access_token;
    const send = (method: string, path: string, body: unknown) =>
      api(path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify(body),
      });

    // 1. /search vs raw Elasticsearch, same query body, alternating twice to even out noise.
    const params = { q: QUERY, sort: 'relevance', page: 1, page_size: 20 } as const;
    const body = JSON.stringify(buildSearch(params));
    const raw = () =>
      fetch(`${config.elasticsearch.url}/${PRODUCTS_ALIAS}/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const viaApi = () => api(`/search?q=${encodeURIComponent(QUERY)}`);
    await rate(viaApi); // warm-up
    const rawRates = [await rate(raw)];
    const apiRates = [await rate(viaApi)];
    rawRates.push(await rate(raw));
    apiRates.push(await rate(viaApi));
    const [r, a] = [Math.max(...rawRates), Math.max(...apiRates)];
    console.log(`[bench:search] "${QUERY}", ${CONCURRENCY} concurrent, ${SECONDS} s x2 each:`);
    console.log(
      `  raw Elasticsearch ${r.toFixed(0)} req/s, GET /search ${a.toFixed(0)} req/s, ratio ${(a / r).toFixed(2)} (goal >= 0.7)`,
    );

    // 2. Update -> visible in /search, with the relay and the consumer processes running.
    const created = await send('POST', '/products', {
      sku: `BENCHVIS-${Date.now()}`,
      name: 'Bench Visibility',
      price: '1000.00',
      quantity: 3,
    });
    const id = ((await created.json()) as { id: string }).id;
    await until(
      'the consumer to catch up with the topics',
      async () =>
        ((await (await api('/search?q=Bench%20Visibility')).json()) as { data: { id: string }[] }).data.some(
          (h) => h.id === id,
        ),
      300_000,
    );
    const lags: number[] = [];
    for (let i = 0; i < 30; i++) {
      const word = `zv${randomUUID()
        .replace(/[^a-z]/g, '')
        .slice(0, 8)}`;
      const t0 = performance.now();
      await send('PATCH', `/products/${id}`, { name: `Bench ${word}` });
      await until(
        'the edit',
        async () => ((await (await api(`/search?q=${word}`)).json()) as { total: number }).total > 0,
        30_000,
      );
      lags.push(performance.now() - t0);
    }
    console.log(
      `  admin update -> visible in /search: p50 ${pct(lags, 50).toFixed(0)} ms, p95 ${pct(lags, 95).toFixed(0)} ms (n=${lags.length}; refresh_interval 1 s)`,
    );
    await send('PATCH', `/products/${id}`, { status: 'inactive' });

    // 3. Consumer events/s: the real runtime and indexer, a bench topic, a scratch index.
    const topic = `bench.search.${Date.now()}`;
    const scratch = `bench-search-${Date.now()}`;
    await createProductsIndex(deps.search, scratch);
    const admin2 = deps.kafka.admin();
    await admin2.connect();
    await admin2.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = deps.kafka.producer();
    await producer.connect();
    const EVENTS = 3000;
    const now = new Date().toISOString();
    const messages = Array.from({ length: EVENTS }, (_, i) => {
      const pid = randomUUID();
      const event = benchEvent(
        'product.upserted',
        pid,
        {
          id: pid,
          sku: `EV-${i}`,
          name: `Produk ${i}`,
          description: '',
          price: '1000.00',
          category: 'general',
          status: 'active',
          weight_grams: 1,
          available: 1,
          in_stock: true,
          created_at: now,
          updated_at: now,
        },
        now,
      );
      return { key: pid, value: JSON.stringify(event) };
    });
    for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, messages: messages.slice(i, i + 500) });
    await producer.disconnect();
    const spec = {
      ...createSearchConsumer(deps, logger, { index: scratch }),
      topics: [{ name: topic, partitions: 3, carries: 'bench' }],
    };
    const t0 = performance.now();
    const running = runConsumer(deps.kafka, spec, { logger, groupId: `bench-${Date.now()}` });
    await until('the consumer to drain the bench topic', async () => running.stats().handled >= EVENTS, 600_000);
    const eps = EVENTS / ((performance.now() - t0) / 1000);
    await running.stop();
    await admin2.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin2.disconnect();
    await deps.search.indices.delete({ index: scratch });
    console.log(
      `  search consumer: ${eps.toFixed(0)} events/s (${EVENTS} product.upserted, 3 partitions, group join included)`,
    );

    // 4. npm run search:reindex with PRODUCTS generated products.
    let t = performance.now();
    await deps.db.$executeRawUnsafe(`
      INSERT INTO catalog.products (sku, name, description, price, category, status, weight_grams, updated_at)
      SELECT 'BENCHSRCH-' || g, 'Produk Bench ' || g || ' ' || (ARRAY['Kopi','Teh','Batik','Sambal','Keripik'])[1 + g % 5],
             'Barang uji untuk benchmark pencarian', 1000 + (g % 500) * 1000, (ARRAY['groceries','fashion','home','toys'])[1 + g % 4],
             'active', 500, now()
      FROM generate_series(1, ${PRODUCTS}) g`);
    await deps.db.$executeRawUnsafe(`
      INSERT INTO catalog.inventory (product_id, quantity) SELECT id, 10 FROM catalog.products WHERE sku LIKE 'BENCHSRCH-%'`);
    const inserted = (performance.now() - t) / 1000;
    const reindex = () => {
      const t1 = performance.now();
      const out = spawnSync('npx', ['tsx', 'scripts/search-reindex.ts'], { env: process.env, encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`search:reindex failed: ${out.stderr}`);
      return { s: (performance.now() - t1) / 1000, line: out.stdout.trim() };
    };
    try {
      const big = reindex();
      console.log(
        `  npm run search:reindex with ${PRODUCTS} generated products: ${big.s.toFixed(1)} s wall (${big.line})`,
      );
    } finally {
      t = performance.now();
      await deps.db.$executeRawUnsafe(
        `DELETE FROM catalog.inventory WHERE product_id IN (SELECT id FROM catalog.products WHERE sku LIKE 'BENCHSRCH-%')`,
      );
      await deps.db.$executeRawUnsafe(`DELETE FROM catalog.products WHERE sku LIKE 'BENCHSRCH-%'`);
      const cleaned = reindex();
      console.log(
        `  generating them took ${inserted.toFixed(1)} s (one INSERT ... generate_series); deleting them and reindexing without them ${((performance.now() - t) / 1000).toFixed(1)} s (${cleaned.line})`,
      );
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await closeDeps(deps);
  }
}

main().catch((err) => {
  console.error(`[bench:search] FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
});
