/** Reads a topic from the beginning until a message matches, or fails after a timeout. */
import type { Kafka } from 'kafkajs';
import type { EventEnvelope } from '../../platform/events';
import { unique } from './deps';

export async function findEvent(
  kafka: Kafka,
  topic: string,
  match: (e: EventEnvelope<any>) => boolean,
  timeoutMs = 30_000,
): Promise<EventEnvelope<any>> {
  const consumer = kafka.consumer({ groupId: unique('test-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise<EventEnvelope<any>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event on ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value!.toString()) as EventEnvelope<any>;
          if (match(event)) {
            clearTimeout(timer);
            resolve(event);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}
