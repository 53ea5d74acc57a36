/**
 * Consumer lag read from Kafka's own records (kafkajs admin): per group, topic and partition, the
 * high watermark minus the committed offset, as `npm run consumers:lag` prints it. A partition the
 * group never committed counts from the earliest retained offset (where the group will start).
 */
import type { Admin } from 'kafkajs';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** The lag of every partition the group has committed offsets for. */
export async function groupLag(admin: Admin, group: string): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId: group });
  const rows: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const p of partitions) {
      const end = ends.find((e) => e.partition === p.partition);
      if (!end) continue;
      const from = p.offset === '-1' ? end.low : p.offset;
      rows.push({ group, topic, partition: p.partition, lag: Math.max(0, Number(end.high) - Number(from)) });
    }
  }
  return rows;
}

/** Messages retained on a topic (sum over partitions of high minus low watermark). */
export async function topicDepth(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Math.max(0, Number(o.high) - Number(o.low)), 0);
}
