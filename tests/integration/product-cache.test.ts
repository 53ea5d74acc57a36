/**
 * The product cache is optional: with Redis hung (it accepts connections and never answers) a
 * product page is read from Postgres at once, instead of waiting out the Redis command timeout on
 * the cache read and again on the write.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';
import { createLogger } from '../../platform/logger';
import { createServices } from '../../services';
import { adminToken, client } from '../support/http';
import { newProduct } from '../support/shop';
import { useServer } from '../support/server';

const TIMEOUT_MS = 3000;

describe('product reads with Redis down', () => {
  const server = useServer();
  let noRedis: Deps;
  let hung: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    hung = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as { port: number };
    const config = server().config;
    noRedis = createDeps({ ...config, redis: { url: `redis://127.0.0.1:${port}` }, dependencyTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await closeDeps(noRedis).catch(() => undefined);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => hung.close(resolve));
  });

  it('answers from Postgres without waiting on the cache', async () => {
    const api = client(server().base);
    const productId = await newProduct(api, await adminToken(server()), 7, '21000.00');
    const products = createServices(noRedis, createLogger('silent')).products;
    const started = Date.now();
    const view = await products.get(productId);
    const tookMs = Date.now() - started;
    expect(view).toMatchObject({ id: productId, price: '21000.00', available: 7 });
    // One Redis timeout would be 3 s; the old code waited two of them.
    expect(tookMs).toBeLessThan(TIMEOUT_MS);
  });
});
