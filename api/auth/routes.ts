/** Auth routes: register, login, refresh, logout, OTP, password reset. */
import { createRouter } from '../router';
import { createRoute, z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Config } from '../../platform/config';
import type { Services } from '../../services';
import { codeBudgets } from '../../services/auth/code-budgets';
import { emailKey } from '../../services/auth/keys';
import { clientIp } from '../middleware/rate-limit';
import { body, errorResponses, json } from '../schemas';
import { UserSchema } from '../users/schemas';
import { toUserView } from '../users/views';
import {
  AcceptedSchema,
  LoginBody,
  OtpSendBody,
  OtpVerifyBody,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RefreshBody,
  RegisterBody,
  TokenPairSchema,
} from './schemas';

const tags = ['auth'];
const post = (path: string, summary: string) => ({ method: 'post' as const, path, tags, summary });

const routes = {
  register: createRoute({
    ...post(
      '/auth/register',
      'Create an account. An email that is already registered gets the same answer; its owner is told by mail',
    ),
    request: { body: body(RegisterBody) },
    responses: { 201: json(UserSchema, 'registered'), ...errorResponses(400, 429) },
  }),
  login: createRoute({
    ...post('/auth/login', 'Exchange email and password for tokens (failed logins lock the account for a while)'),
    request: { body: body(LoginBody) },
    responses: { 200: json(TokenPairSchema), ...errorResponses(400, 401, 429) },
  }),
  refresh: createRoute({
    ...post('/auth/refresh', 'Rotate a refresh token (a reused one revokes the session)'),
    request: { body: body(RefreshBody) },
    responses: { 200: json(TokenPairSchema), ...errorResponses(400, 401) },
  }),
  logout: guarded('user', {
    ...post('/auth/logout', 'Revoke the access token and its session'),
    responses: { 204: { description: 'logged out' }, ...errorResponses(401) },
  }),
  otpSend: guarded('user', {
    ...post(
      '/auth/otp/send',
      'Send a verification code for the email or phone (OTP_CODES_PER_DAY per account in any 24 hours)',
    ),
    request: { body: body(OtpSendBody) },
    responses: { 202: json(AcceptedSchema, 'code sent as a notification'), ...errorResponses(400, 401, 429) },
  }),
  otpVerify: guarded('user', {
    ...post(
      '/auth/otp/verify',
      'Verify the email or phone with the code (5 guesses per code, OTP_GUESSES_PER_DAY per account in any 24 hours)',
    ),
    request: { body: body(OtpVerifyBody) },
    responses: { 200: json(z.object({ verified: z.enum(['email', 'phone']) })), ...errorResponses(400, 401, 429) },
  }),
  reset: createRoute({
    ...post(
      '/auth/password/reset',
      'Request a password-reset code (answer is the same whether or not the account exists; PASSWORD_RESET_CODES_PER_DAY per account in any 24 hours)',
    ),
    request: { body: body(PasswordResetBody) },
    responses: { 202: json(AcceptedSchema), ...errorResponses(400, 429) },
  }),
  resetConfirm: createRoute({
    ...post(
      '/auth/password/reset/confirm',
      'Set a new password with the code; ends every session and lifts a login lock (5 guesses per code, PASSWORD_RESET_GUESSES_PER_DAY per account in any 24 hours)',
    ),
    request: { body: body(PasswordResetConfirmBody) },
    responses: { 204: { description: 'password changed' }, ...errorResponses(400, 429) },
  }),
};

export function authRoutes(services: Services, limits: Config['rateLimits']) {
  const limit = (name: string, limit: number) => ({ name, limit, windowSeconds: limits.windowSeconds });
  // Per account in any 24 hours, whatever the address (services/auth/code-budgets.ts). Reset codes
  // count by email, known or not (an account has one email, and emailKey normalises how it is
  // written, as the account lookup does); verification codes by the signed-in account, email and
  // phone codes together.
  const resetBudget = codeBudgets(services.rateLimiter, 'password_reset', 'reset', {
    codesPerDay: limits.resetCodesPerDay,
    guessesPerDay: limits.resetGuessesPerDay,
  });
  const verificationBudget = codeBudgets(services.rateLimiter, 'verification', 'verification', {
    codesPerDay: limits.verificationCodesPerDay,
    guessesPerDay: limits.verificationGuessesPerDay,
  });
  const guard = services.loginGuard;
  const app = createRouter();

  return app
    .openapi(routes.register, async (c) => {
      await services.rateLimiter.hit(limit('register', limits.signup), clientIp(c));
      const user = await services.auth.register(c.req.valid('json'));
      return c.json(toUserView(user), 201);
    })
    .openapi(routes.login, async (c) => {
      const { email, password } = c.req.valid('json');
      const address = clientIp(c);
      await services.rateLimiter.hit(limit('login', limits.login), `${address}:${emailKey(email)}`);
      return c.json(await guard.attempt(email, address, () => services.auth.login(email, password)), 200);
    })
    .openapi(routes.refresh, async (c) => c.json(await services.tokens.refresh(c.req.valid('json').refresh_token), 200))
    .openapi(routes.logout, async (c) => {
      await services.tokens.logout(c.get('user'));
      return c.body(null, 204);
    })
    .openapi(routes.otpSend, async (c) => {
      const { sub } = c.get('user');
      const { type } = c.req.valid('json');
      await services.rateLimiter.hit(limit('otp_send', limits.otp), `${sub}:${type}`);
      await verificationBudget.sendCode(sub);
      await services.auth.sendVerification(sub, type);
      return c.json({ status: 'sent' }, 202);
    })
    .openapi(routes.otpVerify, async (c) => {
      const { type, code } = c.req.valid('json');
      const { sub } = c.get('user');
      await verificationBudget.guess(sub, () => services.auth.verify(sub, type, code));
      return c.json({ verified: type }, 200);
    })
    .openapi(routes.reset, async (c) => {
      const { email } = c.req.valid('json');
      // Same limits for every email, registered or not: a 429 says nothing about the account.
      await services.rateLimiter.hit(limit('password_reset', limits.otp), `${clientIp(c)}:${emailKey(email)}`);
      await services.rateLimiter.hit(limit('password_reset_account', limits.resetPerAccount), emailKey(email));
      await resetBudget.sendCode(emailKey(email));
      await services.auth.requestPasswordReset(email);
      return c.json({ status: 'if the account exists, a code has been sent' }, 202);
    })
    .openapi(routes.resetConfirm, async (c) => {
      const { email, code, new_password } = c.req.valid('json');
      // Every guess spends the account's daily budget, whichever code it was sent, so new codes
      // never buy more guesses.
      await resetBudget.guess(emailKey(email), () => services.auth.confirmPasswordReset(email, code, new_password));
      await guard.unlock(email);
      return c.body(null, 204);
    });
}
