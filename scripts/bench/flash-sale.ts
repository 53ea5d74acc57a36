/**
 * `npm run bench:flash-sale -- [--shoppers 100] [--units 10]`: against the running shop
 * (`npm start`), N shoppers check out the last U units of one product at the same moment and
 * the winners pay. Prints how long the checkouts took to settle, how long until every winner's
 * order was paid, and the final stock; exits 1 if more than U orders were paid or stock went wrong.
 */
import { randomUUID } from 'node:crypto';
import { getConfig } from '../../platform/config';
import { TEST_CARDS } from '../../contracts/test-cards';
import { httpCall, loopbackAddress, type Reply } from '../lib/http';

const config = getConfig();
const BASE = `http://${config.api.host}:${config.api.port}`;
const args = process.argv.slice(2);
const num = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const SHOPPERS = num('--shoppers', 100);
const UNITS = num('--units', 10);

function call(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
  from?: string,
): Promise<Reply> {
  return httpCall(BASE, method, path, { body, token, headers, from });
}

const ms = (since: number) => `${((performance.now() - since) / 1000).toFixed(2)} s`;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

async function shopper(productId: string, addressBody: object) {
  const email = `bench-${randomUUID()}@example.id`;
  await call(
    'POST',
    '/auth/register',
    { email, password: 'bench-password-123', first_name: 'Bench', last_name: 'Shopper', phone: '+6281200000001' },
    undefined,
    {},
    loopbackAddress(),
  );
  const token = (await call('POST', '/auth/login', { email, password: 'bench-password-123' })).body
    .access_token as string;
  const address = (await call('POST', '/users/me/addresses', addressBody, token)).body.id as string;
  await call('POST', '/cart/items', { product_id: productId, quantity: 1 }, token);
  return { token, address };
}

async function main() {
  const admin = (
    await call('POST', '/auth/login', { email: config.auth.admin.email, password: config.auth.admin.password })
  ).body.access_token;
  if (!admin) throw new Error('admin login failed: is the shop running (npm start) with its default admin?');
  const product = (
    await call(
      'POST',
      '/products',
      { sku: `BENCH-${Date.now()}`, name: 'Flash sale: Kopi Luwak 100 g', price: '450000.00', quantity: UNITS },
      admin,
    )
  ).body;
  const addressBody = {
    label: 'Rumah',
    province_id: 31,
    province_name: 'DKI Jakarta',
    city_id: 3171,
    city_name: 'Jakarta Selatan',
    district_id: 317101,
    district_name: 'Kebayoran Baru',
    subdistrict_id: 31710110,
    subdistrict_name: 'Senayan',
    street: 'Jl. Asia Afrika No. 8',
    postal_code: '10270',
  };
  let t = performance.now();
  const shoppers: { token: string; address: string }[] = [];
  for (let i = 0; i < SHOPPERS; i += 20)
    shoppers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(20, SHOPPERS - i) }, () => shopper(product.id, addressBody)),
      )),
    );
  console.log(`setup: ${SHOPPERS} shoppers registered with a cart in ${ms(t)}`);

  t = performance.now();
  const latencies: number[] = [];
  const results = await Promise.all(
    shoppers.map(async (s) => {
      const key = randomUUID();
      const started = performance.now();
      for (;;) {
        const r = await call('POST', '/checkout', { address_id: s.address }, s.token, { 'idempotency-key': key });
        if (r.status !== 202 || r.body.status === 'awaiting_payment') {
          latencies.push(performance.now() - started);
          return { ...r, s };
        }
      }
    }),
  );
  const settled = ms(t);
  const winners = results.filter((r) => r.status === 202);
  const refused = results.filter((r) => r.status === 409).length;
  await Promise.all(
    winners.map((w) =>
      call('POST', '/payments/confirm', { order_id: w.body.order_id, card_number: TEST_CARDS.success }, w.s.token),
    ),
  );
  for (;;) {
    const statuses = await Promise.all(
      winners.map(async (w) => (await call('GET', `/orders/${w.body.order_id}`, undefined, w.s.token)).body.status),
    );
    if (statuses.every((st) => st !== 'pending')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const paidIn = ms(t);
  const stock = (await call('GET', `/products/${product.id}/inventory`)).body;
  console.log(
    `checkouts: ${SHOPPERS} concurrent for ${UNITS} units settled in ${settled} (latency p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, p95 ${(percentile(latencies, 95) / 1000).toFixed(2)} s)`,
  );
  console.log(
    `outcome:   ${winners.length} accepted and paid, ${refused} refused (insufficient_stock), all paid ${paidIn} after the rush began`,
  );
  console.log(`stock:     quantity ${stock.quantity}, reserved ${stock.reserved}, available ${stock.available}`);
  if (winners.length !== UNITS || refused !== SHOPPERS - UNITS || stock.quantity !== 0 || stock.reserved !== 0)
    process.exitCode = 1;
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
