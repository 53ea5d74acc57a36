/** Every service's store, built once per process from the shared connections. */
import type { Deps } from '../platform/deps';
import type { Logger } from '../platform/logger';
import { createOtpService } from './auth/otp';
import { createAuthService } from './auth/store';
import { createTokenService } from './auth/tokens';
import { createInventoryStore } from './catalog/inventory';
import { createProductStore } from './catalog/products';
import { createNotificationStore } from './notifications/store';
import { createCartStore } from './orders/cart';
import { createCartEventPublisher } from './analytics/cart-events';
import { createCheckoutClient } from './orders/checkout-client';
import { createOrderStore } from './orders/store';
import { createStuckWorkReport } from './orders/stuck-work';
import { createSimulatorGateway } from './payments/gateway';
import { createReconciler } from './payments/reconcile';
import { createPaymentSettlement } from './payments/settlement';
import { createPaymentStore } from './payments/store';
import { createUserStore } from './users/store';

export function createServices(deps: Deps, logger: Logger) {
  const { db, redis, config } = deps;
  const notifications = createNotificationStore(db);
  const tokens = createTokenService(redis, config.auth);
  const otp = createOtpService(redis, notifications);
  const products = createProductStore(db, redis, logger);
  const gateway = createSimulatorGateway(
    config.payments.gatewayUrl,
    config.payments.gatewayApiKey,
    config.payments.gatewayName,
  );
  const orders = createOrderStore(db, config.checkout);
  const cartEvents = createCartEventPublisher(deps.kafka, logger.child({ component: 'cart-events' }));
  const checkout = createCheckoutClient(deps.temporal.client, config);
  const payments = createPaymentStore(db, gateway, config.payments.webhookUrl);
  const settlement = createPaymentSettlement({ payments, orders, checkout }, logger);
  return {
    tokens,
    otp,
    notifications,
    auth: createAuthService(db, tokens, otp, notifications),
    users: createUserStore(db, config.users),
    products,
    inventory: createInventoryStore(db, redis, logger),
    cart: createCartStore(redis, products, cartEvents.record),
    cartEvents,
    orders,
    checkout,
    payments,
    settlement,
    stuckWork: createStuckWorkReport(db, deps.temporal.client),
    reconciler: createReconciler({ db, gateway, settlement, orders, checkout }, logger, config.payments.reconcile),
  };
}

export type Services = ReturnType<typeof createServices>;
