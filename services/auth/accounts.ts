/**
 * An account's standing: its status, its role and its session version, the one home of every
 * change that must end the account's sessions (disable, enable, role change, password reset).
 * Each such change bumps `session_version` in Postgres; tokens carry the version they were issued
 * at (`sv`), and the auth guard refuses a token whose account is gone, disabled, or at another
 * version (services/auth/tokens.ts).
 *
 * The request path reads the standing from Redis (`account:<user id>`, fetched in the same MGET as
 * the revocation keys, so it costs no extra round trip), filling it from Postgres on a miss. A
 * change writes Postgres first, then overwrites the Redis entry. Every write of the entry, a
 * change's or a reader's fill, replaces it only with a version at least as new (a Lua
 * compare-and-set), and versions only grow, so a reader that read Postgres just before a change
 * committed, or two changes reaching Redis out of order, cannot leave an older standing behind.
 * Login and refresh read Postgres and rewrite the entry, so even a change made by hand in SQL
 * (no version bump) is seen by refresh at once and by access tokens at the next login or refresh.
 * If Redis fails after the commit, the operator's call fails and can be repeated (each change is
 * idempotent and republishes); until then the stale entry lives at most its TTL, the access-token
 * lifetime, which is the worst case for any token issued before the change.
 */
import type { Redis } from 'ioredis';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import type { Role } from './tokens';

export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export interface AccountStanding {
  userId: string;
  /** Anything but `active` (a status set by hand in SQL included) signs nothing in. */
  status: string;
  role: Role;
  version: number;
}

/** The version a token without `sv` counts as: every account's version when the column was added. */
export const INITIAL_SESSION_VERSION = 1;

/** Redis key of an account's cached standing: `<version>:<status>:<role>`. */
export const accountKey = (userId: string) => `account:${userId}`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeStanding = (a: AccountStanding) => `${a.version}:${a.status}:${a.role}`;

/** The cached form back; undefined if it is not one (then Postgres is asked). */
export function decodeStanding(userId: string, raw: string): AccountStanding | undefined {
  const [version, status, role] = raw.split(':');
  const v = Number(version);
  if (!Number.isInteger(v) || !status || !role) return undefined;
  return { userId, status, role: role as Role, version: v };
}

/** Why a token of this account at version `sv` with role `role` must be refused; undefined if it may pass. */
export function refusal(account: AccountStanding | undefined, sv: number, role: string): string | undefined {
  if (!account) return 'no account for this token';
  if (account.status !== 'active') return 'account is disabled';
  if (account.version !== sv || account.role !== role) return 'session has ended; log in again';
  return undefined;
}

// Replaces the entry unless it already holds a newer version (KEYS[1]; ARGV: version, value, ttl).
const PUBLISH_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+):'))
  if v and v > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

interface CredentialRow {
  user_id: string;
  status: string;
  role: string;
  session_version: number;
}

const standingOf = (c: CredentialRow): AccountStanding => ({
  userId: c.user_id,
  status: c.status,
  role: c.role as Role,
  version: c.session_version,
});

const SELECT = { user_id: true, status: true, role: true, session_version: true } as const;

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

// Serializes the changes that could leave no active admin (two admins disabling each other).
const ADMIN_LOCK = 72711;

export function createAccounts(db: Db, redis: Redis, cacheTtlSeconds: number) {
  /** Overwrites the cached standing unless Redis already holds a newer one. */
  async function publish(a: AccountStanding): Promise<void> {
    await redis.eval(PUBLISH_SCRIPT, 1, accountKey(a.userId), String(a.version), encodeStanding(a), cacheTtlSeconds);
  }

  /** Postgres's answer, also written to the cache (never over a newer version). */
  async function load(userId: string): Promise<AccountStanding | undefined> {
    if (!UUID_RE.test(userId)) return undefined;
    const row = await db.credential.findUnique({ where: { user_id: userId }, select: SELECT });
    if (!row) return undefined;
    const a = standingOf(row);
    await publish(a);
    return a;
  }

  /** Refuses a change that would leave the shop without an active admin. */
  async function keepAnAdmin(tx: Tx, userId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_LOCK})`;
    const others = await tx.credential.count({
      where: { role: 'admin', status: 'active', user_id: { not: userId } },
    });
    if (others === 0) throw new AppError('conflict', 'the last active admin cannot be disabled or demoted');
  }

  /**
   * Applies `change` to the account and bumps its session version, in one transaction, then
   * publishes the new standing. `apply` returns the data to write, or undefined when the account
   * already is as asked (nothing is written or bumped: the call is idempotent).
   */
  async function change(
    userId: string,
    apply: (
      tx: Tx,
      current: CredentialRow,
    ) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined,
    after?: (tx: Tx, updated: AccountStanding) => Promise<unknown>,
  ): Promise<{ account: AccountStanding; changed: boolean } | undefined> {
    if (!UUID_RE.test(userId)) return undefined;
    const result = await db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<CredentialRow[]>`
        SELECT user_id::text, status, role, session_version FROM auth.credentials
         WHERE user_id = ${userId}::uuid FOR UPDATE`;
      if (!row) return undefined;
      const data = await apply(tx, row);
      if (!data) return { account: standingOf(row), changed: false };
      const updated = standingOf(
        await tx.credential.update({
          where: { user_id: userId },
          data: { ...data, session_version: { increment: 1 } },
          select: SELECT,
        }),
      );
      await after?.(tx, updated);
      return { account: updated, changed: true };
    });
    // Republished even when nothing changed: repeating a call whose Redis write failed repairs it.
    if (result) await publish(result.account);
    return result;
  }

  return {
    /** Postgres's standing (login and every refresh read it), rewritten to the cache. */
    load,
    /** Decodes a cached entry read elsewhere (the guard's MGET), or asks Postgres. */
    async fromCache(userId: string, raw: string | null | undefined): Promise<AccountStanding | undefined> {
      return (raw && decodeStanding(userId, raw)) || load(userId);
    },

    /**
     * An operator disables or enables an account; either ends its sessions. `user.status_changed`
     * (with who did it) goes to the outbox in the same transaction: the audit record. An operator
     * cannot disable their own account, nor the last active admin.
     */
    async setStatus(userId: string, status: AccountStatus, actorId: string) {
      if (status === 'disabled' && userId === actorId)
        throw new AppError('conflict', 'you cannot disable your own account');
      const result = await change(
        userId,
        async (tx, row) => {
          if (row.status === status) return undefined;
          if (status === 'disabled' && row.role === 'admin') await keepAnAdmin(tx, userId);
          return { status };
        },
        (tx) =>
          enqueueEvent(tx, {
            topic: TOPICS.users,
            type: 'user.status_changed',
            aggregateId: userId,
            data: { user_id: userId, status, changed_by: actorId },
          }),
      );
      if (!result) throw new AppError('not_found', 'user not found');
      return result;
    },

    /** Gives the account another role; its sessions end, so the next login carries the new one. */
    async setRole(userId: string, role: Role) {
      const result = await change(userId, async (tx, row) => {
        if (row.role === role) return undefined;
        if (row.role === 'admin' && row.status === 'active') await keepAnAdmin(tx, userId);
        return { role };
      });
      if (!result) throw new AppError('not_found', 'user not found');
      return result;
    },

    /** Sets a new password hash and ends every session (the password reset). */
    async setPassword(userId: string, passwordHash: string): Promise<void> {
      await change(userId, () => ({ password_hash: passwordHash }));
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
