/*
 * The operator dashboard: signs the admin in (POST /auth/login; the token stays in this page's
 * memory only, never in storage), reads GET /analytics/dashboard and GET /analytics/orders, and
 * draws them with Chart.js (served from node_modules by the API: no CDN). Money arrives as
 * two-place strings and is shown as Indonesians write it (Rp 1.234.567,50) without ever becoming
 * a float.
 */
'use strict';
(function () {
  let token = null;
  const $ = (id) => document.getElementById(id);
  const WINDOWS = ['today', '7d', '30d'];

  /** "1234567.50" → "Rp 1.234.567,50", digit by digit from the string. */
  function rupiah(amount) {
    const [whole, cents] = amount.split('.');
    return `Rp ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${cents}`;
  }
  const percent = (rate) => (rate === null ? '–' : `${(rate * 100).toFixed(2).replace('.', ',')}%`);
  const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

  const FIGURES = [
    ['gmv', 'GMV', (w) => rupiah(w.gmv)],
    ['paid_orders', 'Pesanan dibayar', (w) => count(w.paid_orders)],
    ['average_order_value', 'Rata-rata nilai pesanan', (w) => rupiah(w.average_order_value)],
    ['payment_success_rate', 'Pembayaran berhasil', (w) => percent(w.payment_success_rate)],
    ['refunded_orders', 'Pesanan dikembalikan dananya', (w) => count(w.refunded_orders)],
    ['checkouts_expired', 'Checkout kedaluwarsa', (w) => count(w.checkouts.expired)],
    ['checkouts_cancelled', 'Checkout dibatalkan', (w) => count(w.checkouts.cancelled)],
    ['new_shoppers', 'Pembeli baru', (w) => count(w.new_shoppers)],
    ['promotion_spend', 'Biaya promosi (voucher)', (w) => rupiah(w.promotion_spend.total)],
  ];

  function status(text) {
    $('status').textContent = text;
  }

  async function api(path, init) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(path, { ...init, headers });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const dep = body.error && body.error.details && body.error.details.dependency;
      const message = dep
        ? `${dep} tidak tersedia, coba lagi sebentar`
        : (body.error && body.error.message) || res.status;
      throw new Error(`${res.status}: ${message}`);
    }
    return body;
  }

  function drawFigures(dashboard) {
    const rows = FIGURES.map(([key, label, show]) => {
      const tr = document.createElement('tr');
      tr.dataset.figure = key;
      const th = document.createElement('td');
      th.textContent = label;
      tr.append(th);
      for (const name of WINDOWS) {
        const td = document.createElement('td');
        td.dataset.window = name;
        td.textContent = show(dashboard.windows[name]);
        tr.append(td);
      }
      return tr;
    });
    $('figures').tBodies[0].replaceChildren(...rows);
  }

  const charts = {};
  function chart(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart($(id), {
      ...config,
      options: { animation: false, responsive: true, ...config.options },
    });
  }

  function drawCharts(dashboard, series) {
    const month = dashboard.windows['30d'];
    const labels = series.data.map((p) => p.period_start.slice(5));
    chart('chart-revenue', {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'GMV (Rp)',
            data: series.data.map((p) => Number(p.revenue)),
            fill: true,
            borderColor: '#0f766e',
            backgroundColor: '#0f766e33',
            tension: 0.25,
          },
        ],
      },
    });
    chart('chart-orders', {
      type: 'bar',
      data: {
        labels,
        datasets: [{ label: 'Pesanan', data: series.data.map((p) => p.orders), backgroundColor: '#2563eb' }],
      },
      options: { scales: { y: { ticks: { precision: 0 } } } },
    });
    const f = month.funnel;
    chart('chart-funnel', {
      type: 'bar',
      data: {
        // "Memesan" counts a cash-on-delivery shopper as converted when the order is confirmed;
        // "Membayar" once the money is in (paid online, or the cash collected at the door).
        labels: ['Mendaftar', 'Menambah ke keranjang', 'Checkout', 'Memesan', 'Membayar'],
        datasets: [
          {
            label: 'Pembeli',
            data: [f.registered, f.added_to_cart, f.checked_out, f.ordered, f.paid],
            backgroundColor: ['#94a3b8', '#60a5fa', '#2563eb', '#7c3aed', '#0f766e'],
          },
        ],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { ticks: { precision: 0 } } } },
    });
    chart('chart-products', {
      type: 'bar',
      data: {
        labels: month.top_products.map((p) => p.name),
        datasets: [
          {
            label: 'Pendapatan (Rp)',
            data: month.top_products.map((p) => Number(p.revenue)),
            backgroundColor: '#f59e0b',
          },
        ],
      },
      options: { indexAxis: 'y' },
    });
    chart('chart-categories', {
      type: 'doughnut',
      data: {
        labels: month.top_categories.map((c) => c.category),
        datasets: [{ data: month.top_categories.map((c) => Number(c.revenue)) }],
      },
    });
  }

  /** Zero-result searches of the last 7 days; text only (textContent), never markup from a shopper's query. */
  function drawNoResults(dashboard) {
    const rows = dashboard.windows['7d'].no_result_searches.map((s) => {
      const tr = document.createElement('tr');
      for (const text of [s.query, String(s.searches), s.did_you_mean ?? '']) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    $('no-results').tBodies[0].replaceChildren(...rows);
  }

  /** The method mix of the last 7 days: each method's share of the payments started, and started → paid. */
  function drawPaymentMethods(dashboard) {
    const rows = dashboard.windows['7d'].payment_methods.map((m) => {
      const tr = document.createElement('tr');
      for (const text of [m.method, String(m.started), percent(m.share), String(m.paid), percent(m.conversion)]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    $('payment-methods').tBodies[0].replaceChildren(...rows);
  }

  /** A table body from rows of cell texts (textContent only: a voucher's name is an operator's text). */
  function fillTable(id, rows) {
    const trs = rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    $(id).tBodies[0].replaceChildren(...trs);
  }

  /** What vouchers cost in the last 7 days, on sold orders: per voucher, and per day (lines and shipping). */
  function drawPromotionSpend(dashboard) {
    const spend = dashboard.windows['7d'].promotion_spend;
    fillTable(
      'promotion-vouchers',
      spend.by_voucher.map((v) => [v.code, v.name, v.kind, count(v.orders), rupiah(v.spend)]),
    );
    fillTable(
      'promotion-days',
      spend.by_day.map((d) => [d.date, count(d.orders), rupiah(d.discount), rupiah(d.shipping_discount)]),
    );
  }

  async function load() {
    document.body.dataset.state = 'loading';
    const [dashboard, series] = await Promise.all([
      api('/analytics/dashboard'),
      api('/analytics/orders?granularity=day'),
    ]);
    drawFigures(dashboard);
    drawCharts(dashboard, series);
    drawNoResults(dashboard);
    drawPaymentMethods(dashboard);
    drawPromotionSpend(dashboard);
    $('dashboard').hidden = false;
    status('');
    document.body.dataset.state = 'ready';
  }

  $('sign-in').addEventListener('submit', async (e) => {
    e.preventDefault();
    status('');
    try {
      const body = await api('/auth/login', {
        method: 'POST',
        body: JSON.stringify({ email: $('email').value, password: $('password').value }),
      });
      token = body.access_token;
      $('sign-in').hidden = true;
      await load();
    } catch (err) {
      document.body.dataset.state = 'error';
      status(String(err.message));
    }
  });
})();
