/** The API's HTTP metrics label by route pattern, so a flood of distinct URLs adds no series. */
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { httpMetrics } from '../../platform/metrics/http';
import { rejectionOf } from '../../platform/metrics/business';

async function seriesOf(registry: Registry, name: string) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
}

function appWith(registry: Registry) {
  const app = new Hono();
  app.use('*', httpMetrics(registry));
  app.use('*', async (c, next) => (c.req.header('x-block') ? c.json({ error: 'blocked' }, 400) : next()));
  app.get('/orders/:id', (c) => c.json({ id: c.req.param('id') }));
  app.post('/orders/:id/cancel', () => {
    throw new Error('boom');
  });
  app.onError((_err, c) => c.json({ error: 'internal' }, 500));
  return app;
}

describe('HTTP metrics middleware', () => {
  it('labels 1,000 distinct order URLs and 1,000 unknown paths with two route values', async () => {
    const registry = new Registry();
    const app = appWith(registry);
    for (let i = 0; i < 1000; i++) {
      await app.request(`/orders/${crypto.randomUUID()}`);
      await app.request(`/scan/${i}/wp-admin.php?x=${i}`);
    }
    const requests = await seriesOf(registry, 'pasar_http_requests_total');
    expect(new Set(requests.map((s) => s.labels.route))).toEqual(new Set(['/orders/:id', 'unmatched']));
    expect(requests.find((s) => s.labels.route === '/orders/:id')).toMatchObject({
      labels: { method: 'GET', status: '200' },
      value: 1000,
    });
    expect(requests.find((s) => s.labels.route === 'unmatched')).toMatchObject({
      labels: { status: '404' },
      value: 1000,
    });
    const buckets = await seriesOf(registry, 'pasar_http_request_duration_seconds');
    expect(new Set(buckets.map((s) => s.labels.route))).toEqual(new Set(['/orders/:id', 'unmatched']));
  });

  it('counts a thrown error as a 500 of its route, a middleware refusal under the intended route, an odd method as OTHER', async () => {
    const registry = new Registry();
    const app = appWith(registry);
    expect((await app.request('/orders/1/cancel', { method: 'POST' })).status).toBe(500);
    expect((await app.request('/orders/1', { headers: { 'x-block': '1' } })).status).toBe(400);
    await app.request('/orders/1', { method: 'PROPFIND' });
    const requests = await seriesOf(registry, 'pasar_http_requests_total');
    const labels = requests.map((s) => s.labels);
    expect(labels).toContainEqual({ route: '/orders/:id/cancel', method: 'POST', status: '500' });
    expect(labels).toContainEqual({ route: '/orders/:id', method: 'GET', status: '400' });
    expect(labels).toContainEqual({ route: 'unmatched', method: 'OTHER', status: '404' });
  });

  it('maps webhook rejection reasons onto a closed set', () => {
    expect(rejectionOf('signature mismatch')).toBe('signature_mismatch');
    expect(rejectionOf('signature timestamp outside tolerance')).toBe('signature_stale');
    expect(rejectionOf('amount_mismatch')).toBe('amount_mismatch');
    expect(rejectionOf('anything an attacker sends')).toBe('other');
    expect(rejectionOf(undefined)).toBe('other');
  });
});
