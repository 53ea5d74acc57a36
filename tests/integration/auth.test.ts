import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TOPICS } from '../../platform/kafka/topics';
import { AUDIENCE, ISSUER } from '../../services/auth/tokens';
import { client, newUser, sansRequestId, signUp, type Client } from '../support/http';
import { findEvent } from '../support/kafka';
import { useServer } from '../support/server';
import { clientFrom } from '../security/support/from-address';

describe('auth over HTTP', () => {
  const server = useServer();
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  const latestCode = async (userId: string) => {
    const n = await server().services.notifications.latestFor(userId, 'otp');
    return /\b(\d{6})\b/.exec(n?.content ?? '')?.[1];
  };

  describe('register', () => {
    it('creates credentials and profile together and never returns the password', async () => {
      const user = newUser();
      const res = await api.post('/auth/register', user);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        email: user.email,
        first_name: 'Sari',
        last_name: 'Wulandari',
        phone: user.phone,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|hash/);
      const cred = await server().deps.db.credential.findUniqueOrThrow({ where: { user_id: res.body.id } });
      expect(cred.password_hash).toMatch(/^\$argon2id\$/);
      expect(cred.role).toBe('customer');
    });

    it('answers a duplicate email (whatever its case) like a new one, creating nothing', async () => {
      const user = newUser();
      const first = await api.post('/auth/register', user);
      expect(first.status).toBe(201);
      const dup = await api.post('/auth/register', { ...user, email: user.email.toUpperCase() });
      // No "already exists" signal (issue 7, item 11): the owner is told by mail instead.
      expect(dup.status).toBe(201);
      expect(dup.body.id).not.toBe(first.body.id);
      expect(await server().deps.db.credential.count({ where: { email: user.email } })).toBe(1);
      expect(await server().services.notifications.latestFor(first.body.id, 'account_exists')).not.toBeNull();
    });

    it('names every invalid field in a 400', async () => {
      const res = await api.post('/auth/register', {
        email: 'not-an-email',
        password: 'short',
        first_name: '',
        phone: 'abc',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
      expect(fields).toEqual(['email', 'first_name', 'last_name', 'password', 'phone']);
    });

    it('refuses fields it does not know (no role smuggling)', async () => {
      const res = await api.post('/auth/register', { ...newUser(), role: 'admin' });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error.details)).toContain('role');
    });

    it('publishes user.registered to Kafka with a stable event id', async () => {
      const user = newUser();
      const res = await api.post('/auth/register', user);
      const row = await server().deps.db.outboxEvent.findFirstOrThrow({
        where: { key: res.body.id, type: 'user.registered' },
      });
      const event = await findEvent(server().deps.kafka, TOPICS.users.name, (e) => e.aggregate_id === res.body.id);
      expect(event).toMatchObject({
        id: row.id,
        type: 'user.registered',
        data: { email: user.email, user_id: res.body.id },
      });
    });
  });

  describe('login', () => {
    it('returns a bearer pair whose access token carries iss, aud, exp and jti', async () => {
      const user = newUser();
      await api.post('/auth/register', user);
      const res = await api.post('/auth/login', { email: user.email.toUpperCase(), password: user.password });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      const claims = jwt.decode(res.body.access_token) as jwt.JwtPayload;
      expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, role: 'customer' });
      expect(claims.jti).toEqual(expect.any(String));
      expect(claims.exp! - claims.iat!).toBe(900);
    });

    it('locks the account after repeated failures from any address (see tests/security/api2 for more)', async () => {
      const user = newUser();
      await api.post('/auth/register', user);
      for (let i = 0; i < server().config.rateLimits.loginAccountFailures; i++)
        await clientFrom(server().base).post('/auth/login', { email: user.email, password: `wrong-${i}` });
      const locked = await clientFrom(server().base).post('/auth/login', {
        email: user.email,
        password: user.password,
      });
      expect(locked.status).toBe(429);
      expect(locked.body.error.message).toMatch(/this account/);
    });

    it('gives the same answer for a wrong password and an unknown email', async () => {
      const user = newUser();
      await api.post('/auth/register', user);
      // From an address of their own, so these failures do not count toward 127.0.0.1's ceiling.
      const from = clientFrom(server().base);
      const wrongPassword = await from.post('/auth/login', { email: user.email, password: 'not-the-password' });
      const unknownEmail = await from.post('/auth/login', {
        email: `nobody-${randomUUID()}@example.id`,
        password: 'x',
      });
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(sansRequestId(wrongPassword.body)).toEqual(sansRequestId(unknownEmail.body));
    });

    it('is rate limited per client and email: 429 with Retry-After', async () => {
      const user = newUser();
      await api.post('/auth/register', user);
      const limit = server().deps.config.rateLimits.login;
      const from = clientFrom(server().base);
      for (let i = 0; i < limit; i++)
        expect((await from.post('/auth/login', { email: user.email, password: 'wrong' })).status).toBe(401);
      const blocked = await from.post('/auth/login', { email: user.email, password: user.password });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('tokens', () => {
    it('rotates the refresh token, and a reused one revokes the whole session', async () => {
      const me = await signUp(api);
      const first = await api.post('/auth/refresh', { refresh_token: me.refresh });
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).not.toBe(me.refresh);
      expect((await api.get('/users/me', first.body.access_token)).status).toBe(200);

      const reuse = await api.post('/auth/refresh', { refresh_token: me.refresh });
      expect(reuse.status).toBe(401);
      expect(reuse.body.error.message).toMatch(/reuse/);
      // The thief's replay killed the family: the legitimate new tokens are dead too.
      expect((await api.post('/auth/refresh', { refresh_token: first.body.refresh_token })).status).toBe(401);
      expect((await api.get('/users/me', first.body.access_token)).status).toBe(401);
    });

    it('logout makes the access token and its refresh token unusable', async () => {
      const me = await signUp(api);
      expect((await api.post('/auth/logout', undefined, me.token)).status).toBe(204);
      expect((await api.get('/users/me', me.token)).status).toBe(401);
      expect((await api.post('/auth/refresh', { refresh_token: me.refresh })).status).toBe(401);
    });

    it('refuses tampered, expired, alg:none and wrong-audience tokens', async () => {
      const me = await signUp(api);
      const secret = server().deps.config.auth.jwtSecret;
      const claims = jwt.decode(me.token) as jwt.JwtPayload;
      const [h, p, s] = me.token.split('.');
      const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
      const base = { sub: me.id, sid: claims.sid, role: 'customer' };
      const tokens = {
        tampered: `${h}.${elevated}.${s}`,
        expired: jwt.sign({ ...base, exp: Math.floor(Date.now() / 1000) - 60 }, secret, {
          issuer: ISSUER,
          audience: AUDIENCE,
          jwtid: randomUUID(),
        }),
        none: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`,
        wrongAudience: jwt.sign(base, secret, {
          issuer: ISSUER,
          audience: 'someone-else',
          expiresIn: 300,
          jwtid: randomUUID(),
        }),
        wrongSecret: jwt.sign(base, 'x'.repeat(40), {
          issuer: ISSUER,
          audience: AUDIENCE,
          expiresIn: 300,
          jwtid: randomUUID(),
        }),
      };
      for (const [kind, token] of Object.entries(tokens)) {
        const res = await api.get('/users/me', token);
        expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
        expect(res.body.error.code).toBe('unauthorized');
      }
      expect((await api.get('/users/me')).status).toBe(401);
    });
  });

  describe('OTP', () => {
    it('delivers the code as a notification (never in the response) and verifies the email', async () => {
      const me = await signUp(api);
      const sent = await api.post('/auth/otp/send', { type: 'email' }, me.token);
      expect(sent.status).toBe(202);
      const code = await latestCode(me.id);
      expect(code).toMatch(/^\d{6}$/);
      expect(JSON.stringify(sent.body)).not.toContain(code);
      expect(await server().deps.redis.ttl(`otp:${me.id}:email`)).toBeGreaterThan(290);

      const ok = await api.post('/auth/otp/verify', { type: 'email', code }, me.token);
      expect(ok.status).toBe(200);
      const cred = await server().deps.db.credential.findUniqueOrThrow({ where: { user_id: me.id } });
      expect(cred.email_verified).toBe(true);
      // A code works once.
      expect((await api.post('/auth/otp/verify', { type: 'email', code }, me.token)).status).toBe(400);
    });

    it('allows 5 attempts per 15 minutes, then 429 even for the right code', async () => {
      const me = await signUp(api);
      await api.post('/auth/otp/send', { type: 'phone' }, me.token);
      const code = (await latestCode(me.id))!;
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) {
        const res = await api.post('/auth/otp/verify', { type: 'phone', code: wrong }, me.token);
        expect(res.status).toBe(400);
        expect(res.body.error.details[0].field).toBe('code');
      }
      const blocked = await api.post('/auth/otp/verify', { type: 'phone', code }, me.token);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(await server().deps.redis.ttl(`otp_attempts:${me.id}:phone`)).toBeGreaterThan(800);
    });

    it('needs a signed-in user', async () => {
      expect((await api.post('/auth/otp/send', { type: 'email' })).status).toBe(401);
    });
  });

  describe('password reset', () => {
    it('sets the new password with the emailed code and ends every session', async () => {
      const me = await signUp(api);
      const other = await api.post('/auth/login', { email: me.email, password: me.password });
      const requested = await api.post('/auth/password/reset', { email: me.email });
      expect(requested.status).toBe(202);
      const code = await latestCode(me.id);

      const confirm = await api.post('/auth/password/reset/confirm', {
        email: me.email,
        code,
        new_password: 'teh-manis-dingin',
      });
      expect(confirm.status).toBe(204);
      expect((await api.get('/users/me', me.token)).status).toBe(401);
      expect((await api.get('/users/me', other.body.access_token)).status).toBe(401);
      expect((await api.post('/auth/refresh', { refresh_token: me.refresh })).status).toBe(401);
      expect((await api.post('/auth/login', { email: me.email, password: me.password })).status).toBe(401);
      expect((await api.post('/auth/login', { email: me.email, password: 'teh-manis-dingin' })).status).toBe(200);
    });

    it('answers the same for an unknown email', async () => {
      const res = await api.post('/auth/password/reset', { email: `nobody-${randomUUID()}@example.id` });
      expect(res.status).toBe(202);
    });
  });
});
