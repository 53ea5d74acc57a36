/**
 * One-time codes: 6 digits, valid 5 minutes, at most 5 guesses per code (in 15 minutes); a new code
 * starts its own 5, and the account's daily budgets (services/auth/code-budgets.ts, applied by the
 * routes) bound how many codes and guesses it gets in any 24 hours. Only the code's
 * hash is kept in Redis; the code itself reaches the user through a notification, never the API:
 * an email code is a pending email row that the notification sender delivers (an SMS code waits
 * as a row until an SMS channel exists).
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../../platform/errors';
import { codeMessage } from '../notifications/messages';
import { emailOf, type NotificationStore } from '../notifications/store';
import { authKeys, OTP_ATTEMPT_WINDOW_SECONDS, OTP_MAX_ATTEMPTS, OTP_TTL_SECONDS } from './keys';

export type OtpType = 'email' | 'phone' | 'password_reset';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The one answer to a wrong, expired or never-sent code (and to an unknown email). */
export const wrongCode = () =>
  new AppError('validation_failed', 'the code is wrong or has expired', [
    { field: 'code', message: 'wrong or expired code' },
  ]);

export function createOtpService(redis: Redis, notifications: NotificationStore) {
  /**
   * Counts one guess against `attemptsKey` (a 15-minute window); past the limit, 429 with
   * Retry-After. Reset codes count per email (services/auth/store.ts), verification codes per user.
   */
  async function countGuess(attemptsKey: string): Promise<void> {
    const [[, attempts] = [null, 0], , [, ttl] = [null, 0]] = (await redis
      .multi()
      .incr(attemptsKey)
      .expire(attemptsKey, OTP_ATTEMPT_WINDOW_SECONDS, 'NX')
      .ttl(attemptsKey)
      .exec()) as [null, number][];
    if (attempts > OTP_MAX_ATTEMPTS) {
      throw new AppError('rate_limited', 'too many code attempts; request a new code or try again later', {
        retry_after_seconds: Math.max(1, ttl),
      });
    }
  }

  /** Checks a code without counting the guess; a right code is used up. */
  async function check(userId: string, type: OtpType, code: string): Promise<void> {
    const stored = await redis.get(authKeys.otp(userId, type));
    const matches = stored !== null && timingSafeEqual(Buffer.from(stored), Buffer.from(sha256(code)));
    if (!matches) throw wrongCode();
    await redis.del(authKeys.otp(userId, type));
  }

  return {
    countGuess,
    check,

    /** Starts a fresh guess budget (a new code was requested). */
    async clearGuesses(attemptsKey: string): Promise<void> {
      await redis.del(attemptsKey);
    },

    /**
     * Creates a fresh code (replacing any pending one) with 5 guesses of its own, and queues it for
     * delivery. (A reset code's guesses count per email: the auth store starts those afresh.)
     */
    async send(userId: string, type: OtpType, recipient: string): Promise<void> {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await redis.set(authKeys.otp(userId, type), sha256(code), 'EX', OTP_TTL_SECONDS);
      if (type !== 'password_reset') await redis.del(authKeys.otpAttempts(userId, type));
      const row = emailOf(codeMessage(type, code), { user_id: userId, type: 'otp', recipient });
      await notifications.enqueue(type === 'phone' ? { ...row, channel: 'sms', html: undefined } : row);
    },

    /** Checks a verification code; every guess counts toward the per-user attempt limit. */
    async verify(userId: string, type: OtpType, code: string): Promise<void> {
      const attemptsKey = authKeys.otpAttempts(userId, type);
      await countGuess(attemptsKey);
      await check(userId, type, code);
      await redis.del(attemptsKey);
    },
  };
}

export type OtpService = ReturnType<typeof createOtpService>;
