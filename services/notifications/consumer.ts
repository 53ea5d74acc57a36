/**
 * The notification consumer: turns domain events into messages for the shopper (welcome, order
 * confirmation, cancellation, refund) and records each as a pending row keyed by (event id,
 * channel); the sender (sender.ts) delivers the rows. The handler never talks to the mail server,
 * so a mail outage neither stalls the partition nor parks events: the rows wait, in order.
 *
 * A redelivered event finds its row already there and adds nothing. The shopper's address and
 * name come from the user service's store, an order's lines and shipping from the order
 * service's store: read through their stores, never their tables.
 *
 * Adding a message (shipment and complaint events, when they exist): one entry in BUILDERS.
 */
import { AppError } from '../../platform/errors';
import { topicsFor, type CatalogEvent, type EventType, type TypedEvent } from '../../platform/event-catalog';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import type { Logger } from '../../platform/logger';
import type { OrderStore } from '../orders/store';
import type { UserStore } from '../users/store';
import type { Mailer } from './mailer';
import {
  orderCancelledMessage,
  orderConfirmationMessage,
  refundMessage,
  welcomeMessage,
  type Message,
} from './messages';
import { createNotificationSender, type NotificationSender, type SenderOptions } from './sender';
import { emailOf, type NotificationStore } from './store';

/** Who gets it and what it says; null: nothing to send for this event. */
interface Built {
  userId: string;
  type: string;
  message: (firstName: string) => Message;
}

type Lookups = {
  order: OrderStore['get'];
};

type Builder<K extends EventType> = (event: TypedEvent<K>, lookups: Lookups) => Promise<Built | null>;

const orderOf = async (lookups: Lookups, orderId: string) => {
  const order = await lookups.order(orderId);
  // The order is written before any of its events; absent means an inconsistency worth a retry.
  if (!order) throw new Error(`order ${orderId} not found`);
  return order;
};

/** The order confirmation, once paid (or confirmed for cash on delivery): its lines and sums. */
async function confirmation(
  data: { order_id: string; order_number: string; user_id: string; total_amount: string },
  lookups: Lookups,
  payOnDelivery: boolean,
): Promise<Built> {
  const order = await orderOf(lookups, data.order_id);
  const summary = {
    orderNumber: data.order_number,
    lines: order.items.map((i) => ({
      name: i.product_name,
      quantity: i.quantity,
      unitPrice: i.unit_price.toFixed(2),
      total: i.total_amount.toFixed(2),
    })),
    subtotal: order.subtotal.toFixed(2),
    shipping: order.shipping_amount.toFixed(2),
    discount: order.discount_amount.toFixed(2),
    shippingDiscount: order.shipping_discount.toFixed(2),
    // The event's total is what was paid (or is due at the door); the order's lines and shipping explain it.
    total: data.total_amount,
    ...(payOnDelivery ? { payOnDelivery } : {}),
  };
  return {
    userId: data.user_id,
    type: 'order_confirmation',
    message: (name) => orderConfirmationMessage(name, summary),
  };
}

/** One entry per event type the consumer turns into a message. */
const BUILDERS: { [K in EventType]?: Builder<K> } = {
  'user.registered': async (e) => ({ userId: e.data.user_id, type: 'welcome', message: welcomeMessage }),
  'order.paid': async (e, lookups) => confirmation(e.data, lookups, false),
  // Cash on delivery: confirmed without a payment; the message says what to hand the courier.
  'order.confirmed': async (e, lookups) => confirmation(e.data, lookups, true),
  'order.cancelled': async (e) => ({
    userId: e.data.user_id,
    type: 'order_cancelled',
    message: (name) => orderCancelledMessage(name, e.data.order_number, e.data.reason),
  }),
  // The money is back when the gateway confirms the refund: payment.refunded, not order.refunded.
  'payment.refunded': async (e, lookups) => {
    const order = await orderOf(lookups, e.data.order_id);
    return {
      userId: order.user_id,
      type: 'refund',
      message: (name) => refundMessage(name, order.order_number, e.data.amount),
    };
  },
};

