/** Prisma Client over node-postgres (Prisma 7's driver adapter: no Rust engine). */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';

export type Db = PrismaClient;

/** Opens a pooled Prisma client; connections fail fast instead of hanging when Postgres is down. */
export function createPrisma(url: string, timeoutMs: number): Db {
  const adapter = new PrismaPg({ connectionString: url, connectionTimeoutMillis: timeoutMs, max: 20 });
  // Under a burst (a flash sale), transactions queue for a pooled connection and for row locks;
  // Prisma's defaults (2 s wait, 5 s run) would turn that queue into errors.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}
