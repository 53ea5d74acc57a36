/** Request and response schemas of the auth routes (exported for tests). */
import { z } from '@hono/zod-openapi';
import { nameText } from '../schemas';

const email = z.string().trim().email().max(255).openapi({ example: 'sari@example.id' });
const password = z.string().min(10, 'at least 10 characters').max(128).openapi({ example: 'kopi-susu-2026' });
export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9]{8,15}$/, 'a phone number of 8 to 15 digits, optionally starting with +')
  .openapi({ example: '+6281234567890' });
const name = nameText(100);

export const RegisterBody = z
  .strictObject({ email, password, first_name: name, last_name: name, phone })
  .openapi('RegisterRequest');

export const LoginBody = z.strictObject({ email, password: z.string().min(1).max(128) }).openapi('LoginRequest');

export const RefreshBody = z.strictObject({ refresh_token: z.string().min(10).max(200) }).openapi('RefreshRequest');

export const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
  })
  .openapi('TokenPair');

export const OtpSendBody = z.strictObject({ type: z.enum(['email', 'phone']) }).openapi('OtpSendRequest');

const code = z.string().regex(/^[0-9]{6}$/, 'six digits');

export const OtpVerifyBody = z.strictObject({ type: z.enum(['email', 'phone']), code }).openapi('OtpVerifyRequest');

export const PasswordResetBody = z.strictObject({ email }).openapi('PasswordResetRequest');

export const PasswordResetConfirmBody = z
  .strictObject({ email, code, new_password: password })
  .openapi('PasswordResetConfirmRequest');

export const AcceptedSchema = z.object({ status: z.string() });
