/**
 * `npm run migrate`: brings every store to the code's schema, idempotently:
 * Postgres (prisma/migrations), ClickHouse (services/analytics/clickhouse), the Elasticsearch
 * products index, and the Kafka topics. Each step names its component if it fails.
 *
 *   --only=postgres,kafka  those stores only (names as in scripts/lib/migrations.ts)
 *   --check                applies nothing: prints what a run would do; exit 0 when nothing is
 *                          pending, 2 when something is, 1 when a store cannot be checked
 *   --wait [--timeout=600] applies nothing: checks every 5 s until nothing is pending (exit 0),
 *                          gives up after the timeout in seconds (exit 1). An unreachable store
 *                          is waited for; an applied migration edited since is refused at once.
 *
 * On Kubernetes the pasar-migrate Job (k8s/migrate-job.yaml) applies; every Deployment's
 * initContainer runs `--wait` for the stores its readiness checks, so a pod of a new image does
 * not serve until the Job has brought those stores to its schema.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { getConfig } from '../platform/config';
import { EditedMigrationError } from '../platform/migrate/postgres';
import { parseStores, storeMigrations, type MigratedStore } from './lib/migrations';

const POLL_MS = 5000;

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    check: { type: 'boolean', default: false },
    wait: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '600' },
  },
  strict: true,
});
const stores = parseStores(args.only);
const migrations = storeMigrations(getConfig());

async function apply(): Promise<number> {
  for (const store of stores) {
    try {
      const done = await migrations[store].apply();
      console.log(`[migrate] ${store}: ${done.length ? done.join(', ') : 'up to date'}`);
    } catch (err) {
      console.error(`[migrate] ${store} FAILED: ${(err as Error).message} (is the stack up? npm run stack:status)`);
      return 1;
    }
  }
  return 0;
}

type Verdict = { store: MigratedStore } & (
  | { pending: string[] }
  | { error: Error } // could not be checked
);

async function check(): Promise<Verdict[]> {
  return Promise.all(
    stores.map(async (store): Promise<Verdict> => {
      try {
        return { store, pending: await migrations[store].pending() };
      } catch (err) {
        return { store, error: err as Error };
      }
    }),
  );
}

const summary = (v: Verdict) =>
  'error' in v
    ? `cannot check: ${v.error.message}`
    : v.pending.length
      ? `pending ${v.pending.join(', ')}`
      : 'up to date';

async function checkOnce(): Promise<number> {
  const verdicts = await check();
  for (const v of verdicts) console.log(`[migrate --check] ${v.store}: ${summary(v)}`);
  if (verdicts.some((v) => 'error' in v)) return 1;
  return verdicts.some((v) => 'pending' in v && v.pending.length > 0) ? 2 : 0;
}

async function waitUntilApplied(timeoutSeconds: number): Promise<number> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const verdicts = await check();
    const edited = verdicts.find((v) => 'error' in v && v.error instanceof EditedMigrationError);
    if (edited) {
      console.error(`[migrate --wait] ${edited.store}: ${summary(edited)}; waiting cannot fix that`);
      return 1;
    }
    const waitingFor = verdicts.filter((v) => 'error' in v || v.pending.length > 0);
    if (waitingFor.length === 0) {
      console.log(`[migrate --wait] ${stores.join(', ')}: up to date`);
      return 0;
    }
    const state = waitingFor.map((v) => `${v.store}: ${summary(v)}`).join('; ');
    if (state !== last) console.log(`[migrate --wait] waiting for ${state}`);
    last = state;
    if (Date.now() + POLL_MS > deadline) {
      console.error(`[migrate --wait] gave up after ${timeoutSeconds} s: ${state} (has the pasar-migrate Job run?)`);
      return 1;
    }
    await sleep(POLL_MS);
  }
}

const timeout = Number(args.timeout);
if (!Number.isInteger(timeout) || timeout <= 0)
  throw new Error(`--timeout: ${args.timeout} is not a number of seconds`);
if (args.check && args.wait) throw new Error('--check and --wait: one or the other');
process.exit(args.wait ? await waitUntilApplied(timeout) : args.check ? await checkOnce() : await apply());
