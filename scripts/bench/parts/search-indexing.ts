/**
 * How closely the search index follows the catalog. Freshness: an admin's product edit until
 * GET /search finds it (outbox, relay, Kafka, search consumer, Elasticsearch's refresh), against
 * a document written straight into a scratch index of the same settings until a search there
 * finds it (the refresh alone). Indexing: the search consumer's events/s into a scratch index,
 * against the same runtime with a no-op handler over the same events.
 */
import { randomUUID } from 'node:crypto';
import { runConsumer } from '../../../platform/kafka/consumer';
import { createSearchConsumer } from '../../../services/search/consumer';
import { createIndexer } from '../../../services/search/indexer';
import { createProductsIndex } from '../../../services/search/products-index';
import { buildSearch } from '../../../services/search/query';
import { httpCall } from '../../lib/http';
import { productUpserted } from '../lib/events';
import { benchLogger, handlerRates } from '../lib/kafka';
import { percentile, round, sleep } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

/** A word no product has, so the first search that finds it found this edit. */
const freshWord = () =>
  `zv${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8)}`;

/** ms until `found` answers true (polled back to back), or undefined after `timeoutMs`. */
async function msUntil(found: () => Promise<boolean>, timeoutMs = 30_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await found()) return performance.now() - t0;
    await sleep(10);
  }
  return undefined;
}

export async function searchIndexingPart(ctx: BenchContext): Promise<PartResult> {
  const { search, kafka } = ctx.deps;
  const samples = ctx.quick ? 3 : 30;
  const scratch = `bench-search-${randomUUID().slice(0, 8)}`;
  await createProductsIndex(search, scratch);
  // A search consumer of this run's own (from the topics' end), beside any the shop runs.
  const consumer = runConsumer(kafka, createSearchConsumer(ctx.services, benchLogger), {
    logger: benchLogger,
    groupId: `pasar.bench-search.${randomUUID()}`,
    fromBeginning: false,
  });
  try {
    const id = (
      await ctx.shop.call(
        'POST',
        '/products',
        { sku: `BENCHVIS-${randomUUID().slice(0, 8)}`, name: 'Bench Visibility', price: '1000.00', quantity: 3 },
        ctx.admin,
      )
    ).body.id as string;
    const inSearch = (word: string) => async () =>
      ((await httpCall(ctx.base, 'GET', `/search?q=${word}`)).body?.total ?? 0) > 0;
    const edit = async (word: string) =>
      ctx.shop.call('PATCH', `/products/${id}`, { name: `Bench ${word}` }, ctx.admin);
    // Warm-up: until one edit shows (the consumer's group joined, the relay is running), edit again every 5 s.
    let warm = false;
    for (let i = 0; i < 12 && !warm; i++) {
      const word = freshWord();
      await edit(word);
      warm = (await msUntil(inSearch(word), 5000)) !== undefined;
    }
    if (!warm)
      return { figures: {}, ratios: [], skipped: 'no edit reached /search in 60 s: is the outbox relay running?' };

    const viaShop: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < samples; i++) {
      const word = freshWord();
      const t0 = performance.now();
      await edit(word);
      if ((await msUntil(inSearch(word))) === undefined) throw new Error(`edit ${i} not in /search after 30 s`);
      viaShop.push(performance.now() - t0);

      const raw = freshWord();
      const t1 = performance.now();
      await search.index({ index: scratch, id: randomUUID(), document: { name: `Bench ${raw}`, status: 'active' } });
      const { query } = buildSearch({ q: raw, sort: 'relevance', page: 1, page_size: 20 });
      const found = async () => (await search.count({ index: scratch, query })).count > 0;
      if ((await msUntil(found)) === undefined) throw new Error(`document ${i} not in the scratch index after 30 s`);
      direct.push(performance.now() - t1);
    }
    await ctx.shop.call('PATCH', `/products/${id}`, { status: 'inactive' }, ctx.admin);

    const events = Array.from({ length: ctx.quick ? 300 : 3000 }, (_, i) => productUpserted(`EV-${i}`, `Produk ${i}`));
    const toScratch = createSearchConsumer({ searchIndexer: createIndexer(search, scratch) }, benchLogger);
    const rates = await handlerRates(kafka, toScratch, events, 3);
    const [p50, directP50] = [percentile(viaShop, 50), percentile(direct, 50)];
    return {
      figures: {
        edits: samples,
        edit_to_search_p50_ms: Math.round(p50),
        edit_to_search_p95_ms: Math.round(percentile(viaShop, 95)),
        direct_write_to_search_p50_ms: Math.round(directP50),
        indexed_events: events.length,
        consumer_events_per_second: round(rates.real),
        noop_events_per_second: round(rates.noop),
      },
      ratios: [
        ratio('product edit → GET /search p50 vs direct write → search p50 (lower is better)', p50, directP50, 'ms'),
        ratio('search consumer events/s vs no-op handler', rates.real, rates.noop, 'events/s'),
      ],
    };
  } finally {
    await consumer.stop();
    await search.indices.delete({ index: scratch }).catch(() => undefined);
  }
}
