/**
 * The notification consumer through the real runtime, Postgres, and Mailpit over SMTP: N shoppers
 * (profiles through the user service's own function) and their N `user.registered` on a fresh
 * topic. The consumer's events/s (a row each) against the same runtime with a no-op handler over
 * the same events; the sender's drain (every welcome email handed to Mailpit) in mails/s from the
 * real run's start. Afterwards it deletes its shoppers, their rows and their emails.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumerSpec } from '../../../platform/kafka/consumer-spec';
import { createNotificationConsumer } from '../../../services/notifications/consumer';
import { createProfile } from '../../../services/users/store';
import { benchEvent } from '../lib/events';
import { benchLogger, benchTopic, drainRate, produce } from '../lib/kafka';
import { round, sleep } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

export async function notificationsPart(ctx: BenchContext): Promise<PartResult> {
  const { db, kafka } = ctx.deps;
  const n = ctx.quick ? 100 : 5000;
  const run = randomUUID().slice(0, 8);
  const users = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    email: `bench-${run}-${i}@bench.pasar.local`,
    first_name: 'Budi',
    last_name: 'Santoso',
    phone: '+6281200000000',
  }));
  const ids = users.map((u) => u.id);
  const spec = createNotificationConsumer(ctx.services, benchLogger);
  // The sender runs beside the consumer here, so the drain is timed from the real run's start.
  const consumer: ConsumerSpec = { ...spec, background: undefined };
  const topic = await benchTopic(kafka, 'bench.notifications', 6);
  try {
    for (let i = 0; i < users.length; i += 500)
      await db.$transaction(async (tx) => {
        for (const u of users.slice(i, i + 500)) await createProfile(tx, u);
      });
    await produce(
      kafka,
      topic.name,
      users.map(({ id, ...profile }) => benchEvent('user.registered', id, { user_id: id, ...profile })),
    );
    const nothing = async () => undefined;
    const noop = await drainRate(kafka, { ...consumer, handle: nothing, handleBatch: nothing }, topic, n);
    spec.sender.start();
    const t0 = performance.now();
    const real = await drainRate(kafka, consumer, topic, n);
    const pending = () => db.notification.count({ where: { user_id: { in: ids }, status: 'pending' } });
    const deadline = Date.now() + 300_000;
    while ((await pending()) > 0) {
      if (Date.now() > deadline) throw new Error('welcome emails still pending after 300 s');
      await sleep(100);
    }
    const drained = (performance.now() - t0) / 1000;
    const sent = await db.notification.count({ where: { user_id: { in: ids }, status: 'sent' } });
    return {
      figures: {
        events: n,
        consumer_events_per_second: round(real),
        noop_events_per_second: round(noop),
        emails_sent: sent,
        emails_per_second: round(sent / drained),
      },
      ratios: [ratio('notification consumer events/s vs no-op handler', real, noop, 'events/s')],
    };
  } finally {
    await spec.sender.stop();
    await topic.remove();
    await db.notification.deleteMany({ where: { user_id: { in: ids } } });
    await db.user.deleteMany({ where: { id: { in: ids } } });
    const mailpit = ctx.config.mail.mailpitApiUrl;
    if (mailpit)
      await fetch(`${mailpit}/api/v1/search?query=${encodeURIComponent(`to:"bench-${run}-"`)}`, {
        method: 'DELETE',
      }).catch(() => undefined);
  }
}
