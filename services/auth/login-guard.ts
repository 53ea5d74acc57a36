/**
 * Brute-force guards around password login, beyond the per-(address, email) rate limit:
 * - per account: N failed logins of one email from ANY address lock its password login for a
 *   while (a botnet rotating addresses gets N guesses, not N per address);
 * - per address: M failed logins from one address across all emails (password spraying).
 * Unknown emails are counted and locked exactly like real ones, so a lock reveals nothing.
 * Unlock: the lock expires by itself (LOGIN_LOCK_SECONDS), and a successful password reset
 * clears it at once, so the owner is never locked out by someone else for longer than that.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import { authKeys, emailKey } from './keys';

type Limits = Config['rateLimits'];

const locked = (seconds: number, message: string) =>
  new AppError('rate_limited', message, { retry_after_seconds: Math.max(1, seconds) });

export function createLoginGuard(redis: Redis, limits: Limits) {
  /** Refuses before the password is even checked; throws 429 with Retry-After. */
  async function assertAllowed(email: string, address: string): Promise<void> {
    const addressKey = authKeys.loginAddressFailures(address);
    const res =
      (await redis
        .multi()
        .get(addressKey)
        .ttl(addressKey)
        .ttl(authKeys.loginLock(emailKey(email)))
        .exec()) ?? [];
    const [failures, addressTtl, lockTtl] = res.map(([, value]) => Number(value ?? 0));
    if (failures! >= limits.loginAddressFailures) {
      throw locked(addressTtl!, 'too many failed logins from this address; try again later');
    }
    if (lockTtl! > 0) {
      throw locked(lockTtl!, 'too many failed logins for this account; try again later or reset the password');
    }
  }

  async function recordFailure(email: string, address: string): Promise<void> {
    const failuresKey = authKeys.loginFailures(emailKey(email));
    const addressKey = authKeys.loginAddressFailures(address);
    const res = await redis
      .multi()
      .incr(failuresKey)
      .expire(failuresKey, limits.windowSeconds, 'NX')
      .incr(addressKey)
      .expire(addressKey, limits.windowSeconds, 'NX')
      .exec();
    if (Number(res?.[0]?.[1]) >= limits.loginAccountFailures) {
      await redis
        .multi()
        .set(authKeys.loginLock(emailKey(email)), '1', 'EX', limits.loginLockSeconds)
        .del(failuresKey)
        .exec();
    }
  }

  return {
    assertAllowed,

    /** Runs a login behind the guards; a wrong password counts toward both limits. */
    async attempt<T>(email: string, address: string, login: () => Promise<T>): Promise<T> {
      await assertAllowed(email, address);
      try {
        const result = await login();
        // The owner got in: earlier typos should not add up toward a lock.
        await redis.del(authKeys.loginFailures(emailKey(email)));
        return result;
      } catch (err) {
        if (err instanceof AppError && err.code === 'unauthorized') await recordFailure(email, address);
        throw err;
      }
    },

    /** The safe unlock path: called after the owner proved control of the mailbox (password reset). */
    async unlock(email: string): Promise<void> {
      await redis.del(authKeys.loginLock(emailKey(email)), authKeys.loginFailures(emailKey(email)));
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
