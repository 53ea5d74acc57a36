/**
 * The auth service: registration (credentials + profile + `user.registered` in one
 * transaction), login, OTP verification and password reset. Neither registration nor reset
 * tells a caller whether an email already has an account.
 */
import { randomUUID } from 'node:crypto';
import type { User } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { accountExistsMessage } from '../notifications/messages';
import { emailOf, type NotificationStore } from '../notifications/store';
import { createProfile, type UserStore } from '../users/store';
import type { Accounts } from './accounts';
import { authKeys, emailKey } from './keys';
import { wrongCode, type OtpService } from './otp';
import { hashPassword, verifyPassword } from './passwords';
import type { Role, TokenService } from './tokens';

export interface Registration {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  phone: string;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === 'P2002';
const badCredentials = () => new AppError('unauthorized', 'invalid email or password');
const ACCOUNT_EXISTS_NOTICE = 'account_exists';
// At most one "you already have an account" mail per hour, so register cannot flood a mailbox.
const NOTICE_INTERVAL_MS = 3600_000;

export function createAuthService(
  db: Db,
  tokens: TokenService,
  otp: OtpService,
  notifications: NotificationStore,
  users: Pick<UserStore, 'getProfile'>,
  accounts: Accounts,
) {
  async function findCredential(email: string) {
    return db.credential.findFirst({ where: { email: email.toLowerCase() } });
  }

  /** Creates the account; throws 409 `conflict` if the email is taken (internal callers only). */
  async function createAccount(input: Registration, role: Role, password_hash: string): Promise<User> {
    const email = input.email.toLowerCase();
    try {
      return await db.$transaction(async (tx) => {
        const user = await createProfile(tx, {
          email,
          first_name: input.first_name,
          last_name: input.last_name,
          phone: input.phone,
        });
        await tx.credential.create({ data: { user_id: user.id, email, password_hash, role } });
        await enqueueEvent(tx, {
          topic: TOPICS.users,
          type: 'user.registered',
          aggregateId: user.id,
          data: {
            user_id: user.id,
            email,
            first_name: user.first_name,
            last_name: user.last_name,
            phone: user.phone,
          },
        });
        return user;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('conflict', 'an account with this email already exists', [
          { field: 'email', message: 'already registered' },
        ]);
      }
      throw err;
    }
  }

  /** Tells the owner of an existing account, by mail, that someone tried to register with it. */
  async function noticeExistingAccount(email: string): Promise<void> {
    const credential = await findCredential(email);
    if (!credential) return;
    const last = await notifications.latestFor(credential.user_id, ACCOUNT_EXISTS_NOTICE);
    if (last && Date.now() - last.created_at.getTime() < NOTICE_INTERVAL_MS) return;
    // A pending email row: the notification sender delivers it (services/notifications/sender.ts).
    await notifications.enqueue(
      emailOf(accountExistsMessage(), {
        user_id: credential.user_id,
        type: ACCOUNT_EXISTS_NOTICE,
        recipient: credential.email,
      }),
    );
  }

  return {
    /**
     * Registers a shopper. An email that already has an account gets the same 201 answer (a
     * profile view whose id matches no stored account) and its owner a notice by mail, so the
     * response never reveals whether an email is registered. Both paths hash the password.
     */
    async register(input: Registration): Promise<User> {
      const password_hash = await hashPassword(input.password);
      try {
        return await createAccount(input, 'customer', password_hash);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'conflict')) throw err;
        await noticeExistingAccount(input.email);
        const now = new Date();
        return {
          id: randomUUID(),
          email: input.email.toLowerCase(),
          first_name: input.first_name,
          last_name: input.last_name,
          phone: input.phone,
          created_at: now,
          updated_at: now,
        } satisfies User;
      }
    },

    /** Wrong email and wrong password give the same answer in the same time. */
    async login(email: string, password: string) {
      const credential = await findCredential(email);
      const ok = await verifyPassword(credential?.password_hash, password);
      if (!credential || !ok || credential.status !== 'active') throw badCredentials();
      return tokens.issue(credential.user_id);
    },

    async sendVerification(userId: string, type: 'email' | 'phone') {
      const user = await users.getProfile(userId);
      await otp.send(userId, type, type === 'email' ? user.email : user.phone);
    },

    async verify(userId: string, type: 'email' | 'phone', code: string) {
      await otp.verify(userId, type, code);
      await db.credential.update({
        where: { user_id: userId },
        data: type === 'email' ? { email_verified: true } : { phone_verified: true },
      });
    },

    /**
     * Sends a reset code if the account exists; says nothing either way. Every request, for a
     * known email or not, starts a fresh 5-guess budget for the new code; the account's daily
     * budgets (codes and guesses in any 24 hours, api/auth/routes.ts) are not restored by it.
     */
    async requestPasswordReset(email: string) {
      await otp.clearGuesses(authKeys.resetAttempts(emailKey(email)));
      const credential = await findCredential(email);
      if (credential) await otp.send(credential.user_id, 'password_reset', credential.email);
    },

    /**
     * Sets the new password and ends every session of the user. Guesses are counted per email
     * before the account is looked up, so an unknown email meets the same 429 as a real one.
     */
    async confirmPasswordReset(email: string, code: string, newPassword: string) {
      const attemptsKey = authKeys.resetAttempts(emailKey(email));
      await otp.countGuess(attemptsKey);
      const credential = await findCredential(email);
      if (!credential) throw wrongCode();
      await otp.check(credential.user_id, 'password_reset', code);
      await otp.clearGuesses(attemptsKey);
      // Bumps the session version: every access token of the account is refused from now on.
      await accounts.setPassword(credential.user_id, await hashPassword(newPassword));
      await tokens.revokeAll(credential.user_id);
    },

    /** The account's phone number if verified, else null (a voucher's one-per-person key trusts only that). */
    async verifiedPhoneOf(userId: string): Promise<string | null> {
      const credential = await db.credential.findUnique({ where: { user_id: userId } });
      if (!credential?.phone_verified) return null;
      return (await db.user.findUnique({ where: { id: userId } }))?.phone ?? null;
    },

    async roleOf(userId: string): Promise<Role> {
      const c = await db.credential.findUniqueOrThrow({ where: { user_id: userId } });
      return c.role as Role;
    },

    /** Creates the configured admin once (idempotent); used by the seed and at API start. */
    async ensureAdmin(email: string, password: string) {
      const existing = await findCredential(email);
      if (existing) {
        if (existing.role !== 'admin') await accounts.setRole(existing.user_id, 'admin');
        return;
      }
      await createAccount(
        { email, password, first_name: 'Pasar', last_name: 'Admin', phone: '+620000000000' },
        'admin',
        await hashPassword(password),
      ).catch((err) => {
        // Another process created it at the same moment: that is the outcome we wanted.
        if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
