/**
 * Tells "ClickHouse is down or overloaded" from "this query or row is wrong", so the consumer
 * waits (DependencyUnavailableError: the runtime never parks the event) and the API answers 503
 * naming ClickHouse, instead of a dead-lettered event or a 500.
 */
import { DependencyUnavailableError } from '../../platform/dependency-errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/** ClickHouse's own "come back later" answers: too many parts (252), memory limit (241), too many queries (202). */
const BUSY = /Code: (252|241|202)\b|Too many parts|socket hang up|Timeout error|timed out/i;

export function isClickHouseOutage(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string } } | undefined;
  return NETWORK_CODES.has(e?.code ?? '') || NETWORK_CODES.has(e?.cause?.code ?? '') || BUSY.test(e?.message ?? '');
}

/** Runs a ClickHouse call; an outage becomes DependencyUnavailableError('clickhouse'), anything else propagates. */
export async function withClickHouse<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isClickHouseOutage(err)) throw new DependencyUnavailableError('clickhouse', { cause: err });
    throw err;
  }
}
