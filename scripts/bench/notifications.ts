/**
 * `npm run bench:notifications -- [--events 5000]`: the notification consumer through the real
 * runtime, Postgres, and Mailpit over SMTP. Makes N shoppers (profiles through the user service's
 * own function), starts the consumer on a fresh 6-partition topic and lets it catch up, then
 * produces a burst of N `user.registered` events and prints:
 * - consumer events/s and the lag recovery time (burst sent → every event handled, rows written);
 * - the sender's drain: every welcome email handed to Mailpit, in mails/s, after the burst.
 * Afterwards it deletes its shoppers, their rows and their emails (Mailpit's search delete).
 */
import { randomUUID } from 'node:crypto';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps } from '../../platform/deps';
import type { EventEnvelope } from '../../platform/events';
import { runConsumer } from '../../platform/kafka/consumer';
import { benchEvent } from './lib/events';
import { createLogger } from '../../platform/logger';
import { createNotificationConsumer } from '../../services/notifications/consumer';
import { createProfile } from '../../services/users/store';

const args = process.argv.slice(2);
const EVENTS = args.includes('--events') ? Number(args[args.indexOf('--events') + 1]) : 5000;
const PARTITIONS = 6;
const DOMAIN = 'bench.pasar.local';

const seconds = (from: number) => (performance.now() - from) / 1000;

async function main() {
  const config = getConfig();
  const deps = createDeps(config);
  const logger = createLogger('warn', 'bench');
  const run = randomUUID().slice(0, 8);
  const users = Array.from({ length: EVENTS }, (_, i) => ({
    id: randomUUID(),
    email: `bench-${run}-${i}@${DOMAIN}`,
    first_name: 'Budi',
    last_name: 'Santoso',
    phone: '+6281200000000',
  }));
  const topic = `bench.notifications.${run}`;
  const admin = deps.kafka.admin();
  const producer = deps.kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  const spec = createNotificationConsumer(deps, logger);
  let running: ReturnType<typeof runConsumer> | undefined;
  try {
    for (let i = 0; i < users.length; i += 500)
      await deps.db.$transaction(async (tx) => {
        for (const u of users.slice(i, i + 500)) await createProfile(tx, u);
      });
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    let handled = 0;
    running = runConsumer(
      deps.kafka,
      {
        ...spec,
        topics: [{ name: topic, partitions: PARTITIONS, carries: 'user.registered' }],
        handle: async (e, ctx) => {
          await spec.handle(e, ctx);
          handled += 1;
        },
      },
      { logger, groupId: `bench-${run}` },
    );
    while (running.state() !== 'running') await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000)); // partitions assigned: the consumer is caught up (lag 0)

    const events: EventEnvelope[] = users.map((u) =>
      benchEvent('user.registered', u.id, {
        user_id: u.id,
        email: u.email,
        first_name: u.first_name,
        last_name: u.last_name,
        phone: u.phone,
      }),
    );
    const burst = performance.now();
    for (let i = 0; i < events.length; i += 500)
      await producer.send({
        topic,
        messages: events
          .slice(i, i + 500)
          .map((e) => ({ key: e.aggregate_id, value: JSON.stringify(e), headers: { event_type: e.type } })),
      });
    const produced = seconds(burst);
    while (handled < events.length) await new Promise((r) => setTimeout(r, 20));
    const caughtUp = seconds(burst);
    const ids = users.map((u) => u.id);
    const pending = () =>
      deps.db.notification.count({ where: { user_id: { in: ids }, status: 'pending' } }).then(Number);
    while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 100));
    const drained = seconds(burst);
    const sent = await deps.db.notification.count({ where: { user_id: { in: ids }, status: 'sent' } });

    console.log(
      `burst of ${EVENTS} user.registered on ${PARTITIONS} partitions (produced in ${produced.toFixed(2)} s)`,
    );
    console.log(
      `consumer: ${Math.round(EVENTS / caughtUp)} events/s; lag recovery ${caughtUp.toFixed(2)} s after the burst began`,
    );
    console.log(
      `sender:   ${sent} emails in Mailpit ${drained.toFixed(2)} s after the burst began (${Math.round(sent / drained)} mails/s)`,
    );
  } finally {
    await running?.stop();
    await spec.sender.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    const ids = users.map((u) => u.id);
    await deps.db.notification.deleteMany({ where: { user_id: { in: ids } } });
    await deps.db.user.deleteMany({ where: { id: { in: ids } } });
    if (config.mail.mailpitApiUrl)
      await fetch(`${config.mail.mailpitApiUrl}/api/v1/search?query=${encodeURIComponent(`to:"bench-${run}-"`)}`, {
        method: 'DELETE',
      }).catch(() => undefined);
    await Promise.all([producer.disconnect(), admin.disconnect()]);
    await closeDeps(deps);
  }
}

await main();
