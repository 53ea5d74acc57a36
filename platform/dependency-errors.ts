/**
 * "A dependency is down" (connection refused, timed out, closed, 5xx), so the API answers 503
 * naming the dependency instead of a generic 500 or a hang, the consumer runtime waits the outage
 * out instead of parking the event, and Temporal retries the activity. Our own clients of an
 * outside party (payment gateway, carrier, ClickHouse, Elasticsearch) throw
 * DependencyUnavailableError; the drivers' own errors (Postgres, Redis, Kafka, Temporal) are
 * recognised by dependencyOf.
 */

export type Dependency =
  'postgres' | 'redis' | 'kafka' | 'temporal' | 'elasticsearch' | 'clickhouse' | 'payment-gateway' | 'carrier';

/** Thrown when `dependency` did not answer or answered "not now"; `message` (logged, never sent) says how. */
export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: Dependency,
    options: { message?: string; cause?: unknown } = {},
  ) {
    super(options.message ?? `${dependency} is unavailable`, 'cause' in options ? { cause: options.cause } : undefined);
  }
}

const text = (err: unknown) => {
  const e = err as { name?: string; message?: string; code?: string; cause?: { message?: string; code?: string } };
  return `${e?.name ?? ''} ${e?.code ?? ''} ${e?.message ?? ''} ${e?.cause?.code ?? ''} ${e?.cause?.message ?? ''}`;
};

/** The dependency an error says is down, or undefined when it says something else. */
export function dependencyOf(err: unknown): Dependency | undefined {
  if (err instanceof DependencyUnavailableError) return err.dependency;
  const t = text(err);
  if (/MaxRetriesPerRequest|Command timed out|Connection is closed|Stream isn't writeable/i.test(t)) return 'redis';
  if (
    /PrismaClient|DriverAdapter|P1001|P1002|P2024|ECONNREFUSED.*5432|database server/i.test(t) &&
    /connect|reach|timed out|ECONNREFUSED|terminat/i.test(t)
  ) {
    return 'postgres';
  }
  if (/Temporal|grpc|14 UNAVAILABLE|DEADLINE_EXCEEDED/i.test(t) && /UNAVAILABLE|DEADLINE|connect/i.test(t))
    return 'temporal';
  if (/KafkaJS/i.test(t)) return 'kafka';
  return undefined;
}
