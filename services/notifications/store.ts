/**
 * The notification service's store: one row per message and channel, `pending` until the sender
 * (sender.ts) delivers it, then `sent`, or `failed` once the mail server refused it for good.
 * Producers only write rows, so no caller ever waits on the mail server.
 */
import type { Notification } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import type { Message } from './messages';

export type Channel = 'email' | 'sms' | 'push' | 'whatsapp';

export interface NewNotification {
  user_id: string;
  type: string;
  channel: Channel;
  recipient: string;
  subject?: string;
  /** The plain-text part. */
  content: string;
  html?: string;
  /** The event that caused it: at most one row per (event_id, channel). */
  event_id?: string;
}

/** A row the sender claimed: what it needs to send it. */
export type ClaimedNotification = Pick<
  Notification,
  'id' | 'user_id' | 'type' | 'recipient' | 'subject' | 'content' | 'html' | 'attempts' | 'created_at'
>;

/** The fields a shopper sees; the text of a code (OTP, reset) is never shown back through the API. */
export const SECRET_TYPES = new Set(['otp']);

/** A message of `type` to `recipient` by email, from a composed Message. */
export const emailOf = (
  m: Message,
  n: { user_id: string; type: string; recipient: string; event_id?: string },
): NewNotification => ({ ...n, channel: 'email', subject: m.subject, content: m.text, html: m.html });

export function createNotificationStore(db: Db) {
  return {
    enqueue: (n: NewNotification) => db.notification.create({ data: n }),

    /**
     * Records the message for an event once: a redelivered event finds its row and adds nothing
     * (the unique (event_id, channel) key). Returns whether a row was written.
     */
    async enqueueOnce(n: NewNotification & { event_id: string }): Promise<boolean> {
      const { count } = await db.notification.createMany({ data: [n], skipDuplicates: true });
      return count === 1;
    },

    /** Whether the event already has its row on this channel (a redelivery: nothing to build). */
    hasEvent: async (eventId: string, channel: Channel) =>
      (await db.notification.count({ where: { event_id: eventId, channel } })) > 0,

    /** Which of these events already have their row on this channel (a batch's redeliveries), in one query. */
    async eventsWithRows(eventIds: string[], channel: Channel): Promise<Set<string>> {
      if (eventIds.length === 0) return new Set();
      const rows = await db.notification.findMany({
        where: { event_id: { in: eventIds }, channel },
        select: { event_id: true },
      });
      return new Set(rows.map((r) => r.event_id!));
    },

    /**
     * `enqueueOnce` for several events in one statement: at most one row per (event_id, channel),
     * so a redelivered event adds nothing. Each row's created_at is the statement's time plus its
     * place in `rows` in microseconds, so the sender (oldest first) sends them in the order given,
     * as it would rows written one by one. Returns how many rows were written.
     */
    async enqueueManyOnce(rows: (NewNotification & { event_id: string })[]): Promise<number> {
      if (rows.length === 0) return 0;
      const column = <K extends keyof NewNotification>(key: K) => rows.map((r) => r[key] ?? null);
      return db.$executeRaw`
        INSERT INTO notifications.notifications (user_id, type, channel, recipient, subject, content, html, event_id, created_at)
        SELECT r.user_id, r.type, r.channel, r.recipient, r.subject, r.content, r.html, r.event_id,
               now() + r.n * interval '1 microsecond'
        FROM unnest(${column('user_id')}::uuid[], ${column('type')}::text[], ${column('channel')}::text[],
                    ${column('recipient')}::text[], ${column('subject')}::text[], ${column('content')}::text[],
                    ${column('html')}::text[], ${column('event_id')}::uuid[])
             WITH ORDINALITY AS r(user_id, type, channel, recipient, subject, content, html, event_id, n)
        ON CONFLICT (event_id, channel) DO NOTHING`;
    },

    latestFor: (userId: string, type: string) =>
      db.notification.findFirst({ where: { user_id: userId, type }, orderBy: { created_at: 'desc' } }),

    /**
     * Claims the oldest email that is due, for `leaseSeconds`: it counts an attempt and hides the
     * row from other senders until the lease ends, so a sender that dies mid-send leaves the row to
     * be taken again (and checked for delivery first) rather than lost or sent twice at once.
     */
    async claimNext(leaseSeconds: number): Promise<ClaimedNotification | null> {
      const rows = await db.$queryRaw<ClaimedNotification[]>`
        UPDATE notifications.notifications
        SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseSeconds}::double precision), updated_at = now()
        WHERE id = (
          SELECT id FROM notifications.notifications
          WHERE status = 'pending' AND channel = 'email' AND next_attempt_at <= now()
          ORDER BY created_at, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
        RETURNING id, user_id, type, recipient, subject, content, html, attempts, created_at`;
      return rows[0] ?? null;
    },

    markSent: (id: string) =>
      db.notification.updateMany({
        where: { id, status: 'pending' },
        data: { status: 'sent', sent_at: new Date(), last_error: null },
      }),

    /** Back in the queue after `delayMs` (0: at once, first in line again: its place is kept). */
    retryLater: (id: string, error: string, delayMs: number) =>
      db.notification.updateMany({
        where: { id, status: 'pending' },
        data: { last_error: error.slice(0, 1000), next_attempt_at: new Date(Date.now() + delayMs) },
      }),

    markFailed: (id: string, error: string) =>
      db.notification.updateMany({
        where: { id, status: 'pending' },
        data: { status: 'failed', last_error: error.slice(0, 1000) },
      }),

    /** A shopper's own notifications, newest first, with how many are unread in all. */
    async listOwn(userId: string, page: number, pageSize: number) {
      const [rows, total, unread] = await Promise.all([
        db.notification.findMany({
          where: { user_id: userId },
          orderBy: [{ created_at: 'desc' }, { id: 'desc' }],
          skip: (page - 1) * pageSize,
          take: pageSize,
        }),
        db.notification.count({ where: { user_id: userId } }),
        db.notification.count({ where: { user_id: userId, read_at: null } }),
      ]);
      return { rows, total, unread };
    },

    /** Marks the shopper's own notification read (idempotent); null when it is not theirs or absent. */
    async markRead(id: string, userId: string) {
      await db.notification.updateMany({
        where: { id, user_id: userId, read_at: null },
        data: { read_at: new Date() },
      });
      return db.notification.findFirst({ where: { id, user_id: userId } });
    },
  };
}

export type NotificationStore = ReturnType<typeof createNotificationStore>;
