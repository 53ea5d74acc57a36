import { Partitioners } from 'kafkajs';
import { TOPICS } from '../../platform/kafka/topics';
import { unique, useDeps } from '../support/deps';

describe('Kafka through kafkajs', () => {
  const deps = useDeps();

  it('has every declared topic with its partition count', async () => {
    const admin = deps().kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: Object.values(TOPICS).map((t) => t.name) });
      for (const spec of Object.values(TOPICS)) {
        const topic = meta.topics.find((t) => t.name === spec.name);
        expect(topic?.partitions).toHaveLength(spec.partitions);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('produces a message and consumes the same message back', async () => {
    const { kafka } = deps();
    const topic = `test.${unique()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const id = unique('evt');
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'order-1', value: JSON.stringify({ id, type: 'order.paid' }) }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: unique('group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: { id: string; type: string } }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) });
        },
      });
    });
    await consumer.disconnect();
    expect(received).toEqual({ key: 'order-1', value: { id, type: 'order.paid' } });
  });
});
