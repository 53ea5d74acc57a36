/** kafkajs client for producers, consumers and the admin API. */
import { Kafka, logLevel } from 'kafkajs';

export type { Kafka };

export function createKafka(brokers: string[], clientId: string, timeoutMs: number): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: Math.max(timeoutMs, 5000),
    logLevel: logLevel.WARN,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3000 },
  });
}
