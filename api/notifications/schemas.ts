/** Schemas of the notification routes (exported for tests). */
import { z } from '@hono/zod-openapi';

export const NotificationListQuery = z.object({
  // Capped like every list: 100 pages of 50 at most, so nobody pages the table away.
  page: z.coerce.number().int().min(1).max(100).default(1),
  page_size: z.coerce.number().int().min(1).max(50).default(20),
});

export const NotificationSchema = z
  .object({
    id: z.string().uuid(),
    type: z.string().openapi({ example: 'order_confirmation' }),
    channel: z.string().openapi({ example: 'email' }),
    subject: z.string().nullable(),
    /** The plain-text message; null for one-time codes, which never come back through the API. */
    content: z.string().nullable(),
    status: z.enum(['pending', 'sent', 'failed']),
    read: z.boolean(),
    created_at: z.string(),
    sent_at: z.string().nullable(),
    read_at: z.string().nullable(),
  })
  .openapi('Notification');

export const NotificationPage = z
  .object({
    data: z.array(NotificationSchema),
    page: z.number(),
    page_size: z.number(),
    total: z.number(),
    unread: z.number().openapi({ description: 'unread notifications in all, not only on this page' }),
  })
  .openapi('NotificationPage');
