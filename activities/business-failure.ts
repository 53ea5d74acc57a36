/**
 * Business failures (bad cart, no stock, a refusing gateway: any 4xx AppError) become
 * non-retryable ApplicationFailures typed by their code, so the workflow compensates at once;
 * anything else stays a plain error that Temporal retries.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { AppError } from '../platform/errors';

export async function asActivity<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      throw ApplicationFailure.nonRetryable(err.message, err.code, err.details ?? null);
    }
    throw err;
  }
}
