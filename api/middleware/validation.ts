/**
 * Turns a failed zod validation into a 400 that names each invalid field, and where it was
 * (`in`: body, query, path or header), the same shape the input policy (input-policy.ts) answers.
 */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { errorBody } from './error-handler';

interface HookResult {
  success: boolean;
  error?: ZodError;
  target?: string;
}

// Hono's validator targets, named the way OpenAPI names a parameter's location.
const LOCATION: Record<string, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
};

export function fieldErrors(error: ZodError, target?: string) {
  const where = target ? (LOCATION[target] ?? target) : undefined;
  return error.issues.map((i) => ({
    field: i.path.join('.') || '(body)',
    ...(where ? { in: where } : {}),
    message: i.message,
  }));
}

export function validationHook(result: HookResult, c: Context) {
  if (!result.success && result.error) {
    return c.json(
      errorBody('validation_failed', `invalid ${result.target ?? 'request'}`, fieldErrors(result.error, result.target)),
      400,
    );
  }
  return undefined;
}
