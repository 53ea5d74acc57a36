/** Schemas shared by several route modules: the error shape, ids, request bodies and JSON responses. */
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export const IdParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const errorResponses = (...statuses: (400 | 401 | 403 | 404 | 409 | 429 | 503)[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: 'error', content: { 'application/json': { schema: ErrorSchema } } }]),
  ) as Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>;

export const json = <T extends z.ZodTypeAny>(schema: T, description = 'ok') => ({
  description,
  content: { 'application/json': { schema } },
});

export const body = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
