/**
 * The dead-letter topic `pasar.dead-letter`: where a consumer parks an event it gave up on (it did
 * not parse or validate, or its handler kept failing), with everything needed to look at it and
 * re-drive it: the error, the consumer, the attempt count and the original message byte for byte
 * (topic, partition, offset, key, headers, value). `npm run dlq -- list|replay` reads it.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { z } from 'zod';
import { TOPICS } from './topics';

export const DEAD_LETTER_TOPIC: string = TOPICS.deadLetter.name;

/** Why an event was parked: it is not a valid catalog event, or its handler failed every attempt. */
export type DeadLetterReason = 'invalid_event' | 'handler_failed';

export const deadLetterSchema = z.object({
  /** This entry's id: what `npm run dlq -- replay <id>` takes. */
  id: z.uuid(),
  consumer: z.string(),
  group_id: z.string(),
  reason: z.enum(['invalid_event', 'handler_failed']),
  error: z.object({ name: z.string(), message: z.string(), stack: z.string().optional() }),
  /** Handler runs before it was parked (0: it never reached the handler). */
  attempts: z.number().int().nonnegative(),
  event_id: z.string().nullable(),
  event_type: z.string().nullable(),
  parked_at: z.string(),
  original: z.object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    key: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    /** The value as sent: UTF-8 text, or base64 when it was not valid UTF-8. */
    value: z.string().nullable(),
    encoding: z.enum(['utf8', 'base64']),
    timestamp: z.string(),
  }),
});

export type DeadLetter = z.infer<typeof deadLetterSchema>;

/** Kafka headers as strings (kafkajs gives Buffers; a repeated header keeps its last value). */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const last = Array.isArray(v) ? v.at(-1) : v;
    if (last !== undefined) out[k] = last.toString();
  }
  return out;
}

function encodeValue(value: Buffer | null): Pick<DeadLetter['original'], 'value' | 'encoding'> {
  if (value === null) return { value: null, encoding: 'utf8' };
  const text = value.toString('utf8');
  // A lossless round trip means the bytes were UTF-8; anything else is kept exactly, as base64.
  return Buffer.from(text, 'utf8').equals(value)
    ? { value: text, encoding: 'utf8' }
    : { value: value.toString('base64'), encoding: 'base64' };
}

/** The original value's bytes, as the consumer first received them. */
export function originalValue(entry: DeadLetter): Buffer | null {
  const { value, encoding } = entry.original;
  return value === null ? null : Buffer.from(value, encoding);
}

export interface ParkInput {
  consumer: string;
  groupId: string;
  reason: DeadLetterReason;
  error: unknown;
  attempts: number;
  eventId?: string;
  eventType?: string;
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Builds the dead-letter entry for a message. */
export function toDeadLetter(p: ParkInput): DeadLetter {
  const err = p.error instanceof Error ? p.error : new Error(String(p.error));
  return {
    id: randomUUID(),
    consumer: p.consumer,
    group_id: p.groupId,
    reason: p.reason,
    error: { name: err.name, message: err.message, stack: err.stack },
    attempts: p.attempts,
    event_id: p.eventId ?? null,
    event_type: p.eventType ?? null,
    parked_at: new Date().toISOString(),
    original: {
      topic: p.topic,
      partition: p.partition,
      offset: p.message.offset,
      key: p.message.key?.toString() ?? null,
      headers: headersToStrings(p.message.headers),
      ...encodeValue(p.message.value),
      timestamp: p.message.timestamp,
    },
  };
}

/** Publishes an entry (acks from every in-sync replica); a failure throws, so the offset is not committed. */
export async function publishDeadLetter(producer: Producer, entry: DeadLetter, topic = DEAD_LETTER_TOPIC) {
  await producer.send({
    topic,
    acks: -1,
    messages: [
      {
        key: entry.consumer,
        value: JSON.stringify(entry),
        // The essentials as headers too, so a tool can filter without parsing the value.
        headers: {
          dlq_id: entry.id,
          dlq_consumer: entry.consumer,
          dlq_reason: entry.reason,
          ...(entry.event_type ? { event_type: entry.event_type } : {}),
        },
      },
    ],
  });
}

/**
 * Reads every entry on the dead-letter topic (from the earliest retained offset up to the high
 * watermark at the time of the call) without joining a group or committing anything.
 */
export async function readDeadLetters(kafka: Kafka, topic = DEAD_LETTER_TOPIC, timeoutMs = 30_000) {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const pending = new Map(ends.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high)]));
  const entries: DeadLetter[] = [];
  if (pending.size === 0) return entries;
  // A throwaway group id; nothing is committed, so it leaves no offsets behind to read as lag.
  const consumer = kafka.consumer({ groupId: `pasar.dlq-reader.${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not read ${topic} within ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const parsed = deadLetterSchema.safeParse(safeJson(message.value));
          if (parsed.success) entries.push(parsed.data);
          if (BigInt(message.offset) + 1n >= (pending.get(partition) ?? 0n)) pending.delete(partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return entries;
}

function safeJson(value: Buffer | null): unknown {
  try {
    return value === null ? null : JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
}
