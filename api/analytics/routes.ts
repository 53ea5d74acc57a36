/**
 * Admin analytics from ClickHouse: the dashboard's figures (today, 7 and 30 days) and the order
 * series behind its charts. ClickHouse down → 503 naming it; nothing else in the shop notices.
 */
import { guarded } from '../access';
import type { Dashboard } from '../../services/analytics/dashboard';
import { isoDay } from '../../services/analytics/periods';
import { createRouter } from '../router';
import { errorResponses, json } from '../schemas';
import { DashboardSchema, OrdersSeriesQuery, OrdersSeriesSchema, seriesWindow } from './schemas';

const tags = ['analytics'];

const routes = {
  dashboard: guarded('admin', {
    method: 'get',
    path: '/analytics/dashboard',
    tags,
    summary: 'Admin: GMV, orders, payment success, checkouts, funnel, top products and categories, new shoppers',
    responses: { 200: json(DashboardSchema), ...errorResponses(401, 403, 503) },
  }),
  orders: guarded('admin', {
    method: 'get',
    path: '/analytics/orders',
    tags,
    summary: 'Admin: net paid orders, revenue and average order value per day, week or month (UTC)',
    request: { query: OrdersSeriesQuery },
    responses: { 200: json(OrdersSeriesSchema), ...errorResponses(400, 401, 403, 503) },
  }),
};

export function analyticsRoutes(dashboard: Dashboard, now: () => Date = () => new Date()) {
  const app = createRouter();

  return app
    .openapi(routes.dashboard, async (c) => c.json(await dashboard.dashboard(isoDay(now())), 200))
    .openapi(routes.orders, async (c) => {
      const q = c.req.valid('query');
      const window = seriesWindow(q, isoDay(now()));
      const data = await dashboard.orders(window, q.granularity);
      return c.json({ ...window, granularity: q.granularity, data }, 200);
    });
}
