/**
 * The Hono application: middleware, every service's routes, the OpenAPI document and Swagger UI.
 * Built from injected dependencies so tests run it against the real stack in-process or over HTTP.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Deps } from '../platform/deps';
import type { Logger } from '../platform/logger';
import { SECURITY_SCHEMES } from './access';
import { authContext } from './middleware/auth';
import { createErrorHandler, errorBody } from './middleware/error-handler';
import { inputPolicy } from './middleware/input-policy';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { clientAddress } from './middleware/rate-limit';
import { validationHook } from './middleware/validation';
import { httpMetrics } from '../platform/metrics/http';
import type { Services } from '../services';
import { authRoutes } from './auth/routes';
import { cartRoutes } from './cart/routes';
import { checkoutRoutes } from './checkout/routes';
import { notificationRoutes } from './notifications/routes';
import { orderRoutes } from './orders/routes';
import { complaintRoutes } from './complaints/routes';
import { complaintAdminRoutes } from './complaints/admin-routes';
import { paymentRoutes } from './payments/routes';
import { reconciliationRoutes } from './payments/reconciliation-routes';
import { refundAdminRoutes } from './payments/refund-admin-routes';
import { voucherAdminRoutes } from './promotions/admin-routes';
import { operationsRoutes } from './operations/routes';
import { shippingRoutes } from './shipments/routes';
import { shipmentAdminRoutes } from './shipments/admin-routes';
import { shipmentRoutes } from './shipments/shipment-routes';
import { shipmentWebhookRoute } from './shipments/webhook-route';
import type { AppEnv } from './context';
import { healthRoutes } from './health/routes';
import { inventoryRoutes } from './inventory/routes';
import { productRoutes } from './products/routes';
import { createRecommendationApi } from './recommendations';
import { searchRoutes } from './search/routes';
import { userRoutes } from './users/routes';
import { userAdminRoutes } from './users/admin-routes';
import { analyticsRoutes } from './analytics/routes';
import { dashboardRoutes } from './dashboard/routes';
import { docsRoutes } from './docs/routes';

export const MAX_BODY_BYTES = 64 * 1024;

export function createApp(deps: Deps, services: Services, logger: Logger) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use('*', httpMetrics()); // first: it times and counts every answer, errors included
  app.use('*', requestId());
  app.use('*', requestContext()); // log lines and error bodies of this request carry its id
  app.use('*', clientAddress(deps.config.api.trustedProxies));
  app.use('*', securityHeaders());
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`), 413),
    }),
  );
  app.use('*', inputPolicy()); // after the body limit: it reads the (bounded) body
  // What each route's guard (api/access.ts) verifies tokens with.
  app.use('*', authContext({ tokens: services.tokens, internalSecret: deps.config.auth.internalJwtSecret }));
  app.onError(createErrorHandler(logger));
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));

  app.route('/', healthRoutes(deps));
  app.route('/', authRoutes(services, deps.config.rateLimits));
  app.route('/', userRoutes(services));
  app.route('/', userAdminRoutes(services));
  const recommendations = createRecommendationApi(services);
  app.route('/', productRoutes(services, recommendations.recordView));
  app.route('/', recommendations.routes);
  app.route('/', searchRoutes(services.productSearch));
  app.route('/', inventoryRoutes(services));
  app.route('/', cartRoutes(services));
  app.route('/', shippingRoutes());
  app.route('/', shipmentWebhookRoute(services, deps.config.carrier));
  app.route('/', shipmentRoutes(services));
  app.route('/', shipmentAdminRoutes(services));
  app.route('/', checkoutRoutes(services, !deps.config.isProduction, deps.config.payments));
  app.route('/', orderRoutes(services));
  app.route('/', complaintRoutes(services));
  app.route('/', complaintAdminRoutes(services));
  app.route('/', notificationRoutes(services));
  app.route('/', paymentRoutes(services, deps.config.payments));
  app.route('/', reconciliationRoutes(services));
  app.route('/', refundAdminRoutes(services));
  app.route('/', voucherAdminRoutes(services));
  app.route('/', operationsRoutes(services, deps.config));
  app.route('/', analyticsRoutes(services.analyticsDashboard));
  app.route('/', dashboardRoutes());

  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  }
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'Pasar API', version: '0.1.0' } });
  app.route('/', docsRoutes());
  // Buffered product views go out before the process exits (workers/api.ts calls this on SIGTERM).
  return Object.assign(app, {
    flush: async () => {
      await Promise.all([
        recommendations.publisher.close(),
        services.cartEvents.close(),
        services.searchEvents.close(),
      ]);
    },
  });
}

export type App = ReturnType<typeof createApp>;
