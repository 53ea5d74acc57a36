/**
 * The operator dashboard page in a real browser (Debian's chromium, headless): the admin signs in
 * on the page, and every figure it shows and every point its charts draw equal what the API
 * answers. The page reads a ClickHouse database of this test's own, filled with known events, so
 * nothing else writing analytics can move the numbers between the page and the API call.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { getConfig } from '../../platform/config';
import type { CatalogEvent } from '../../platform/event-catalog';
import { toEventRow } from '../../services/analytics/rows';
import { useAnalyticsDatabase } from '../support/analytics';
import { adminToken, client } from '../support/http';
import { useServer } from '../support/server';

const CHROMIUM = '/usr/bin/chromium';

const event = (type: string, aggregateId: string, data: Record<string, unknown>, occurredAt = new Date()) =>
  ({
    id: randomUUID(),
    type,
    aggregate_id: aggregateId,
    aggregate_version: 1,
    occurred_at: occurredAt.toISOString(),
    version: 1,
    data,
  }) as CatalogEvent;

function knownEvents() {
  const product = randomUUID();
  const user = randomUUID();
  const order = (total: string, quantity: number, at?: Date, promotion: Record<string, unknown> = {}) => {
    const id = randomUUID();
    const items = [{ product_id: product, quantity, unit_price: '12345.50' }];
    const base = {
      order_id: id,
      order_number: 'PSR-PAGE',
      user_id: user,
      total_amount: total,
      reason: null,
      items,
      ...promotion,
    };
    const payment = { order_id: id, transaction_id: randomUUID(), amount: total, currency: 'IDR' };
    return [
      event('order.created', id, { order_id: id, order_number: 'PSR-PAGE', user_id: user, subtotal: total, items }, at),
      event('payment.started', id, { ...payment, method: 'qris', method_detail: null }, at),
      event('order.paid', id, { ...base, status: 'paid' }, at),
      event(
        'payment.succeeded',
        id,
        {
          order_id: id,
          transaction_id: randomUUID(),
          amount: total,
          currency: 'IDR',
          gateway_event_id: 'evt',
          reason: null,
          method: 'qris',
        },
        at,
      ),
    ];
  };
  const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
  return [
    event('user.registered', user, {
      user_id: user,
      email: 'page@example.id',
      first_name: 'A',
      last_name: 'B',
      phone: '+62811',
    }),
    event('product.upserted', product, { name: 'Kopi Toraja', category: 'groceries' }),
    event('cart.item_added', user, {
      user_id: user,
      product_id: product,
      quantity: 1,
      added_at: new Date().toISOString(),
    }),
    ...order('1234567.50', 2),
    // A voucher whose name is markup: the page must show it as text.
    ...order('45000.05', 1, undefined, {
      discount_amount: '5000.00',
      shipping_discount: '0.00',
      vouchers: [
        { voucher_id: randomUUID(), code: 'HEMAT5RB', name: 'Hemat <b>5rb</b>', kind: 'discount', amount: '5000.00' },
      ],
    }),
    ...order('99999.99', 3, threeDaysAgo),
  ];
}

/** "Rp 1.234.567,50" → "1234567.50"; "66,67%" → 0.6667; "1.234" → 1234. */
const money = (shown: string) => shown.replace('Rp ', '').replaceAll('.', '').replace(',', '.');
const count = (shown: string) => Number(shown.replaceAll('.', ''));