export const NOTIFICATION_EVENT_TYPES = Object.keys(BUILDERS) as EventType[];

/** How long a batch gathers (ConsumerSpec `batching`). */
export const NOTIFICATIONS_LINGER_MS = 500;

export interface NotificationConsumer extends ConsumerSpec {
  /** The sender this consumer hands its rows to: runConsumer starts and stops it (`background`). */
  sender: NotificationSender;
}

/**
 * What it reads and writes through: its own rows, the shopper's profile and the order from their
 * owners' stores, and the mail channel its sender delivers by (services/index.ts builds them all;
 * tests hand in a mailer of their own, e.g. on a closed port).
 */
export interface NotificationConsumerDeps {
  notifications: NotificationStore;
  users: Pick<UserStore, 'getProfile'>;
  orders: Pick<OrderStore, 'get'>;
  mail: { mailer: Mailer; messageIdDomain: string };
}

export interface NotificationConsumerOptions {
  sender?: Partial<SenderOptions>;
}

export function createNotificationConsumer(
  deps: NotificationConsumerDeps,
  logger: Logger,
  options: NotificationConsumerOptions = {},
): NotificationConsumer {
  const log = logger.child({ consumer: 'notifications' });
  const { notifications: store, users, orders, mail } = deps;
  const lookups: Lookups = { order: (id) => orders.get(id) };
  const sender = createNotificationSender(store, mail.mailer, logger, {
    messageIdDomain: mail.messageIdDomain,
    ...options.sender,
  });

  /** The event's row, or null when it sends nothing (no builder, or no such shopper). */
  async function rowOf(event: CatalogEvent) {
    const build = BUILDERS[event.type] as Builder<typeof event.type> | undefined;
    const built = build ? await build(event as never, lookups) : null;
    if (!built) return null;
    let profile;
    try {
      profile = await users.getProfile(built.userId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') {
        log.warn({ event_id: event.id, user_id: built.userId }, 'no such shopper: nothing sent');
        return null;
      }
      throw err;
    }
    const row = emailOf(built.message(profile.first_name), {
      user_id: profile.id,
      type: built.type,
      recipient: profile.email,
      event_id: event.id,
    });
    return { ...row, event_id: event.id };
  }

  async function apply(event: CatalogEvent) {
    // A redelivery or a replay costs one indexed read, not the lookups (the insert below is the guard).
    if (!BUILDERS[event.type] || (await store.hasEvent(event.id, 'email'))) return;
    const row = await rowOf(event);
    if (row && (await store.enqueueOnce(row))) sender.wake();
  }

  /**
   * A batch: one read for the redeliveries among them, the lookups of the rest at once (Prisma
   * folds the same tick's findUnique calls into one query per table), one insert for every row in
   * the events' order, one wake-up for the sender.
   */
  async function applyBatch(events: CatalogEvent[]) {
    const seen = new Set<string>();
    const wanted = events.filter((e) => BUILDERS[e.type] && !seen.has(e.id) && seen.add(e.id));
    if (wanted.length === 0) return;
    const done = await store.eventsWithRows(
      wanted.map((e) => e.id),
      'email',
    );
    const rows = await Promise.all(wanted.filter((e) => !done.has(e.id)).map(rowOf));
    const written = await store.enqueueManyOnce(rows.filter((r) => r !== null));
    if (written > 0) sender.wake();
  }

  return {
    name: 'notifications',
    topics: topicsFor(NOTIFICATION_EVENT_TYPES),
    types: NOTIFICATION_EVENT_TYPES,
    // The runtime hands over events already validated by platform/event-catalog.ts `parseEvent`.
    handle: apply,
    handleBatch: (events) => applyBatch(events.map((e) => e.event)),
    // A shopper waits for the email, but not to the half second; a burst of checkouts becomes one insert.
    batching: { lingerMs: NOTIFICATIONS_LINGER_MS },
    sender,
    background: sender,
  };
}
