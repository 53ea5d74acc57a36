/** kafkajs client for producers, consumers and the admin API. */
import { Kafka, logLevel } from 'kafkajs';
import { patchKafkaRequestQueue } from './kafka-request-queue';

export type { Kafka };

// Every connection of every client this process makes: no idle 1 ms timer loop (see the module).
patchKafkaRequestQueue();

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
