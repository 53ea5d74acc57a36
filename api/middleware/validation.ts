/** Turns a failed zod validation into a 400 that names each invalid field. */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { errorBody } from './error-handler';

interface HookResult {
  success: boolean;
  error?: ZodError;
  target?: string;
}

export function fieldErrors(error: ZodError) {
  return error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
}

export function validationHook(result: HookResult, c: Context) {
  if (!result.success && result.error) {
    return c.json(
      errorBody('validation_failed', `invalid ${result.target ?? 'request'}`, fieldErrors(result.error)),
      400,
    );
  }
  return undefined;
}
