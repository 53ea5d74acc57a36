/**
 * Elasticsearch failures that mean "search is down", told apart from our own bugs: shoppers get
 * a 503 naming elasticsearch (the rest of the API keeps working), the indexer retries.
 */
import { errors } from '@elastic/elasticsearch';
import { AppError } from '../../platform/errors';

const status = (err: unknown) => (err instanceof errors.ResponseError ? err.statusCode : undefined);
const errorType = (err: unknown) =>
  err instanceof errors.ResponseError
    ? ((err.body as { error?: { type?: string } } | undefined)?.error?.type ?? '')
    : '';

/** Unreachable, timed out, overloaded, or the alias is missing (not migrated): nothing a caller fixed. */
export function isUnavailable(err: unknown): boolean {
  if (
    err instanceof errors.ConnectionError ||
    err instanceof errors.TimeoutError ||
    err instanceof errors.NoLivingConnectionsError
  )
    return true;
  const s = status(err);
  return s === 429 || s === 502 || s === 503 || s === 504 || errorType(err) === 'index_not_found_exception';
}

/** A write refused because the index is write-blocked (the old index after a reindex swap). */
export const isWriteBlocked = (err: unknown) => errorType(err) === 'cluster_block_exception';

export const isConflict = (err: unknown) => status(err) === 409;

export const isNotFound = (err: unknown) => status(err) === 404 && errorType(err) === '';

export const unavailable = () =>
  new AppError('dependency_unavailable', 'elasticsearch is unavailable; try again shortly', {
    dependency: 'elasticsearch',
  });

/** Runs a read for an API route: an outage becomes the 503 naming elasticsearch. */
export async function orUnavailable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUnavailable(err)) throw unavailable();
    throw err;
  }
}
