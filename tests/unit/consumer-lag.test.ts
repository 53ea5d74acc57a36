/** Consumer lag from Kafka's records: every group's committed offsets, each topic's watermarks read once. */
import type { Admin } from 'kafkajs';
import { groupLag, groupsLag } from '../../platform/metrics/consumer-lag';

function fakeAdmin(
  committed: Record<string, { topic: string; partitions: { partition: number; offset: string }[] }[]>,
) {
  const topicReads: string[] = [];
  const ends: Record<string, { partition: number; low: string; high: string }[]> = {
    orders: [
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '5', high: '7' },
    ],
    users: [{ partition: 0, low: '2', high: '4' }],
  };
  const admin = {
    fetchOffsets: async ({ groupId }: { groupId: string }) => committed[groupId] ?? [],
    fetchTopicOffsets: async (topic: string) => {
      topicReads.push(topic);
      return ends[topic] ?? [];
    },
  } as unknown as Admin;
  return { admin, topicReads };
}

describe('consumer lag', () => {
  const committed = {
    'pasar.search': [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '8' },
          { partition: 1, offset: '-1' },
        ],
      },
    ],
    'pasar.analytics': [
      { topic: 'orders', partitions: [{ partition: 0, offset: '10' }] },
      { topic: 'users', partitions: [{ partition: 0, offset: '3' }] },
    ],
  };

  it('is the high watermark minus the committed offset, from the earliest retained offset when nothing is committed', async () => {
    const { admin } = fakeAdmin(committed);
    expect(await groupsLag(admin, ['pasar.search', 'pasar.analytics'])).toEqual([
      { group: 'pasar.search', topic: 'orders', partition: 0, lag: 2 },
      { group: 'pasar.search', topic: 'orders', partition: 1, lag: 2 },
      { group: 'pasar.analytics', topic: 'orders', partition: 0, lag: 0 },
      { group: 'pasar.analytics', topic: 'users', partition: 0, lag: 1 },
    ]);
  });

  it("reads each topic's watermarks once, however many groups read the topic", async () => {
    const { admin, topicReads } = fakeAdmin(committed);
    await groupsLag(admin, ['pasar.search', 'pasar.analytics']);
    expect(topicReads.sort()).toEqual(['orders', 'users']);
  });

  it('of one group is that group alone', async () => {
    const { admin } = fakeAdmin(committed);
    expect(await groupLag(admin, 'pasar.analytics')).toEqual([
      { group: 'pasar.analytics', topic: 'orders', partition: 0, lag: 0 },
      { group: 'pasar.analytics', topic: 'users', partition: 0, lag: 1 },
    ]);
  });
});
