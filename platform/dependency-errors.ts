/**
 * Recognises an error that means "a dependency is down" (connection refused, timed out, closed),
 * so the API answers 503 naming the dependency instead of a generic 500 or a hang.
 */
import { GatewayUnavailableError } from '../services/payments/gateway';

export type Dependency =
  'postgres' | 'redis' | 'kafka' | 'temporal' | 'elasticsearch' | 'clickhouse' | 'payment-gateway';

/** Thrown by analytics reads when ClickHouse is unreachable or refusing work (services/analytics/outage.ts). */
export class ClickHouseUnavailableError extends Error {
  override name = 'ClickHouseUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('clickhouse is unavailable', options);
  }
}

const text = (err: unknown) => {
  const e = err as { name?: string; message?: string; code?: string; cause?: { message?: string; code?: string } };
  return `${e?.name ?? ''} ${e?.code ?? ''} ${e?.message ?? ''} ${e?.cause?.code ?? ''} ${e?.cause?.message ?? ''}`;
};

export function dependencyOf(err: unknown): Dependency | undefined {
  if (err instanceof GatewayUnavailableError) return 'payment-gateway';
  if (err instanceof ClickHouseUnavailableError) return 'clickhouse';
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