describe('operator dashboard page', () => {
  const database = useAnalyticsDatabase();
  const server = useServer({ configure: (c) => ({ ...c, clickhouse: { ...c.clickhouse, database } }) });
  let browser: Browser | undefined;
  let profile: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install -y chromium)`);
    await server().deps.clickhouse.insert({
      table: 'events',
      values: knownEvents().map(toEventRow),
      format: 'JSONEachRow',
    });
    profile = mkdtempSync(path.join(tmpdir(), 'pasar-dashboard-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  /** Closes the browser; the test calls it itself, before the server's afterAll waits on the page's keep-alive sockets. */
  async function closeBrowser() {
    await browser?.close();
    browser = undefined;
    if (profile) rmSync(profile, { recursive: true, force: true });
  }
  afterAll(closeBrowser);

  it('signs the admin in and shows exactly what the API answers, as figures and as charts', async () => {
    const { base } = server();
    const page = await browser!.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') blocked.push(m.text());
    });
    const res = await page.goto(`${base}/dashboard`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);

    const { email, password } = getConfig().auth.admin;
    await page.type('#email', email);
    await page.type('#password', password);
    await page.click('#sign-in button');
    // Page code as strings: the test's TypeScript has no DOM types (and needs none elsewhere).
    await page.waitForFunction("['ready', 'error'].includes(document.body.dataset.state)", { timeout: 20_000 });
    const state = await page.evaluate("[document.body.dataset.state, document.getElementById('status').textContent]");
    expect(state).toEqual(['ready', '']);

    const shown = (await page.evaluate(`[...document.querySelectorAll('#figures tr[data-figure] td[data-window]')]
      .map((td) => [td.parentElement.dataset.figure, td.dataset.window, td.textContent])`)) as string[][];
    const cell = (figure: string, window: string) => shown.find(([f, w]) => f === figure && w === window)![2]!;

    const api = client(base);
    const admin = await adminToken(server());
    const dashboard = (await api.get('/analytics/dashboard', admin)).body;
    const series = (await api.get('/analytics/orders?granularity=day', admin)).body;
    for (const w of ['today', '7d', '30d']) {
      const figures = dashboard.windows[w];
      expect(money(cell('gmv', w))).toBe(figures.gmv);
      expect(money(cell('average_order_value', w))).toBe(figures.average_order_value);
      expect(count(cell('paid_orders', w))).toBe(figures.paid_orders);
      expect(count(cell('new_shoppers', w))).toBe(figures.new_shoppers);
      expect(count(cell('checkouts_expired', w))).toBe(figures.checkouts.expired);
      expect(cell('payment_success_rate', w)).toBe('100,00%');
      expect(money(cell('promotion_spend', w))).toBe(figures.promotion_spend.total);
    }
    expect(dashboard.windows.today).toMatchObject({ gmv: '1279567.55', paid_orders: 2 });
    expect(dashboard.windows['7d']).toMatchObject({ gmv: '1379567.54', paid_orders: 3 });
    expect(dashboard.windows.today.funnel).toEqual({
      registered: 1,
      added_to_cart: 1,
      checked_out: 1,
      ordered: 1,
      paid: 1,
    });

    const charts = (await page.evaluate(`(() => {
      const data = (id) => [...window.Chart.getChart(id).data.datasets[0].data];
      return { revenue: data('chart-revenue'), orders: data('chart-orders'), funnel: data('chart-funnel') };
    })()`)) as { revenue: number[]; orders: number[]; funnel: number[] };
    expect(charts.revenue).toEqual(series.data.map((p: { revenue: string }) => Number(p.revenue)));
    expect(charts.orders).toEqual(series.data.map((p: { orders: number }) => p.orders));
    const f = dashboard.windows['30d'].funnel;
    expect(charts.funnel).toEqual([f.registered, f.added_to_cart, f.checked_out, f.ordered, f.paid]);
    expect(charts.orders.reduce((a: number, b: number) => a + b, 0)).toBe(3);
    // The method mix of the last 7 days: the three orders started and paid by QRIS.
    expect(dashboard.windows['7d'].payment_methods).toEqual([
      { method: 'qris', started: 3, paid: 3, share: 1, conversion: 1 },
    ]);
    const methods = (await page.evaluate(
      "[...document.querySelectorAll('#payment-methods tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent))",
    )) as string[][];
    expect(methods).toEqual([['qris', '3', '100,00%', '3', '100,00%']]);
    // Promotion spend of the last 7 days: per voucher, and per day (every day of the window).
    const table = async (id: string) =>
      (await page.evaluate(
        `[...document.querySelectorAll('#${id} tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent))`,
      )) as string[][];
    const promotion = dashboard.windows['7d'].promotion_spend;
    expect(promotion.total).toBe('5000.00');
    expect(await table('promotion-vouchers')).toEqual([
      ['HEMAT5RB', 'Hemat <b>5rb</b>', 'discount', '1', 'Rp 5.000,00'],
    ]);
    const days = await table('promotion-days');
    expect(days).toHaveLength(7);
    expect(
      days.map(([date, orders, discount, shipping]) => [date, count(orders!), money(discount!), money(shipping!)]),
    ).toEqual(
      promotion.by_day.map((d: { date: string; orders: number; discount: string; shipping_discount: string }) => [
        d.date,
        d.orders,
        d.discount,
        d.shipping_discount,
      ]),
    );
    expect(blocked).toEqual([]); // no CSP refusal, no script error
    await closeBrowser();
  });
});
