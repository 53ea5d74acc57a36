/**
 * An account's daily budgets for one-time codes: how many codes it may be sent and how many
 * guesses it may make in any 24 hours, across every code. The one home of that rule, for the
 * password-reset codes and the email/phone verification codes alike.
 *
 * Each code keeps its own 5 guesses (services/auth/otp.ts), which a new code starts afresh, so
 * asking for codes over and over would buy guesses without end: the daily guess budget is what
 * bounds an attacker (N guesses a day at a 6-digit code: at most N / 10^6 a day), and the daily
 * code budget bounds the mail and SMS a caller can make the shop send. Both are sliding windows
 * (rate-limiter `take`): a refused call spends nothing, and its Retry-After is when the oldest
 * call leaves the window.
 */
import { AppError } from '../../platform/errors';
import type { RateLimiter } from '../../platform/rate-limiter';

const DAY_SECONDS = 24 * 3600;

export interface CodeBudget {
  codesPerDay: number;
  guessesPerDay: number;
}

/**
 * `kind` names the Redis windows (`<kind>_codes_day`, `<kind>_guesses_day`), `what` the codes in
 * the 429's message ("too many reset codes for this account today").
 */
export function codeBudgets(limiter: Pick<RateLimiter, 'take'>, kind: string, what: string, budget: CodeBudget) {
  const codes = { name: `${kind}_codes_day`, limit: budget.codesPerDay, windowSeconds: DAY_SECONDS };
  const guesses = { name: `${kind}_guesses_day`, limit: budget.guessesPerDay, windowSeconds: DAY_SECONDS };
  return {
    /** Spends one of `account`'s codes for the day before a code is sent; 429 when none is left. */
    async sendCode(account: string): Promise<void> {
      await limiter.take(codes, account, `too many ${what} codes for this account today`);
    },

    /**
     * Spends one of `account`'s guesses for the day, whichever code it is made against, then runs
     * `check`. A guess the code's own limit refuses (429) is given back: it was never made.
     */
    async guess<T>(account: string, check: () => Promise<T>): Promise<T> {
      const taken = await limiter.take(
        guesses,
        account,
        `too many ${what} code attempts for this account today; try again later`,
      );
      try {
        return await check();
      } catch (err) {
        if (err instanceof AppError && err.code === 'rate_limited') await taken.giveBack();
        throw err;
      }
    },
  };
}
