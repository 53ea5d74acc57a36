/**
 * The notification service's store. Until a real mail/SMS channel is wired (a later issue),
 * a notification row *is* the delivery: the message waits here with status `pending`.
 */
import type { Db } from '../../platform/clients/prisma';

export type Channel = 'email' | 'sms' | 'push' | 'whatsapp';

export interface NewNotification {
  user_id: string;
  type: string;
  channel: Channel;
  recipient: string;
  subject?: string;
  content: string;
}

export function createNotificationStore(db: Db) {
  return {
    enqueue: (n: NewNotification) => db.notification.create({ data: n }),
    latestFor: (userId: string, type: string) =>
      db.notification.findFirst({ where: { user_id: userId, type }, orderBy: { created_at: 'desc' } }),
  };
}

export type NotificationStore = ReturnType<typeof createNotificationStore>;
