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
export function groupLag(admin: Admin, group: string): Promise<PartitionLag[]> {
  return groupsLag(admin, [group]);
}

/**
 * The lag of several groups, in their order: each group's committed offsets, then each topic's
 * watermarks read once however many of the groups read that topic (the consumers process's groups
 * share most of their topics; every topic read is a metadata check and two ListOffsets requests).
 */
export async function groupsLag(admin: Admin, groups: readonly string[]): Promise<PartitionLag[]> {
  const committed = await Promise.all(groups.map((groupId) => admin.fetchOffsets({ groupId })));
  const topics = [...new Set(committed.flat().map((t) => t.topic))];
  const ends = new Map(await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)));
  const rows: PartitionLag[] = [];
  groups.forEach((group, i) => {
    for (const { topic, partitions } of committed[i]!) {
      for (const p of partitions) {
        const end = ends.get(topic)?.find((e) => e.partition === p.partition);
        if (!end) continue;
        const from = p.offset === '-1' ? end.low : p.offset;
        rows.push({ group, topic, partition: p.partition, lag: Math.max(0, Number(end.high) - Number(from)) });
      }
    }
  });
  return rows;
}

/** Messages retained on a topic (sum over partitions of high minus low watermark). */
export async function topicDepth(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Math.max(0, Number(o.high) - Number(o.low)), 0);
}
