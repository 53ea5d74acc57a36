/** Every service's store, built once per process from the shared connections. */
import type { Deps } from '../platform/deps';
import type { Logger } from '../platform/logger';
import { createRateLimiter } from '../platform/rate-limiter';
import { createDashboard } from './analytics/dashboard';
import { createAnalyticsQueries } from './analytics/queries';
import { createAccounts } from './auth/accounts';
import { createLoginGuard } from './auth/login-guard';
import { createRecQueries } from './recommendations/queries';
import { createViewPublisher } from './recommendations/view-publisher';
import { createProductSearch, POPULAR_LIFTED } from './search/query';
import { createOtpService } from './auth/otp';
import { createAuthService } from './auth/store';
import { createTokenService } from './auth/tokens';
import { createAnalyticsEventWriter } from './analytics/event-writer';
import { createAdmissionGate } from './catalog/admission';
import { createInventoryStore } from './catalog/inventory';
import { createListCache } from './catalog/list-cache';
import { createProductStore } from './catalog/products';
import { createCatalogSnapshot } from './catalog/snapshot';
import { createSmtpMailer, messageIdDomain } from './notifications/mailer';
import { createNotificationStore } from './notifications/store';
import { createCartStore } from './orders/cart';
import { createCartEventPublisher } from './analytics/cart-events';
import { createSearchEventPublisher } from './analytics/search-events';
import { popularPage } from './recommendations/popular';
import { createCheckoutAdmission } from './orders/checkout-admission';
import { createOrderCancellation } from './orders/cancellation';
import { createCheckoutClient } from './orders/checkout-client';
import { createComplaintClient } from './orders/complaint-client';
import { createComplaintStore } from './orders/complaints';
import { createFulfilmentStore } from './orders/fulfilment';
import { createOrderStore } from './orders/store';
import { createStuckWorkReport } from './orders/stuck-work';
import { createSimulatorGateway } from './payments/gateway';
import { createCodReconciler } from './payments/cod-remittances';
import { createReconciler } from './payments/reconcile';
import { createPaymentReversal } from './payments/reversal';
import { createPaymentSettlement } from './payments/settlement';
import { createPaymentStore } from './payments/store';
import { createRecSignals } from './recommendations/signals';
import { createIndexer } from './search/indexer';
import { createUserStore } from './users/store';
import { createVoucherClaims } from './promotions/claims';
import { createVoucherAdmin } from './promotions/vouchers';
import { createVoucherOffers } from './promotions/offers';
import { createCarrierClient } from './shipments/carrier-client';
import { createShipmentStore } from './shipments/shipment-store';
import { createCarrierRefusals } from './shipments/carrier-refusals';
import { createShipmentClient } from './shipments/shipment-client';
import { createShipmentCancel } from './shipments/shipment-cancel';
import { createShipmentStart, shipmentTimings } from './shipments/shipment-client';

