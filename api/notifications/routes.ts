/** The shopper's notifications: newest first with an unread count, and marking one read. */
import { type z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Notification } from '../../generated/prisma/client';
import { AppError } from '../../platform/errors';
import type { Services } from '../../services';
import { SECRET_TYPES } from '../../services/notifications/store';
import { createRouter } from '../router';
import { errorResponses, IdParam, json } from '../schemas';
import { NotificationListQuery, NotificationPage, NotificationSchema } from './schemas';

const tags = ['notifications'];

const routes = {
  list: guarded('user', {
    method: 'get',
    path: '/notifications',
    tags,
    summary: 'My notifications, newest first, with how many are unread',
    request: { query: NotificationListQuery },
    responses: { 200: json(NotificationPage), ...errorResponses(400, 401) },
  }),
  read: guarded('user', {
    method: 'patch',
    path: '/notifications/{id}/read',
    tags,
    summary: 'Mark one of my notifications read (again: no change); another shopper’s is a 404',
    request: { params: IdParam },
    responses: { 200: json(NotificationSchema), ...errorResponses(400, 401, 404) },
  }),
};

/** What a shopper sees of a row: never the recipient, the HTML, the error, or a one-time code. */
export function toNotificationView(n: Notification): z.infer<typeof NotificationSchema> {
  return {
    id: n.id,
    type: n.type,
    channel: n.channel,
    subject: n.subject,
    content: SECRET_TYPES.has(n.type) ? null : n.content,
    status: n.status as 'pending' | 'sent' | 'failed',
    read: n.read_at !== null,
    created_at: n.created_at.toISOString(),
    sent_at: n.sent_at?.toISOString() ?? null,
    read_at: n.read_at?.toISOString() ?? null,
  };
}

export function notificationRoutes(services: Services) {
  const { notifications } = services;
  const app = createRouter();

  return app
    .openapi(routes.list, async (c) => {
      const { page, page_size } = c.req.valid('query');
      const { rows, total, unread } = await notifications.listOwn(c.get('user').sub, page, page_size);
      return c.json({ data: rows.map(toNotificationView), page, page_size, total, unread }, 200);
    })
    .openapi(routes.read, async (c) => {
      const n = await notifications.markRead(c.req.valid('param').id, c.get('user').sub);
      // Someone else's id answers exactly like one that does not exist.
      if (!n) throw new AppError('not_found', 'notification not found');
      return c.json(toNotificationView(n), 200);
    });
}
