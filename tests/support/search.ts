/**
 * Search test helpers: scratch indices (so a test never touches the shared `products` alias
 * unless it means to), envelopes of the two events the indexer reads, and a TCP proxy in front of
 * the real Elasticsearch that a test can cut and restore (never stop the shared one).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Client } from '@elastic/elasticsearch';
import type { TypedEvent } from '../../platform/event-catalog';
import { createProductsIndex } from '../../services/search/products-index';
import { unique } from './deps';

/** Creates `<name>-v2` behind the alias `<name>`; deleted with `dropScratch`. */
export async function scratchAlias(es: Client): Promise<string> {
  const alias = unique('search-test').toLowerCase();
  await createProductsIndex(es, `${alias}_v2-0`);
  await es.indices.putAlias({ index: `${alias}_v2-0`, name: alias });
  return alias;
}

export async function dropScratch(es: Client, alias: string) {
  // Deleting needs names (action.destructive_requires_name): list them first.
  const names = Object.keys(await es.indices.get({ index: `${alias}_v2*` }));
  if (names.length) await es.indices.delete({ index: names }, { ignore: [404] });
}

export function inventoryEvent(productId: string, v: number, available: number): TypedEvent<'inventory.changed'> {
  return {
    id: randomUUID(),
    type: 'inventory.changed',
    aggregate_id: productId,
    aggregate_version: v,
    occurred_at: new Date().toISOString(),
    version: 1,
    data: {
      product_id: productId,
      quantity: available + 1,
      reserved: 1,
      available,
      reason: 'stock_set',
      order_id: null,
    },
  };
}

/** A TCP proxy to `target` on an ephemeral port; `cut()` refuses and drops connections until `restore()`. */
export async function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    url: () => `http://127.0.0.1:${port}`,
    async cut() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server!.close(resolve));
    },
    restore: listen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(undefined)));
    },
  };
}