export function createServices(deps: Deps, logger: Logger) {
  const { db, redis, config } = deps;
  const notifications = createNotificationStore(db);
  // An account's standing is cached no longer than an access token lives: the worst case of a lost invalidation.
  const accounts = createAccounts(db, redis, config.auth.accessTokenTtlSeconds);
  const tokens = createTokenService(redis, config.auth, accounts);
  const otp = createOtpService(redis, notifications);
  const products = createProductStore(
    db,
    redis,
    logger,
    createListCache(redis, logger, config.catalog.listCacheSeconds),
  );
  const gateway = createSimulatorGateway(
    config.payments.gatewayUrl,
    config.payments.gatewayApiKey,
    config.payments.gatewayName,
  );
  const orders = createOrderStore(db, config.checkout);
  const users = createUserStore(db, config.users);
  const cartEvents = createCartEventPublisher(deps.kafka, logger.child({ component: 'cart-events' }));
  const searchEvents = createSearchEventPublisher(deps.kafka, logger.child({ component: 'search-events' }));
  const admission = createAdmissionGate(db, redis, logger.child({ component: 'admission' }), {
    ...config.admission,
    maxInFlightPerShopper: config.checkout.maxUnpaidOrders,
  });
  const checkout = createCheckoutClient(
    deps.temporal.client,
    config,
    createCheckoutAdmission(redis, admission, logger.child({ component: 'admission' })),
  );
  const payments = createPaymentStore(db, gateway, config.payments.webhookUrl, config.payments.cod);
  const shipmentSchedule = { taskQueue: config.temporal.taskQueue, timings: shipmentTimings(config) };
  const shipmentCancel = createShipmentCancel(deps.temporal.client, shipmentSchedule);
  // A settled payment denied later: the parcel is withdrawn by the one cancel path, by 'gateway'.
  const reversal = createPaymentReversal(
    {
      db,
      gatewayName: gateway.name,
      orders,
      withdraw: async (ref) => (await shipmentCancel.cancel(ref, 'gateway')).answer,
      restock: (orderId) => createInventoryStore(db, redis, logger, config.admission.stockTtlSeconds).restock(orderId),
    },
    logger.child({ component: 'payment-reversal' }),
  );
  const settlement = createPaymentSettlement({ payments, orders, checkout, reversal }, logger);
  const carrier = createCarrierClient({
    baseUrl: config.carrier.url,
    apiKey: config.carrier.apiKey,
    timeoutMs: config.carrier.timeoutMs,
  });
  return {
    tokens,
    accounts,
    otp,
    notifications,
    auth: createAuthService(db, tokens, otp, notifications, users, accounts),
    users,
    products,
    catalogSnapshot: createCatalogSnapshot(db),
    inventory: createInventoryStore(db, redis, logger, config.admission.stockTtlSeconds),
    admission,
    cart: createCartStore(redis, products, cartEvents.record),
    cartEvents,
    orders,
    checkout,
    complaints: createComplaintStore(db, config.complaints.windowSeconds),
    complaintClient: createComplaintClient(deps.temporal.client, config),
    // Shipments: shipments, the order's fulfilment moves, the carrier's partner API.
    shipments: createShipmentStore(db),
    shipmentWorkflows: createShipmentClient(deps.temporal.client),
    shipmentStart: createShipmentStart(deps.temporal.client, shipmentSchedule),
    shipmentCancel,
    cancellation: createOrderCancellation({ orders, checkout, shipmentCancel }),
    carrierRefusals: createCarrierRefusals(db, logger.child({ component: 'carrier-intake' })),
    fulfilment: createFulfilmentStore(db),
    shipmentSettings: {
      delivery: config.shipments.delivery,
      testScenarios: config.shipments.testScenarios,
      stepMs: config.shipments.carrierStepMs,
    },
    carrier,
    payments,
    settlement,
    // Vouchers: the operators' side, and the claims the checkout saga will make and undo.
    // Offers: the codes a shopper typed at the cart, judged against it (guessing rate-limited).
    promotions: {
      vouchers: createVoucherAdmin(db),
      claims: createVoucherClaims(db),
      offers: createVoucherOffers(db, redis, createRateLimiter(redis), config.rateLimits),
    },
    stuckWork: createStuckWorkReport(db, deps.temporal.client, payments, orders),
    reconciler: createReconciler({ db, gateway, settlement, orders, checkout }, logger, config.payments.reconcile),
    codReconciler: createCodReconciler({ db, carrier }, logger, {
      lookbackSeconds: config.payments.reconcile.lookbackSeconds,
      remittanceGraceSeconds: config.payments.cod.remittanceGraceSeconds,
    }),
    // What the consumers write to besides Postgres: the search index, the recommendation
    // signals, the analytics events, the mail channel (no connection until the first send).
    searchIndexer: createIndexer(deps.search),
    recSignals: createRecSignals(redis),
    analyticsEvents: createAnalyticsEventWriter(deps.clickhouse),
    mail: { mailer: createSmtpMailer(config.mail), messageIdDomain: messageIdDomain(config.mail.from) },
    // What the API reads besides its stores: the search index, the recommendations, the analytics
    // dashboard, the rate limits and login guard in Redis; and where product views are published.
    // Popularity is the recommendations' (rec:popular), read when a search sorts by it; searches
    // that found nothing go to analytics (the dashboard lists them).
    productSearch: createProductSearch(deps.search, {
      popularity: () => popularPage(redis, 0, POPULAR_LIFTED),
      onNoResults: searchEvents.record,
    }),
    searchEvents,
    recQueries: createRecQueries(redis, products),
    analyticsDashboard: createDashboard(createAnalyticsQueries(deps.clickhouse)),
    rateLimiter: createRateLimiter(redis),
    loginGuard: createLoginGuard(redis, config.rateLimits),
    productViews: createViewPublisher(deps.kafka, logger.child({ component: 'product-views' })),
  };
}

export type Services = ReturnType<typeof createServices>;
