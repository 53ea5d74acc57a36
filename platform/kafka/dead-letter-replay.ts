/**
 * Re-drives parked events: the entry's original value goes through its consumer's own handler
 * (the same decode → validate → handle path as the runtime, delivery.ts), in the process that
 * asks. Why not republish to the original topic: every other group on that topic would receive
 * the copy too, and the operator would learn the outcome only by watching the dead-letter topic
 * again; a direct call touches only the consumer the entry names and answers at once.
 *
 * Once only: a replay claims the entry in Redis (`dlq:replaying:{id}`, NX, so two operators
 * cannot run it at once), and records `dlq:replayed:{id}` only after the handler succeeded, so
 * `--all` never runs an entry twice and a replay that failed can be tried again after a fix.
 * Handlers are idempotent anyway, so even a lost record would change nothing twice.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { ConsumerSpec } from './consumer-spec';
import { originalValue, type DeadLetter } from './dead-letter';
import { DEFAULT_RETRY, deliver } from './delivery';

/** Kept well past the dead-letter topic's retention, so a replayed entry never looks new. */
const REPLAYED_TTL_SECONDS = 90 * 24 * 3600;
const CLAIM_TTL_SECONDS = 300;

export const replayKeys = {
  replayed: (id: string) => `dlq:replayed:${id}`,
  claim: (id: string) => `dlq:replaying:${id}`,
};

export type ReplayOutcome = 'replayed' | 'skipped' | 'already_replayed' | 'in_progress' | 'failed' | 'unknown_consumer';

export interface ReplayResult {
  id: string;
  consumer: string;
  outcome: ReplayOutcome;
  error?: string;
}

/** When each entry was replayed (absent: never). */
export async function replayedAt(redis: Redis, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const values = await redis.mget(ids.map(replayKeys.replayed));
  return new Map(ids.flatMap((id, i) => (values[i] ? [[id, values[i]!] as [string, string]] : [])));
}

/** Replays one entry through its consumer, once. */
export async function replayEntry(
  redis: Redis,
  entry: DeadLetter,
  specs: ConsumerSpec[],
  logger: Logger,
): Promise<ReplayResult> {
  const base = { id: entry.id, consumer: entry.consumer };
  const spec = specs.find((s) => s.name === entry.consumer);
  if (!spec) return { ...base, outcome: 'unknown_consumer', error: `no consumer named ${entry.consumer} here` };
  if (await redis.exists(replayKeys.replayed(entry.id))) return { ...base, outcome: 'already_replayed' };
  if (!(await redis.set(replayKeys.claim(entry.id), '1', 'EX', CLAIM_TTL_SECONDS, 'NX')))
    return { ...base, outcome: 'in_progress' };
  try {
    const { topic, partition, offset, headers } = entry.original;
    const outcome = await deliver(
      spec,
      originalValue(entry),
      { topic, partition, offset, headers: { ...headers, dlq_replay_of: entry.id } },
      { logger, retry: DEFAULT_RETRY },
    );
    if (outcome.kind === 'park') {
      const err = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      return { ...base, outcome: 'failed', error: err };
    }
    await redis.set(replayKeys.replayed(entry.id), new Date().toISOString(), 'EX', REPLAYED_TTL_SECONDS);
    return { ...base, outcome: outcome.kind === 'handled' ? 'replayed' : 'skipped' };
  } finally {
    await redis.del(replayKeys.claim(entry.id));
  }
}

/** Replays the given entries one after another (in the order they were parked). */
export async function replayEntries(redis: Redis, entries: DeadLetter[], specs: ConsumerSpec[], logger: Logger) {
  const results: ReplayResult[] = [];
  for (const entry of entries) results.push(await replayEntry(redis, entry, specs, logger));
  return results;
}
