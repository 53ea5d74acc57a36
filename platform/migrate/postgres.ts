/**
 * Applies prisma/migrations with Prisma's own bookkeeping table (_prisma_migrations), so
 * `prisma migrate deploy` can take over wherever a schema engine exists. Prisma's CLI cannot
 * download its engine on these machines, hence this small runner. One advisory lock makes
 * concurrent runs safe; each migration runs in its own transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

const LOCK_ID = 72707; // any constant shared by every migrate run

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

const APPLIED =
  'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** Reads prisma/migrations/<name>/migration.sql in name order. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  entries.sort();
  return Promise.all(
    entries.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** An applied migration whose file changed since: no run, and no amount of waiting, fixes it. */
export class EditedMigrationError extends Error {
  constructor(name: string) {
    super(`migration ${name} was edited after it was applied`);
    this.name = 'EditedMigrationError';
  }
}

/**
 * The migrations migratePostgres would apply, without applying or creating anything (the pods'
 * start gate, `scripts/migrate.ts --wait`). Refuses, as migratePostgres does, if an applied one was edited.
 */
export async function pendingPostgres(url: string, dir: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows: table } = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
    );
    const { rows } = table[0]!.exists
      ? await client.query<{ migration_name: string; checksum: string }>(APPLIED)
      : { rows: [] };
    const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    const pending: string[] = [];
    for (const m of await readMigrations(dir)) {
      const previous = applied.get(m.name);
      if (previous === undefined) pending.push(m.name);
      else if (previous !== m.checksum) throw new EditedMigrationError(m.name);
    }
    return pending;
  } finally {
    await client.end();
  }
}

/** Applies every migration not yet recorded; refuses if an applied one was edited. Returns the names applied. */
export async function migratePostgres(url: string, dir: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(BOOKKEEPING);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(APPLIED);
    const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    const done: string[] = [];
    for (const m of await readMigrations(dir)) {
      const previous = applied.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) throw new EditedMigrationError(m.name);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      done.push(m.name);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
