/** Schemas shared by several route modules: the error shape, ids, request bodies and JSON responses. */
import { z } from '@hono/zod-openapi';
import { hasVisibleCharacter } from '../platform/text-policy';

/**
 * A name-like field (a person's name, an address line, a product name): trimmed, 1 to `max`
 * characters, at least one of them visible, so a name of braille blanks or lone marks is refused
 * (platform/text-policy.ts says why those characters are otherwise kept).
 */
export const nameText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    // An empty name is min(1)'s to name; checking it here too would report the field twice.
    .max(max)
    .refine((s) => s === '' || hasVisibleCharacter(s), 'must contain a visible character');

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
