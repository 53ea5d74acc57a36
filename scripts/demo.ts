/**
 * `npm run demo`: a shopper's walk through the running shop (start it with `npm start`), from
 * registration to a paid order and its parcel delivered, printing each step. Options for the other endings:
 *   npm run demo -- --card declined | --card silent (no webhook: waits for expiry) | --cancel
 *   npm run demo -- --pay va | --pay qris (a BCA virtual account or a QRIS code, paid at the gateway simulator as a bank would)
 *   npm run demo -- --pay cod (cash on delivery: confirmed at once, shipped, paid when the courier takes the cash)
 *   npm run demo -- --voucher (with any of the above: the admin creates a "Gratis Ongkir" free-shipping voucher,
 *     the shopper types its code at the cart and checks out with it; its budget is shown before and after)
 *   npm run demo -- --complaint (a complaint walked to its automatic refund: scripts/demo-complaint.ts)
 */
import { randomUUID } from 'node:crypto';
import { getConfig } from '../platform/config';
import { DEMO_ADDRESS } from '../services/users/demo-address';
import { TEST_CARDS } from '../contracts/test-cards';
import { showOrderEmail } from './lib/demo-mail';
import { followShipment } from './lib/demo-shipment';
import { traceUrl } from './lib/demo-trace';
import { httpCall, loopbackAddress, type Json } from './lib/http';

const { api, payments } = getConfig();
const BASE = `http://${api.host}:${api.port}`;
const args = process.argv.slice(2);
const cardName = args.includes('--card') ? args[args.indexOf('--card') + 1] : 'ok';
const cancel = args.includes('--cancel');
const pay = args.includes('--pay') ? args[args.indexOf('--pay') + 1] : undefined;
const withVoucher = args.includes('--voucher');
const METHODS: Record<string, object> = {
  va: { type: 'bank_transfer', bank: 'bca' },
  qris: { type: 'qris' },
  cod: { type: 'cod' },
};
if (pay !== undefined && !METHODS[pay]) throw new Error(`--pay takes ${Object.keys(METHODS).join(', ')}`);
const cards: Record<string, string> = {
  ok: TEST_CARDS.success,
  declined: TEST_CARDS.declined,
  silent: TEST_CARDS.noWebhook,
};

