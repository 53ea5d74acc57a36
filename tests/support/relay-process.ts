/**
 * An outbox relay in a child process, so a test can SIGKILL it like a crash would:
 * `node --import tsx tests/support/relay-process.ts <lockKey> <topic>`. Logs `outbox relay active`.
 */
import { createKafka } from '../../platform/clients/kafka';
import { getConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { createOutboxRelay } from '../../platform/outbox/relay';

const [lockKey, topic] = process.argv.slice(2);
const config = getConfig();
const kafka = createKafka(config.kafka.brokers, config.kafka.clientId, config.dependencyTimeoutMs);
const relay = createOutboxRelay(config.postgres.url, kafka, createLogger('info', 'relay-process'), {
  lockKey: Number(lockKey),
  topics: [topic!],
  standbyPollMs: 200,
});
await relay.start();
