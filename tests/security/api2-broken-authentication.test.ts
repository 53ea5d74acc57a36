/**
 * OWASP API2:2023 Broken Authentication: token lifetime (RFC 8725), brute force across
 * addresses, password spraying, no account-existence signal from login, reset or register, and
 * sessions that end when their account is disabled, demoted or reset, or never existed.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { INTERNAL_AUDIENCE } from '../../services/auth/service-tokens';
import { authKeys, emailKey } from '../../services/auth/keys';
import { AUDIENCE, ISSUER } from '../../services/auth/tokens';
import { cartKey } from '../../services/orders/cart';
import { DEMO_ADDRESS } from '../../services/users/demo-address';
import { adminToken, client, newUser, serviceToken, signUp, type Client, type Reply } from '../support/http';
import { useServer } from '../support/server';
import { newProduct } from '../support/shop';
import { clientFrom } from './support/from-address';

const YEAR = 365 * 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);
// Status, code, message and field details: everything but the seconds left, which tick.
const shape = (r: Reply) => ({
  status: r.status,
  code: r.body?.error?.code,
  message: r.body?.error?.message,
  fields: Array.isArray(r.body?.error?.details) ? r.body.error.details : undefined,
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('API2 broken authentication', () => {
  const server = useServer();
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });
  const fresh = () => clientFrom(server().base);
  const latestCode = async (userId: string) => {
    const n = await server().services.notifications.latestFor(userId, 'otp');
    return /\b(\d{6})\b/.exec(n?.content ?? '')?.[1];
  };

  describe('access tokens must carry exp within the configured lifetime (RFC 8725)', () => {
    const sign = (claims: object, options: jwt.SignOptions = {}) =>
      jwt.sign(claims, server().config.auth.jwtSecret, { algorithm: 'HS256', ...options });

    it('refuses a correctly signed token without exp, with exp ten years ahead, or without iat', async () => {
      const me = await signUp(api);
      const { sid } = jwt.decode(me.token) as jwt.JwtPayload;
      const base = { sub: me.id, sid, role: 'customer', iss: ISSUER, aud: AUDIENCE };
      const ttl = server().config.auth.accessTokenTtlSeconds;
      const tokens = {
        noExp: sign({ ...base, jti: randomUUID(), iat: now() }),
        tenYears: sign({ ...base, jti: randomUUID(), iat: now(), exp: now() + 10 * YEAR }),
        lifetimeTooLong: sign({ ...base, jti: randomUUID(), iat: now() - 60, exp: now() + ttl }),
        noIat: sign({ ...base, jti: randomUUID(), exp: now() + 60 }, { noTimestamp: true }),
        issuedInTheFuture: sign({ ...base, jti: randomUUID(), iat: now() + 3600, exp: now() + 3600 + 60 }),
      };
      for (const [kind, token] of Object.entries(tokens)) {
        const res = await api.get('/users/me', token);
        expect({ kind, status: res.status, code: res.body.error?.code }).toEqual({
          kind,
          status: 401,
          code: 'unauthorized',
        });
      }
      // The control: the same claims with a normal lifetime pass, so the refusals above are about exp.
      const ok = sign({ ...base, jti: randomUUID(), iat: now(), exp: now() + ttl });
      expect((await api.get('/users/me', ok)).status).toBe(200);
    });

    it('refuses a service token without exp or living for years, on the internal routes', async () => {
      const secret = server().config.auth.internalJwtSecret;
      const base = { role: 'service', sub: 'service:order', iss: ISSUER, aud: INTERNAL_AUDIENCE };
      const body = { order_id: randomUUID() };
      for (const claims of [
        { ...base, iat: now() },
        { ...base, iat: now(), exp: now() + 10 * YEAR },
      ]) {
        const token = jwt.sign(claims, secret, { algorithm: 'HS256' });
        const res = await api.post('/inventory/release', body, token);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      expect((await api.post('/inventory/release', body, serviceToken())).status).toBe(200);
    });
  });

  describe('login brute force', () => {
    it('locks one account after N failures from N different addresses, for unknown emails alike', async () => {
      const limits = server().config.rateLimits;
      const real = newUser();
      await api.post('/auth/register', real);
      const unknown = `nobody-${randomUUID()}@example.id`;
      const answers: Record<string, unknown> = {};
      for (const email of [real.email, unknown]) {
        for (let i = 0; i < limits.loginAccountFailures; i++) {
          const res = await fresh().post('/auth/login', { email, password: `wrong-${i}` });
          expect(res.status).toBe(401);
        }
        // A new address, and even the right password: the account's password login is locked.
        const blocked = await fresh().post('/auth/login', { email, password: real.password });
        expect(blocked.status).toBe(429);
        expect(blocked.body.error.code).toBe('rate_limited');
        const retryAfter = Number(blocked.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(limits.loginLockSeconds);
        answers[email === real.email ? 'real' : 'unknown'] = shape(blocked);
      }
      // The lock says nothing about whether the account exists.
      expect(answers.real).toEqual(answers.unknown);
      // The lock is temporary: it expires by itself after LOGIN_LOCK_SECONDS.
      const ttl = await server().deps.redis.ttl(authKeys.loginLock(emailKey(real.email)));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(limits.loginLockSeconds);
    });

    it('a successful password reset lifts the lock at once (the safe unlock path)', async () => {
      const me = await signUp(api);
      for (let i = 0; i < server().config.rateLimits.loginAccountFailures; i++)
        await fresh().post('/auth/login', { email: me.email, password: 'not-it-at-all' });
      expect((await fresh().post('/auth/login', { email: me.email, password: me.password })).status).toBe(429);

      expect((await fresh().post('/auth/password/reset', { email: me.email })).status).toBe(202);
      const code = await latestCode(me.id);
      const confirm = await fresh().post('/auth/password/reset/confirm', {
        email: me.email,
        code,
        new_password: 'es-teh-manis-dingin',
      });
      expect(confirm.status).toBe(204);
      expect((await fresh().post('/auth/login', { email: me.email, password: 'es-teh-manis-dingin' })).status).toBe(
        200,
      );
    });

    it('stops password spraying: one address failing across many accounts is refused, others are not', async () => {
      const limit = server().config.rateLimits.loginAddressFailures;
      const me = await signUp(api);
      const sprayer = fresh();
      for (let i = 0; i < limit; i++) {
        const res = await sprayer.post('/auth/login', {
          email: `victim-${i}-${randomUUID()}@example.id`,
          password: 'Jakarta2026!',
        });
        expect(res.status).toBe(401);
      }
      const refused = await sprayer.post('/auth/login', { email: me.email, password: me.password });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // The ceiling is the address's, not the accounts': the shopper logs in from elsewhere.
      expect((await fresh().post('/auth/login', { email: me.email, password: me.password })).status).toBe(200);
    });
  });

  describe('password reset reveals nothing and cannot lock the owner out', () => {
    it('wrong codes get the same answers for a real and an unknown email, and a new code restores the owner', async () => {
      const me = await signUp(api);
      const unknown = `nobody-${randomUUID()}@example.id`;
      const attacker = fresh();
      const seen: Record<string, unknown[]> = { real: [], unknown: [] };
      for (const [who, email] of [
        ['real', me.email],
        ['unknown', unknown],
      ] as const) {
        expect((await attacker.post('/auth/password/reset', { email })).status).toBe(202);
        for (let i = 0; i < 6; i++) {
          const res = await attacker.post('/auth/password/reset/confirm', {
            email,
            code: String(100000 + i),
            new_password: 'attacker-chosen-1',
          });
          seen[who]!.push(shape(res));
        }
      }
      expect(seen.real).toEqual(seen.unknown);
      expect(seen.real!.map((r: any) => r.status)).toEqual([400, 400, 400, 400, 400, 429]);

      // The owner asks for a new code (from their own address): a fresh budget, and it works.
      const owner = fresh();
      expect((await owner.post('/auth/password/reset', { email: me.email })).status).toBe(202);
      const code = await latestCode(me.id);
      const confirm = await owner.post('/auth/password/reset/confirm', {
        email: me.email,
        code,
        new_password: 'kopi-tubruk-pahit',
      });
      expect(confirm.status).toBe(204);
    });

    it('answers reset requests with the same status, limits and order of magnitude of time', async () => {
      const me = await signUp(api);
      const unknown = `nobody-${randomUUID()}@example.id`;
      const timings: Record<string, number[]> = { real: [], unknown: [] };
      const statuses: Record<string, number[]> = { real: [], unknown: [] };
      const limit = server().config.rateLimits.otp;
      for (const [who, email] of [
        ['real', me.email],
        ['unknown', unknown],
      ] as const) {
        const from = fresh();
        for (let i = 0; i < limit + 1; i++) {
          const t = performance.now();
          const res = await from.post('/auth/password/reset', { email });
          timings[who]!.push(performance.now() - t);
          statuses[who]!.push(res.status);
        }
      }
      expect(statuses.real).toEqual(statuses.unknown);
      expect(statuses.real!.at(-1)).toBe(429);
      const [real, none] = [median(timings.real!.slice(0, limit)), median(timings.unknown!.slice(0, limit))];
      console.info(`password reset request: median ${real.toFixed(1)} ms (real) vs ${none.toFixed(1)} ms (unknown)`);
      expect(Math.max(real, none) / Math.max(Math.min(real, none), 5)).toBeLessThan(10);
    });
  });

  describe('reset codes cannot be guessed forever: a budget per account per day, across codes and addresses', () => {
    it('an attacker rotating addresses and asking for new codes gets PASSWORD_RESET_GUESSES_PER_DAY guesses a day, a real account and an unknown email alike', async () => {
      const limits = server().config.rateLimits;
      const me = await signUp(api);
      const unknown = `nobody-${randomUUID()}@example.id`;
      const DAY = 24 * 3600;
      const started = now();
      const observed: Record<string, { codes: number; guesses: number; answers: unknown[]; retryAfter: number[] }> = {};
      for (const [who, email] of [
        ['real', me.email],
        ['unknown', unknown],
      ] as const) {
        const seen = (observed[who] = { codes: 0, guesses: 0, answers: [] as unknown[], retryAfter: [] as number[] });
        // Every request from a new address, the email written two ways: neither buys anything.
        for (let round = 0; round < 100; round++) {
          const form = round % 2 === 1 ? email.toUpperCase() : email;
          const requested = await fresh().post('/auth/password/reset', { email: form });
          seen.answers.push(shape(requested));
          if (requested.status === 429) {
            seen.retryAfter.push(Number(requested.headers.get('retry-after')));
            break;
          }
          expect(requested.status).toBe(202);
          seen.codes++;
          // Never the code itself: the sent code (for the real account) plus one and up.
          const sent = who === 'real' ? Number(await latestCode(me.id)) : 0;
          for (let i = 1; ; i++) {
            const guess = await fresh().post('/auth/password/reset/confirm', {
              email: form,
              code: String((sent + i) % 1_000_000).padStart(6, '0'),
              new_password: 'attacker-chosen-1',
            });
            seen.answers.push(shape(guess));
            if (guess.status === 429) {
              seen.retryAfter.push(Number(guess.headers.get('retry-after')));
              break;
            }
            expect(guess.status).toBe(400);
            seen.guesses++;
          }
        }
      }
      // Nothing tells the real account from the unknown email.
      expect(observed.real!.answers).toEqual(observed.unknown!.answers);
      const { codes, guesses, retryAfter } = observed.real!;
      expect({ codes, guesses }).toEqual({ codes: limits.resetCodesPerDay, guesses: limits.resetGuessesPerDay });
      // Refused for a day, not for a 15-minute window: the last guess refusal and the request
      // refusal both wait until the first guess or code leaves the 24-hour window.
      const elapsed = now() - started + 1;
      for (const seconds of [retryAfter.at(-2)!, retryAfter.at(-1)!]) {
        expect(seconds).toBeGreaterThan(DAY - elapsed - 1);
        expect(seconds).toBeLessThanOrEqual(DAY);
      }
      // Out of guesses, even the right code is refused and changes nothing.
      const code = await latestCode(me.id);
      const right = await fresh().post('/auth/password/reset/confirm', {
        email: me.email,
        code,
        new_password: 'attacker-chosen-1',
      });
      expect(right.status).toBe(429);
      expect((await fresh().post('/auth/login', { email: me.email, password: me.password })).status).toBe(200);

      // The bound: the window slides, so no 24 hours hold more than `guesses` guesses, each a
      // 1-in-10^6 chance at a 6-digit code (a code changes between guesses at most, never helps).
      const perDay = guesses;
      const chance = perDay / 1_000_000;
      console.info(
        `password reset: ${perDay} guesses a day per account (${codes} codes), success at most ${(chance * 100).toFixed(4)}% a day (was ~4,800 guesses, ~0.5%)`,
      );
      expect(chance).toBeLessThanOrEqual(1e-5);
    });
  });

  describe('verification codes cannot be guessed forever: a budget per account per day, across codes and channels', () => {
    it('a session asking for new email and phone codes gets OTP_GUESSES_PER_DAY guesses a day', async () => {
      const limits = server().config.rateLimits;
      const me = await signUp(api);
      const DAY = 24 * 3600;
      const started = now();
      let codes = 0;
      let guesses = 0;
      let lastGuessRefusal: Reply | undefined;
      let sendRefusal: Reply | undefined;
      // Email and phone codes in turn (each channel has its own code and its own 5 guesses), every
      // request from a new address: none of it buys guesses.
      for (let round = 0; round < 40 && !sendRefusal; round++) {
        const type = round % 2 === 0 ? 'email' : 'phone';
        const sent = await fresh().post('/auth/otp/send', { type }, me.token);
        if (sent.status === 429) {
          sendRefusal = sent;
          break;
        }
        expect(sent.status).toBe(202);
        codes++;
        const code = Number(await latestCode(me.id));
        for (let i = 1; ; i++) {
          // Never the code itself: the sent code plus one and up.
          const wrong = String((code + i) % 1_000_000).padStart(6, '0');
          const guess = await fresh().post('/auth/otp/verify', { type, code: wrong }, me.token);
          if (guess.status === 429) {
            lastGuessRefusal = guess;
            break;
          }
          expect(guess.status).toBe(400);
          guesses++;
        }
      }
      expect(lastGuessRefusal).toBeDefined();
      // The bound: `guesses` guesses, then nothing until the refusal's Retry-After; the window slides,
      // so over a day the attacker gets `guesses` per (elapsed + wait), at most one such span a day
      // when the wait is a day.
      const elapsed = now() - started + 1;
      const wait = Number(lastGuessRefusal!.headers.get('retry-after'));
      const perDay = guesses * Math.ceil(DAY / (elapsed + wait));
      const chance = perDay / 1_000_000;
      console.info(
        `verification codes: ${guesses} guesses (${codes} codes) then a ${wait} s wait: ${perDay} guesses a day, success at most ${(chance * 100).toFixed(4)}% a day (was 5 every 15 minutes, ~480)`,
      );
      expect(chance).toBeLessThanOrEqual(1e-5);
      expect(perDay).toBeLessThanOrEqual(limits.verificationGuessesPerDay);
      expect({ codes, guesses }).toEqual({
        codes: limits.verificationCodesPerDay,
        guesses: limits.verificationGuessesPerDay,
      });
      // Asking for another code waits for the day too.
      expect(sendRefusal?.status).toBe(429);
      expect(Number(sendRefusal!.headers.get('retry-after'))).toBeGreaterThan(DAY - elapsed - 1);

      // Out of guesses, even the right code is refused and verifies nothing.
      const type = codes % 2 === 1 ? 'email' : 'phone'; // the channel of the last code sent
      const right = await fresh().post('/auth/otp/verify', { type, code: await latestCode(me.id) }, me.token);
      expect(right.status).toBe(429);
      const credential = await server().deps.db.credential.findUniqueOrThrow({ where: { user_id: me.id } });
      expect({ email: credential.email_verified, phone: credential.phone_verified }).toEqual({
        email: false,
        phone: false,
      });
    });

    it('a new code starts its own 5 guesses, so the owner who mistyped is not kept waiting 15 minutes', async () => {
      const me = await signUp(api);
      expect((await api.post('/auth/otp/send', { type: 'email' }, me.token)).status).toBe(202);
      const first = (await latestCode(me.id))!;
      const wrong = first === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++)
        expect((await api.post('/auth/otp/verify', { type: 'email', code: wrong }, me.token)).status).toBe(400);
      expect((await api.post('/auth/otp/verify', { type: 'email', code: first }, me.token)).status).toBe(429);
      expect((await api.post('/auth/otp/send', { type: 'email' }, me.token)).status).toBe(202);
      const second = await latestCode(me.id);
      expect((await api.post('/auth/otp/verify', { type: 'email', code: second }, me.token)).status).toBe(200);
    });
  });

  describe('register reveals nothing', () => {
    it('answers an already registered email exactly like a new one and tells the owner by mail', async () => {
      const owner = await signUp(api);
      const attempt = { ...newUser(), email: owner.email.toUpperCase(), password: 'someone-elses-password' };
      const taken = await fresh().post('/auth/register', attempt);
      const brandNew = await fresh().post('/auth/register', newUser());
      expect(taken.status).toBe(201);
      expect(brandNew.status).toBe(201);
      expect(Object.keys(taken.body).sort()).toEqual(Object.keys(brandNew.body).sort());
      expect(taken.body.email).toBe(owner.email);
      expect(taken.body.id).not.toBe(owner.id);

      // Nothing was created or changed, and the owner still logs in with their own password.
      const { db } = server().deps;
      expect(await db.credential.count({ where: { email: owner.email } })).toBe(1);
      expect(await db.user.findUnique({ where: { id: taken.body.id } })).toBeNull();
      expect((await fresh().post('/auth/login', { email: owner.email, password: attempt.password })).status).toBe(401);
      expect((await fresh().post('/auth/login', { email: owner.email, password: owner.password })).status).toBe(200);

      const notice = await server().services.notifications.latestFor(owner.id, 'account_exists');
      expect(notice).toMatchObject({ channel: 'email', recipient: owner.email });
      // A second try within the hour does not mail the owner again.
      await fresh().post('/auth/register', attempt);
      expect(await db.notification.count({ where: { user_id: owner.id, type: 'account_exists' } })).toBe(1);
    });
  });

  describe('a session ends with its account: disabled, demoted, reset, or never there', () => {
    let admin: string;
    beforeAll(async () => {
      admin = await adminToken(server());
    });
    const signed = (claims: object) =>
      jwt.sign(
        { iss: ISSUER, aud: AUDIENCE, jti: randomUUID(), iat: now(), exp: now() + 60, ...claims },
        server().config.auth.jwtSecret,
        {
          algorithm: 'HS256',
        },
      );
    const refresh = (token: string) => api.post('/auth/refresh', { refresh_token: token });
    const auditOf = (userId: string) =>
      server().deps.db.outboxEvent.findMany({
        where: { key: userId, type: 'user.status_changed' },
        orderBy: { sequence: 'asc' },
      });

    it('a disabled account loses its access and refresh tokens at once; enabling lets it log in again', async () => {
      const me = await signUp(api);
      const { sub: adminId } = jwt.decode(admin) as jwt.JwtPayload;
      const disabled = await api.post(`/admin/users/${me.id}/disable`, undefined, admin);
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ id: me.id, status: 'disabled', changed: true });

      const mine = await api.get('/users/me', me.token);
      expect({ status: mine.status, code: mine.body.error?.code, message: mine.body.error?.message }).toEqual({
        status: 401,
        code: 'unauthorized',
        message: 'account is disabled',
      });
      expect((await refresh(me.refresh)).status).toBe(401);
      expect((await fresh().post('/auth/login', { email: me.email, password: me.password })).status).toBe(401);

      // Idempotent: a second disable changes and records nothing.
      const again = await api.post(`/admin/users/${me.id}/disable`, undefined, admin);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'disabled', changed: false });

      const enabled = await api.post(`/admin/users/${me.id}/enable`, undefined, admin);
      expect(enabled.body).toMatchObject({ id: me.id, status: 'active', changed: true });
      const login = await fresh().post('/auth/login', { email: me.email, password: me.password });
      expect(login.status).toBe(200);
      expect((await api.get('/users/me', login.body.access_token)).status).toBe(200);
      // The sessions the disable ended stay ended.
      expect((await api.get('/users/me', me.token)).status).toBe(401);
      expect((await refresh(me.refresh)).status).toBe(401);

      // The audit record: one event per change, naming the operator, in the outbox with the change.
      const audit = await auditOf(me.id);
      expect(audit.map((e) => (e.payload as { data: unknown }).data)).toEqual([
        { user_id: me.id, status: 'disabled', changed_by: adminId },
        { user_id: me.id, status: 'active', changed_by: adminId },
      ]);
    });

    it('refresh re-reads the account: disabled by hand in SQL, its refresh token mints nothing', async () => {
      const me = await signUp(api);
      await server().deps.db.credential.update({ where: { user_id: me.id }, data: { status: 'disabled' } });
      const res = await refresh(me.refresh);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 401,
        message: 'account is disabled',
      });
    });

    it('refresh issues the role the account has now, not the one it had at login', async () => {
      const me = await signUp(api);
      const { db } = server().deps;
      // Set by hand: no session version bump, so only the refresh's own re-read can catch it.
      await db.credential.update({ where: { user_id: me.id }, data: { role: 'admin' } });
      const asAdmin = await fresh().post('/auth/login', { email: me.email, password: me.password });
      expect((jwt.decode(asAdmin.body.access_token) as jwt.JwtPayload).role).toBe('admin');
      await db.credential.update({ where: { user_id: me.id }, data: { role: 'customer' } });
      const rotated = await refresh(asAdmin.body.refresh_token);
      expect(rotated.status).toBe(200);
      expect((jwt.decode(rotated.body.access_token) as jwt.JwtPayload).role).toBe('customer');
      expect((await api.get('/admin/complaints', rotated.body.access_token)).status).toBe(403);
    });

    it('a role change through the store ends the sessions: the demoted admin is refused on the next request', async () => {
      const me = await signUp(api);
      const { accounts } = server().services;
      await accounts.setRole(me.id, 'admin');
      const asAdmin = await fresh().post('/auth/login', { email: me.email, password: me.password });
      const token = asAdmin.body.access_token as string;
      expect((await api.get('/admin/complaints', token)).status).toBe(200);

      const demoted = await accounts.setRole(me.id, 'customer');
      expect(demoted).toMatchObject({ changed: true, account: { role: 'customer' } });
      const next = await api.get('/admin/complaints', token);
      expect({ status: next.status, message: next.body.error?.message }).toEqual({
        status: 401,
        message: 'session has ended; log in again',
      });
      expect((await refresh(asAdmin.body.refresh_token)).status).toBe(401);
      const again = await fresh().post('/auth/login', { email: me.email, password: me.password });
      expect((await api.get('/admin/complaints', again.body.access_token)).status).toBe(403);
    });

    it('a password reset ends every session, even one the revocation list does not know', async () => {
      const me = await signUp(api);
      const { sid } = jwt.decode(me.token) as jwt.JwtPayload;
      // An access token of an older session (a sid no longer listed): only the account's version can end it.
      const stray = signed({ sub: me.id, sid: randomUUID(), role: 'customer' });
      expect((await api.get('/users/me', stray)).status).toBe(200);

      expect((await fresh().post('/auth/password/reset', { email: me.email })).status).toBe(202);
      const confirm = await fresh().post('/auth/password/reset/confirm', {
        email: me.email,
        code: await latestCode(me.id),
        new_password: 'wedang-jahe-hangat',
      });
      expect(confirm.status).toBe(204);
      expect((await api.get('/users/me', stray)).status).toBe(401);
      expect((await api.get('/users/me', me.token)).status).toBe(401);
      expect((await api.get('/users/me', signed({ sub: me.id, sid, role: 'customer' }))).status).toBe(401);
      expect((await refresh(me.refresh)).status).toBe(401);
    });

    it('a signed token whose subject does not exist is a 401 everywhere, and creates nothing', async () => {
      const productId = await newProduct(api, admin, 5);
      const nobody = randomUUID();
      const token = signed({ sub: nobody, sid: randomUUID(), role: 'customer' });
      const calls = [
        ['PATCH', '/users/me', { first_name: 'Siapa' }],
        ['POST', '/users/me/addresses', DEMO_ADDRESS],
        ['POST', '/auth/otp/send', { type: 'email' }],
        ['POST', '/cart/items', { product_id: productId, quantity: 1 }],
      ] as const;
      for (const [method, path, body] of calls) {
        const res = await api.raw(method, path, { body, token });
        expect({ path, status: res.status, code: res.body?.error?.code, message: res.body?.error?.message }).toEqual({
          path,
          status: 401,
          code: 'unauthorized',
          message: 'no account for this token',
        });
      }
      expect(await server().deps.redis.exists(cartKey(nobody))).toBe(0);
      expect(await server().deps.db.address.count({ where: { user_id: nobody } })).toBe(0);
    });
  });
});
