/**
 * Every Kafka consumer the consumers process runs (workers/consumers.ts), with what each uses
 * besides Kafka, which the process's /readyz checks. A service adds its consumer here: a factory
 * `(stores, logger) => ConsumerSpec` in services/<service>/consumer.ts whose first argument names
 * only the stores of services/index.ts it uses; the process builds Services once and hands it over.
 */
import type { DependencyName } from '../platform/health';
import type { ConsumerSpec } from '../platform/kafka/consumer-spec';
import type { Logger } from '../platform/logger';
import { createAnalyticsConsumer } from '../services/analytics/consumer';
import { createNotificationConsumer } from '../services/notifications/consumer';
import { createRecommendationConsumer } from '../services/recommendations/consumer';
import { createSearchConsumer } from '../services/search/consumer';
import type { Services } from '../services';
import { createShipmentStarter } from '../services/shipments/consumer';

export interface RegisteredConsumer {
  name: string;
  create: (services: Services, logger: Logger) => ConsumerSpec;
  /** What its handler talks to (Kafka is implied). */
  uses: readonly DependencyName[];
}

export const REGISTERED_CONSUMERS: RegisteredConsumer[] = [
  { name: 'search', create: createSearchConsumer, uses: ['elasticsearch'] },
  { name: 'recommendations', create: createRecommendationConsumer, uses: ['redis'] },
  { name: 'analytics', create: createAnalyticsConsumer, uses: ['clickhouse'] },
  // Not the mail server: a mail outage is waited out by its sender, the consumer stays ready.
  { name: 'notifications', create: createNotificationConsumer, uses: ['postgres'] },
  // Starts one shipment workflow per paid order (REJECT_DUPLICATE: a redelivery starts nothing).
  { name: 'shipments', create: createShipmentStarter, uses: ['temporal'] },
];

/** The registered consumers, or only those named (`workers/consumers.ts search`). */
export function selectConsumers(names: readonly string[] = []): RegisteredConsumer[] {
  const unknown = names.filter((n) => !REGISTERED_CONSUMERS.some((c) => c.name === n));
  if (unknown.length > 0) throw new Error(`unknown consumer(s): ${unknown.join(', ')}`);
  return names.length === 0 ? REGISTERED_CONSUMERS : REGISTERED_CONSUMERS.filter((c) => names.includes(c.name));
}

/** Kafka plus everything the given consumers use, once each: what their process's readiness checks. */
export function dependenciesOf(consumers: readonly RegisteredConsumer[]): DependencyName[] {
  return [...new Set<DependencyName>(['kafka', ...consumers.flatMap((c) => c.uses)])];
}
