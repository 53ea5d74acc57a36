/**
 * The recommendation consumer: paid orders feed popularity, bought-together pairs and the
 * shopper's purchases; a cancellation or refund takes back what its payment added; views feed the
 * shopper's picks. Idempotent by a record per order (`rec:order:{id}`, added → taken) checked in
 * the same Lua script as the increments, rather than per event id: a redelivered paid event, a
 * replay, or a refund after a cancellation of the same order can each count only once. Views are
 * idempotent as they are (the same view sets the same timestamp).
 */
import { topicsFor, type EventType } from '../../platform/event-catalog';
import type { ConsumerSpec, EventOf } from '../../platform/kafka/consumer-spec';
import type { Logger } from '../../platform/logger';
import type { RecSignals } from './signals';

// order.confirmed: a cash-on-delivery order is bought as surely as a paid one (taken back if cancelled).
const TYPES = [
  'order.paid',
  'order.confirmed',
  'order.cancelled',
  'order.refunded',
  'product.viewed',
] as const satisfies EventType[];

/** How long a batch gathers: popularity and picks are read by the hour and the page view, not by the millisecond. */
export const RECOMMENDATIONS_LINGER_MS = 1000;

/** The signals it writes (services/index.ts builds them once per process). */
export interface RecommendationConsumerDeps {
  recSignals: Pick<RecSignals, 'purchase' | 'takeBack' | 'view'>;
}

export function createRecommendationConsumer(
  deps: RecommendationConsumerDeps,
  logger: Logger,
): ConsumerSpec<(typeof TYPES)[number]> {
  const signals = deps.recSignals;
  const log = logger.child({ consumer: 'recommendations' });

  async function apply(event: EventOf<(typeof TYPES)[number]>) {
    switch (event.type) {
      case 'order.paid':
      case 'order.confirmed': {
        const { order_id, user_id, items } = event.data;
        if (!items?.length) {
          // Paid events from before orders carried their lines: nothing to count them from.
          log.warn({ event_id: event.id, order_id }, `${event.type} without items: not counted`);
          return;
        }
        await signals.purchase(order_id, user_id, new Date(event.occurred_at), items);
        return;
      }
      case 'order.cancelled':
      case 'order.refunded':
        await signals.takeBack(event.data.order_id);
        return;
      case 'product.viewed':
        await signals.view(event.data.user_id, event.data.product_id, new Date(event.data.viewed_at));
        return;
      default:
    }
  }

  return {
    name: 'recommendations',
    topics: topicsFor(TYPES),
    types: TYPES,
    // The runtime hands over events already validated by platform/event-catalog.ts `parseEvent`.
    handle: apply,
    // Every event's commands are sent at once, in the batch's order, on the one connection (a
    // pipeline: one round trip for the lot, not one per event). Redis runs them in that order, so
    // one order's paid and its take-back, or one shopper's views, apply as they would one by one:
    // a take-back's read is sent after the purchase before it. Every command is awaited before the
    // batch counts as done, and the first failure fails it.
    async handleBatch(events) {
      const results = await Promise.allSettled(events.map(({ event }) => apply(event)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    batching: { lingerMs: RECOMMENDATIONS_LINGER_MS },
  };
}
