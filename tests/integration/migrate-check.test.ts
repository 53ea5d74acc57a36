/**
 * `scripts/migrate.ts --check / --wait`, the start gate of every k8s Deployment (its
 * initContainer): against the stack, each store says what a migration run would do without doing
 * it, and `--wait` returns once the run has happened. Scratch ClickHouse databases and copies of
 * prisma/migrations stand in for a store behind the code; the stack's own stores are only read.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import pg from 'pg';
import { createKafka } from '../../platform/clients/kafka';
import { createElasticsearch } from '../../platform/clients/elasticsearch';
import { getConfig } from '../../platform/config';
import { migrateClickHouse, pendingClickHouse } from '../../platform/migrate/clickhouse';
import { pendingKafka } from '../../platform/migrate/kafka';
import { EditedMigrationError, pendingPostgres } from '../../platform/migrate/postgres';
import { pendingElasticsearch } from '../../services/search/migrate';
import { CLICKHOUSE_MIGRATIONS, POSTGRES_MIGRATIONS } from '../../scripts/lib/migrations';
import { unique } from '../support/deps';

const config = getConfig();
const clickhouseFiles = readdirSync(CLICKHOUSE_MIGRATIONS).filter((f) => f.endsWith('.sql'));
const scratchDatabase = () => unique('pasar_check').replace(/-/g, '_');

/** Runs scripts/migrate.ts with the given arguments and settings; its exit code and output. */
function migrate(args: string[], env: Record<string, string> = {}) {
  const child = spawn('npx', ['tsx', 'scripts/migrate.ts', ...args], { env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (b) => (output += b));
  child.stderr.on('data', (b) => (output += b));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
}

describe('migrate --check and --wait: what a run would do, doing none of it', () => {
  const scratch: string[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    const client = createClient({ url: config.clickhouse.url });
    for (const db of scratch) await client.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    await client.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('Postgres: nothing pending on the migrated stack; a new migration file is; an edited applied one is refused', async () => {
    expect(await pendingPostgres(config.postgres.url, POSTGRES_MIGRATIONS)).toEqual([]);
    const copy = mkdtempSync(path.join(tmpdir(), 'pasar-migrations-'));
    dirs.push(copy);
    cpSync(POSTGRES_MIGRATIONS, copy, { recursive: true });
    mkdirSync(path.join(copy, '99991231000000_next'));
    writeFileSync(path.join(copy, '99991231000000_next', 'migration.sql'), 'SELECT 1;');
    expect(await pendingPostgres(config.postgres.url, copy)).toEqual(['99991231000000_next']);
    const first = readdirSync(copy).sort()[0]!;
    writeFileSync(path.join(copy, first, 'migration.sql'), '-- edited\nSELECT 1;');
    await expect(pendingPostgres(config.postgres.url, copy)).rejects.toBeInstanceOf(EditedMigrationError);
  });

  it('Postgres: a database never migrated has every migration pending, and is left without a bookkeeping table', async () => {
    const url = new URL(config.postgres.url);
    url.pathname = '/postgres';
    const all = readdirSync(POSTGRES_MIGRATIONS, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect((await pendingPostgres(url.toString(), POSTGRES_MIGRATIONS)).length).toBe(all.length);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client.query(`SELECT to_regclass('"_prisma_migrations"') AS t`);
    await client.end();
    expect(rows).toEqual([{ t: null }]);
  });

  it('ClickHouse: every file pending in a database that does not exist (which the check does not create), none after a run', async () => {
    const db = scratchDatabase();
    scratch.push(db);
    expect(await pendingClickHouse(config.clickhouse.url, db, CLICKHOUSE_MIGRATIONS)).toEqual(clickhouseFiles.sort());
    const client = createClient({ url: config.clickhouse.url });
    const exists = await client.query({
      query: `SELECT name FROM system.databases WHERE name = '${db}'`,
      format: 'JSONEachRow',
    });
    expect(await exists.json()).toEqual([]);
    await client.close();
    await migrateClickHouse(config.clickhouse.url, db, CLICKHOUSE_MIGRATIONS);
    expect(await pendingClickHouse(config.clickhouse.url, db, CLICKHOUSE_MIGRATIONS)).toEqual([]);
  });

  it('Kafka and Elasticsearch: nothing pending on the migrated stack', async () => {
    expect(await pendingKafka(createKafka(config.kafka.brokers, config.kafka.clientId, 5000))).toEqual([]);
    const es = createElasticsearch(config.elasticsearch.url, 5000);
    await expect(pendingElasticsearch(es)).resolves.toEqual([]);
    await es.close();
  });

  it('--check exits 2 while a store is behind, naming what is pending, and 0 when the stores it is asked about are up to date', async () => {
    const behind = await migrate(['--check', '--only=clickhouse'], { CLICKHOUSE_DATABASE: scratchDatabase() });
    expect([behind.code, behind.output]).toEqual([2, expect.stringContaining(`pending ${clickhouseFiles[0]}`)]);
    const current = await migrate(['--check', '--only=postgres,kafka']);
    expect([current.code, current.output]).toEqual([
      0,
      expect.stringMatching(/postgres: up to date[\s\S]*kafka: up to date/),
    ]);
  });

  it('--wait holds until a run has brought the store up to date, then exits 0', async () => {
    const db = scratchDatabase();
    scratch.push(db);
    const waiting = migrate(['--wait', '--timeout=60', '--only=clickhouse'], { CLICKHOUSE_DATABASE: db });
    const settled = jest.fn();
    void waiting.then(settled);
    await new Promise((r) => setTimeout(r, 4000));
    expect(settled).not.toHaveBeenCalled();
    await migrateClickHouse(config.clickhouse.url, db, CLICKHOUSE_MIGRATIONS);
    const { code, output } = await waiting;
    expect([code, output]).toEqual([
      0,
      expect.stringMatching(/waiting for clickhouse: pending[\s\S]*clickhouse: up to date/),
    ]);
  }, 90_000);
});
