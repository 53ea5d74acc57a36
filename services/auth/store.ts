/**
 * The auth service: registration (credentials + profile + `user.registered` in one
 * transaction), login, OTP verification and password reset.
 */
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { createProfile } from '../users/store';
import type { OtpService, OtpType } from './otp';
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

export function createAuthService(db: Db, tokens: TokenService, otp: OtpService) {
  async function findCredential(email: string) {
    return db.credential.findFirst({ where: { email: email.toLowerCase() } });
  }

  return {
    async register(input: Registration, role: Role = 'customer') {
      const email = input.email.toLowerCase();
      const password_hash = await hashPassword(input.password);
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
    },

    /** Wrong email and wrong password give the same answer in the same time. */
    async login(email: string, password: string) {
      const credential = await findCredential(email);
      const ok = await verifyPassword(credential?.password_hash, password);
      if (!credential || !ok || credential.status !== 'active') throw badCredentials();
      return tokens.issue(credential.user_id, credential.role as Role);
    },

    async sendVerification(userId: string, type: 'email' | 'phone') {
      const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
      await otp.send(userId, type, type === 'email' ? user.email : user.phone);
    },

    async verify(userId: string, type: 'email' | 'phone', code: string) {
      await otp.verify(userId, type, code);
      await db.credential.update({
        where: { user_id: userId },
        data: type === 'email' ? { email_verified: true } : { phone_verified: true },
      });
    },

    /** Sends a reset code if the account exists; says nothing either way. */
    async requestPasswordReset(email: string) {
      const credential = await findCredential(email);
      if (credential) await otp.send(credential.user_id, 'password_reset', credential.email);
    },

    /** Sets the new password and ends every session of the user. */
    async confirmPasswordReset(email: string, code: string, newPassword: string) {
      const credential = await findCredential(email);
      if (!credential) {
        throw new AppError('validation_failed', 'the code is wrong or has expired', [
          { field: 'code', message: 'wrong or expired code' },
        ]);
      }
      await otp.verify(credential.user_id, 'password_reset' satisfies OtpType, code);
      await db.credential.update({
        where: { id: credential.id },
        data: { password_hash: await hashPassword(newPassword) },
      });
      await tokens.revokeAll(credential.user_id);
    },

    async roleOf(userId: string): Promise<Role> {
      const c = await db.credential.findUniqueOrThrow({ where: { user_id: userId } });
      return c.role as Role;
    },

    /** Creates the configured admin once (idempotent); used by the seed and at API start. */
    async ensureAdmin(email: string, password: string) {
      const existing = await findCredential(email);
      if (existing) {
        if (existing.role !== 'admin')
          await db.credential.update({ where: { id: existing.id }, data: { role: 'admin' } });
        return;
      }
      await this.register(
        { email, password, first_name: 'Pasar', last_name: 'Admin', phone: '+620000000000' },
        'admin',
      ).catch((err) => {
        // Another process created it at the same moment: that is the outcome we wanted.
        if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