let token = '';
let adminToken = '';
let stepNo = 0;
const step = (title: string, detail: unknown = '') =>
  console.log(
    `\n${++stepNo}. ${title}${detail === '' ? '' : `\n   ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`,
  );

/** One shopper, one source address of its own (see scripts/lib/http.ts); the operator another. */
const from = loopbackAddress();
const operatorFrom = loopbackAddress();

async function send(
  as: { token?: string; from: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Json> {
  const res = await httpCall(BASE, method, path, { body, headers, token: as.token || undefined, from: as.from });
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  send({ token, from }, method, path, body, headers);

/** The operator's calls (--voucher), as the configured admin account that `npm start` seeds. */
async function adminCall(method: string, path: string, body?: unknown): Promise<Json> {
  if (!adminToken) {
    const { email, password } = getConfig().auth.admin;
    adminToken = (await send({ from: operatorFrom }, 'POST', '/auth/login', { email, password })).access_token;
  }
  return send({ token: adminToken, from: operatorFrom }, method, path, body);
}

const budgetOf = (v: Json) => {
  const b = v.budget;
  return `used ${b.used} of ${b.uses} uses, ${b.uses_left} left; Rp ${b.spent} spent`;
};

async function main() {
  const email = `demo-${Date.now()}@example.id`;
  const me = await call('POST', '/auth/register', {
    email,
    password: 'kopi-susu-gula-aren',
    first_name: 'Dewi',
    last_name: 'Lestari',
    phone: '+6281311112222',
  });
  step('Registered', `${me.email} (user ${me.id})`);
  token = (await call('POST', '/auth/login', { email, password: 'kopi-susu-gula-aren' })).access_token;
  step('Logged in', 'got a 15-minute access token and a rotating refresh token');

  const address = await call('POST', '/users/me/addresses', DEMO_ADDRESS);
  step('Added a shipping address', `${address.street}, ${address.city_name}`);

  const found = await call('GET', '/search?q=kripik&in_stock=true&page_size=3');
  step(
    'Searched "kripik" (a typo of keripik)',
    `${found.total} found: ${found.data.map((h: { name: string }) => h.name).join('; ')}; ` +
      `categories ${found.facets.categories.map((f: { value: string; count: number }) => `${f.value} ${f.count}`).join(', ')}`,
  );
  const suggested = await call('GET', '/search/suggestions?q=kop&size=3');
  step('Typed "kop": suggestions', suggested.data.map((s: { name: string }) => s.name).join('; '));

  const products = (await call('GET', '/products?category=groceries&in_stock=true&sort=price_asc&page_size=3')).data;
  if (products.length < 2) throw new Error('the demo catalog is missing: run npm start (it seeds) or npm run seed');
  step(
    'Browsed groceries in stock',
    products.map((p: { name: string; price: string }) => `${p.name}: Rp ${p.price}`).join('; '),
  );

  for (const [p, quantity] of [
    [products[0], 2],
    [products[1], 1],
  ] as const) {
    await call('POST', '/cart/items', { product_id: p.id, quantity });
  }
  const cart = await call('GET', '/cart');
  step('Filled the cart', `${cart.item_count} items, subtotal Rp ${cart.subtotal}`);

  // The cart's own weight, as checkout will quote it: the voucher below is sized to cover this rate.
  const weightGrams = cart.items.reduce(
    (w: number, i: { weight_grams: number; quantity: number }) => w + i.weight_grams * i.quantity,
    0,
  );
  const rates = await call('POST', '/shipping/rates', {
    destination: { province_id: address.province_id, city_id: address.city_id },
    weight_grams: weightGrams,
  });
  step(
    `Compared shipping to ${address.city_name} (${(weightGrams / 1000).toFixed(1)} kg)`,
    rates.rates.map((r: { service: string; cost: string }) => `${r.service} Rp ${r.cost}`).join(', '),
  );

  let voucher: Json;
  if (withVoucher) {
    const regular = Number(rates.rates.find((r: { service: string }) => r.service === 'regular').cost);
    // Rounded up to Rp10.000 as a campaign banner prints it ("Gratis Ongkir up to Rp20.000"), so it covers this parcel.
    const cover = Math.max(10_000, Math.ceil(regular / 10_000) * 10_000);
    const now = Date.now();
    voucher = await adminCall('POST', '/admin/vouchers', {
      name: 'Gratis Ongkir',
      kind: 'shipping',
      amount_off: cover.toFixed(2),
      valid_from: new Date(now - 60_000).toISOString(),
      valid_until: new Date(now + 7 * 86_400_000).toISOString(),
      budget_uses: 3,
      per_shopper_limit: 1,
    });
    step(`The operator created a free-shipping voucher "${voucher.name}" (signed in as the admin)`, {
      code: voucher.code,
      covers_shipping_up_to: voucher.amount_off,
      budget: budgetOf(voucher),
      per_shopper_limit: voucher.per_shopper_limit,
    });
    const withCode = await call('POST', '/cart/vouchers', { code: voucher.code });
    const seen = withCode.vouchers.find((v: { code: string }) => v.code === voucher.code);
    step(`Typed the code ${voucher.code} at the cart`, {
      applies: seen?.applies,
      reason: seen?.reason ?? undefined,
      shipping_discount_up_to: withCode.totals.shipping_discount,
      subtotal: withCode.totals.subtotal,
      total_before_shipping: withCode.totals.total_before_shipping,
    });
  }

  const checkoutRequestId = `demo-${randomUUID()}`;
  const checkoutKey = randomUUID();
  const placeOrder = () =>
    call(
      'POST',
      '/checkout',
      {
        address_id: address.id,
        shipping_service: 'regular',
        ...(pay ? { payment_method: METHODS[pay] } : {}),
        ...(voucher ? { voucher_codes: [voucher.code] } : {}),
      },
      { 'idempotency-key': checkoutKey, 'x-request-id': checkoutRequestId },
    );
  let order = await placeOrder();
  // A busy shop answers before its saga has (202 "processing"): the same key again gets the saga's answer.
  for (let i = 0; i < 120 && !['awaiting_payment', 'paid', 'confirmed', 'cancelled'].includes(order.status); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    order = await placeOrder();
  }
  step(`Checked out (the saga reserved the stock${voucher ? ', claimed the voucher' : ''} and opened a payment)`, {
    order_number: order.order_number,
    status: order.status,
    total: order.amount?.total_amount,
    workflow_id: order.workflow_id,
  });
  if (voucher) {
    const a = order.amount ?? {};
    step('The amounts, with the voucher claimed once shipping was quoted', {
      subtotal: a.subtotal,
      shipping: a.shipping_amount,
      shipping_discount: a.shipping_discount,
      discount: a.discount_amount,
      total: a.total_amount,
    });
  }

  if (cancel) {
    await call('POST', `/orders/${order.order_id}/cancel`);
    step('Cancelled before paying');
  } else if (pay === 'cod') {
    step('Cash on delivery: confirmed without paying; the courier collects at the door', {
      status: order.status,
      cash_to_hand_over: order.payment?.instructions?.cash_on_delivery?.amount,
    });
  } else if (pay) {
    const { instructions, expires_at } = order.payment;
    step(pay === 'va' ? 'A BCA virtual account to transfer to' : 'A QRIS code to scan', {
      ...(pay === 'va' ? { va_number: instructions.va_number } : { qr_string: instructions.qr_string }),
      expires_at,
    });
    const path = pay === 'va' ? `/_sim/va/${instructions.va_number}/pay` : `/_sim/qris/${instructions.qr_id}/pay`;
    const paid = await fetch(`${payments.gatewayUrl}${path}`, { method: 'POST' });
    if (!paid.ok) throw new Error(`the gateway simulator refused the payment: ${paid.status} ${await paid.text()}`);
    step(
      pay === 'va' ? "Paid from the shopper's bank" : "Paid from the shopper's e-wallet app",
      'the gateway notifies Pasar (settlement)',
    );
  } else {
    await call('POST', '/payments/confirm', {
      order_id: order.order_id,
      card_number: cards[cardName ?? 'ok'] ?? cardName ?? TEST_CARDS.success,
    });
    step(`Paid with the ${cardName} test card`, 'the gateway answers by signed webhook');
  }

  for (let i = 0; i < 600; i++) {
    const current = await call('GET', `/orders/${order.order_id}`);
    if (current.status !== 'pending') {
      const payment = await call('GET', `/payments/${order.order_id}`);
      step(`Order ${current.order_number} is ${current.status.toUpperCase()}`, {
        total: current.total_amount,
        payment: payment.status,
        payment_amount: voucher ? payment.amount : undefined,
        reason: current.cancel_reason ?? undefined,
      });
      if (voucher) {
        // Claimed at checkout; a cancelled, declined or expired checkout has given it back by now.
        const after = await adminCall('GET', `/admin/vouchers/${voucher.id}`);
        step(`The voucher's budget after the order (GET /admin/vouchers/${voucher.id})`, {
          budget: budgetOf(after),
          claims: { claimed: after.claims.claimed, released: after.claims.released, returned: after.claims.returned },
        });
      }
      const recs = await call('GET', `/recommendations/similar/${products[0].id}?limit=3`);
      step(
        `Bought together with ${products[0].name}`,
        recs.data.map((r: { name: string; reason: string }) => `${r.name} (${r.reason})`).join('; ') || 'nothing yet',
      );
      const mine = await call('GET', `/recommendations/user/${me.id}?limit=3`);
      step(
        'Recommended for Dewi',
        mine.data.map((r: { name: string; reason: string }) => `${r.name} (${r.reason})`).join('; '),
      );
      console.log(
        `\nFind the saga in the Temporal Web UI: ${getConfig().temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(order.workflow_id)}`,
      );
      await showOrderEmail(me.email, current.order_number);
      if (current.status !== 'cancelled' && current.status !== 'refunded') {
        await followShipment(call, order.order_id, step);
        if (pay === 'cod') {
          // Recorded with the delivered scan, a moment after the shipment row shows it.
          let collected = await call('GET', `/payments/${order.order_id}`);
          for (let i = 0; i < 20 && collected.status === 'pending'; i++) {
            await new Promise((r) => setTimeout(r, 500));
            collected = await call('GET', `/payments/${order.order_id}`);
          }
          step(`Cash collected at the door: the payment is ${collected.status}`, {
            amount: collected.amount,
            collected_under_awb: collected.gateway_transaction_id ?? undefined,
          });
        }
        console.log(
          `Find the shipment in the Web UI: ${getConfig().temporal.uiUrl}/namespaces/default/workflows/shipment-${order.order_id}`,
        );
      }
      console.log(`The checkout's trace in Zipkin: ${await traceUrl(checkoutRequestId)}`);
      console.log(`\nOperator dashboard (sign in as admin): ${BASE}/dashboard`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the order did not settle within 5 minutes');
}

// `--complaint` tells the other story: a complaint walked to its automatic refund (scripts/demo-complaint.ts runs itself).
if (args.includes('--complaint')) await import('./demo-complaint');
else
  main().catch((err) => {
    console.error(`\ndemo failed: ${(err as Error).message}\nIs the shop running? (npm start)`);
    process.exit(1);
  });
