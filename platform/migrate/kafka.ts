/** Creates every topic in platform/kafka/topics.ts that does not exist yet. */
import type { Kafka } from 'kafkajs';
import { ALL_TOPICS } from '../kafka/topics';

/** The topics migrateKafka would create, creating none. */
export async function pendingKafka(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    return ALL_TOPICS.filter((t) => !existing.has(t.name)).map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}

export async function migrateKafka(kafka: Kafka, replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = ALL_TOPICS.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor })),
      });
    }
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}
