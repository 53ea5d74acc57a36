/**
 * The dead-letter topic, for operators:
 *
 *   npm run dlq -- list [--consumer <name>] [--json]   every parked entry: id, consumer, type, error, attempts, when, replayed
 *   npm run dlq -- replay <id> [<id>...]               re-drive entries through their consumer's handler
 *   npm run dlq -- replay --all [--consumer <name>]    every entry not yet replayed
 *
 * A replay runs the consumer's own handler here (platform/kafka/dead-letter-replay.ts says why),
 * once per entry: a replayed entry is recorded and skipped by later replays; a failed one stays.
 * Exits 1 if any replay failed.
 */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { readDeadLetters, type DeadLetter } from '../platform/kafka/dead-letter';
import { replayedAt, replayEntries } from '../platform/kafka/dead-letter-replay';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { REGISTERED_CONSUMERS } from '../workers/consumer-registry';

const args = process.argv.slice(2);
const [command, ...rest] = args;
const option = (name: string) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
const usage = 'usage: npm run dlq -- list [--consumer <name>] [--json] | replay <id>...|--all [--consumer <name>]';

const config = getConfig();
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'dlq');
const deps = createDeps(config);

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function table(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

async function list(entries: DeadLetter[]) {
  const replayed = await replayedAt(
    deps.redis,
    entries.map((e) => e.id),
  );
  if (args.includes('--json')) {
    console.log(JSON.stringify(entries.map((e) => ({ ...e, replayed_at: replayed.get(e.id) ?? null }))));
    return;
  }
  if (entries.length === 0) return console.log('the dead-letter topic is empty');
  table([
    ['id', 'consumer', 'type', 'reason', 'attempts', 'parked at', 'replayed at', 'error'],
    ...entries.map((e) => [
      e.id,
      e.consumer,
      e.event_type ?? '-',
      e.reason,
      String(e.attempts),
      e.parked_at,
      replayed.get(e.id) ?? '-',
      short(e.error.message.replace(/\s+/g, ' '), 100),
    ]),
  ]);
}

async function replay(entries: DeadLetter[]) {
  const ids = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--consumer');
  const chosen = args.includes('--all') ? entries : entries.filter((e) => ids.includes(e.id));
  const missing = ids.filter((id) => !entries.some((e) => e.id === id));
  if (missing.length > 0) throw new Error(`no dead-letter entry with id ${missing.join(', ')}`);
  if (chosen.length === 0) throw new Error(usage);
  const services = createServices(deps, logger);
  const specs = REGISTERED_CONSUMERS.map((c) => c.create(services, logger));
  const results = await replayEntries(deps.redis, chosen, specs, logger);
  table([['id', 'consumer', 'outcome', 'error'], ...results.map((r) => [r.id, r.consumer, r.outcome, r.error ?? ''])]);
  if (results.some((r) => r.outcome === 'failed' || r.outcome === 'unknown_consumer')) process.exitCode = 1;
}

try {
  if (command !== 'list' && command !== 'replay') throw new Error(usage);
  const consumer = option('--consumer');
  const entries = (await readDeadLetters(deps.kafka)).filter((e) => !consumer || e.consumer === consumer);
  await (command === 'list' ? list(entries) : replay(entries));
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await closeDeps(deps);
}
