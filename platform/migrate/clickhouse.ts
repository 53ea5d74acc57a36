/**
 * Applies services/analytics/clickhouse/*.sql in order, recording each in schema_migrations.
 * ClickHouse takes one statement per request, so files are split on statement-ending semicolons.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';

export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}

const sqlFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();

/** The files migrateClickHouse would apply, without creating the database or the bookkeeping table. */
export async function pendingClickHouse(url: string, database: string, dir: string): Promise<string[]> {
  const client = createClient({ url, request_timeout: 30000 });
  try {
    // A plain identifier (platform/config.ts); this server is too old for query parameters.
    const tables = await client.query({
      query: `SELECT name FROM system.tables WHERE database = '${database}' AND name = 'schema_migrations'`,
      format: 'JSONEachRow',
    });
    const recorded = (await tables.json<{ name: string }>()).length > 0;
    const applied = new Set<string>();
    if (recorded) {
      const rs = await client.query({ query: `SELECT name FROM ${database}.schema_migrations`, format: 'JSONEachRow' });
      for (const r of await rs.json<{ name: string }>()) applied.add(r.name);
    }
    return (await sqlFiles(dir)).filter((f) => !applied.has(f));
  } finally {
    await client.close();
  }
}

export async function migrateClickHouse(url: string, database: string, dir: string): Promise<string[]> {
  const client = createClient({ url, request_timeout: 30000 });
  try {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (name String, applied_at DateTime DEFAULT now())
              ENGINE = MergeTree() ORDER BY name`,
    });
    const rs = await client.query({ query: `SELECT name FROM ${database}.schema_migrations`, format: 'JSONEachRow' });
    const applied = new Set((await rs.json<{ name: string }>()).map((r) => r.name));
    const files = await sqlFiles(dir);
    const done: string[] = [];
    for (const file of files) {
      if (applied.has(file)) continue;
      const sql = (await readFile(path.join(dir, file), 'utf8')).replaceAll('{database}', database);
      for (const statement of splitStatements(sql)) await client.command({ query: statement });
      await client.insert({ table: `${database}.schema_migrations`, values: [{ name: file }], format: 'JSONEachRow' });
      done.push(file);
    }
    return done;
  } finally {
    await client.close();
  }
}
