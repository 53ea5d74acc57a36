/**
 * The search index under change, against the real stack (admin API -> outbox -> Kafka -> the
 * search consumer in the real runtime -> Elasticsearch), each test on a scratch alias so the
 * shared `products` alias is never rebuilt or cut under other tests:
 * - a reindex while a stream of admin updates runs loses none of them (the last updates land in
 *   the old index after the snapshot and before the swap, so only the catch-up passes carry them);
 * - with Elasticsearch cut off (a TCP proxy in front of the real one, cut and restored) the
 *   consumer parks nothing and catches up when it is back.
 */
import type { Client } from '@elastic/elasticsearch';
import { createElasticsearch } from '../../platform/clients/elasticsearch';
import { getConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { createSearchConsumer } from '../../services/search/consumer';
import type { ProductDocument } from '../../services/search/document';
import { createIndexer } from '../../services/search/indexer';
import { rebuildProductsIndex } from '../../services/search/rebuild';
import { useConsumers } from '../support/consumers';
import { unique } from '../support/deps';
import { adminToken, client, type Client as Http } from '../support/http';
import { dropScratch, scratchAlias, tcpProxy } from '../support/search';
import { useServer } from '../support/server';
import { waitFor } from '../support/shop';

const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newProduct(api: Http, admin: string, quantity = 10) {
  const res = await api.post(
    '/products',
    { sku: unique('SRCHIX'), name: `Gula Semut ${unique('x')}`, price: '10000.00', quantity },
    admin,
  );
  if (res.status !== 201) throw new Error(`product: ${res.status}`);
  return res.body.id as string;
}

const docOf = async (es: Client, index: string, id: string) =>
  (await es.get<ProductDocument>({ index, id }, { ignore: [404] }))._source;

/** Waits until the consumer writing `alias` has joined and applies a fresh admin edit. */
async function consumerReady(api: Http, admin: string, es: Client, alias: string, joined: () => boolean) {
  await waitFor('the search consumer to join', async () => joined(), 30_000);
  const id = await newProduct(api, admin);
  let price = 10000;
  await waitFor(
    'the consumer to apply a fresh edit',
    async () => {
      // An edit produced before the group had its offsets is not seen: edit again until one is.
      price += 1;
      await api.patch(`/products/${id}`, { price: `${price}.00` }, admin);
      await sleep(700);
      return (await docOf(es, alias, id))?.price !== undefined;
    },
    45_000,
  );
}

describe('search indexing under change', () => {
  const server = useServer();
  const consumers = useConsumers(() => server().deps.kafka);
  let api: Http;
  let admin = '';
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  describe('a reindex during a stream of updates', () => {
    let alias = '';
    const ids: string[] = [];
    beforeAll(async () => {
      const { search } = server().deps;
      alias = await scratchAlias(search);
      for (let i = 0; i < 12; i++) ids.push(await newProduct(api, admin));
      await rebuildProductsIndex(server().services.catalogSnapshot, search, logger, {
        alias,
        indexPrefix: `${alias}_v2`,
      });
      const c = consumers.start(createSearchConsumer({ searchIndexer: createIndexer(search, alias) }, logger), {
        fromBeginning: false,
      });
      await consumerReady(api, admin, search, alias, () => c.state() === 'running');
    }, 120_000);
    afterAll(() => dropScratch(server().deps.search, alias));

    it('loses none of them', async () => {
      const { search } = server().deps;
      const final = new Map<string, { price: string; available: number }>();
      let stop = false;
      let updates = 0;
      // Four writers, each owning three products, so each product's last answer is its last commit.
      const writers = [0, 1, 2, 3].map(async (w) => {
        for (let n = 0; !stop; n++) {
          const id = ids[w * 3 + (n % 3)]!;
          const last = final.get(id) ?? { price: '10000.00', available: 10 };
          if (n % 2 === 0) {
            const price = `${10000 + Math.floor(Math.random() * 90000)}.00`;
            const res = await api.patch(`/products/${id}`, { price }, admin);
            if (res.status === 200) final.set(id, { ...last, price });
          } else {
            const quantity = Math.floor(Math.random() * 100);
            const res = await api.put(`/products/${id}/inventory`, { quantity }, admin);
            if (res.status === 200) final.set(id, { ...last, available: res.body.available });
          }
          updates++;
        }
      });
      const matches = async (index: string) => {
        for (const [id, want] of final) {
          const doc = await docOf(search, index, id);
          if (Number(doc?.price).toFixed(2) !== want.price || doc?.available !== want.available) return false;
        }
        return true;
      };

      const result = await rebuildProductsIndex(server().services.catalogSnapshot, search, logger, {
        alias,
        indexPrefix: `${alias}_v2`,
        // The stream goes on past the snapshot, then stops; its last updates reach the OLD index
        // (the alias has not moved yet), so the new index has them only through the catch-up.
        afterLoad: async () => {
          await sleep(1500);
          stop = true;
          await Promise.all(writers);
          await waitFor('the consumer to write the last updates to the old index', () => matches(alias), 30_000);
        },
      });
      // Immediately after the swap, with nothing more coming: every product has its last values.
      await search.indices.refresh({ index: alias });
      expect(await matches(alias)).toBe(true);
      expect(updates).toBeGreaterThan(12);
      expect(result.caughtUp).toBeGreaterThan(0);
      expect(result.previous).not.toBe(result.index);
      const [aliased] = Object.keys(await search.indices.getAlias({ name: alias }));
      expect(aliased).toBe(result.index);
    }, 120_000);
  });

  describe('with Elasticsearch cut off from the consumer', () => {
    let alias = '';
    let proxy: Awaited<ReturnType<typeof tcpProxy>>;
    let consumerEs: Client;
    let consumer: ReturnType<typeof consumers.start>;
    beforeAll(async () => {
      const { search } = server().deps;
      alias = await scratchAlias(search);
      const es = new URL(getConfig().elasticsearch.url);
      proxy = await tcpProxy({ host: es.hostname, port: Number(es.port) });
      consumerEs = createElasticsearch(proxy.url(), 1000);
      consumer = consumers.start(createSearchConsumer({ searchIndexer: createIndexer(consumerEs, alias) }, logger), {
        fromBeginning: false,
      });
      await consumerReady(api, admin, search, alias, () => consumer.state() === 'running');
    }, 120_000);
    afterAll(async () => {
      await consumers.stop(consumer);
      await consumerEs.close();
      await proxy.close();
      await dropScratch(server().deps.search, alias);
    });

    it('parks nothing and catches up when it is back', async () => {
      const { search } = server().deps;
      const id = await newProduct(api, admin, 4);
      await waitFor('the product indexed', async () => (await docOf(search, alias, id))?.available === 4);

      await proxy.cut();
      expect(
        (await api.patch(`/products/${id}`, { name: 'Gula Semut Aren Baru', price: '15500.00' }, admin)).status,
      ).toBe(200);
      expect((await api.put(`/products/${id}/inventory`, { quantity: 9 }, admin)).status).toBe(200);
      await sleep(4000);
      expect(await docOf(search, alias, id)).toMatchObject({ price: 10000, available: 4 }); // really cut off

      await proxy.restore();
      await waitFor(
        'the consumer to catch up',
        async () => {
          const doc = await docOf(search, alias, id);
          return doc?.name === 'Gula Semut Aren Baru' && doc.price === 15500 && doc.available === 9;
        },
        60_000,
      );
      expect(consumer.stats().deadLettered).toBe(0);
    }, 90_000);
  });
});
