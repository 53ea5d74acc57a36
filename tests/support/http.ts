/** A tiny HTTP client for tests: JSON in, {status, body, headers} out, optional bearer token. */
import { signServiceToken } from '../../services/auth/service-tokens';
import { getConfig } from '../../platform/config';
import { unique } from './deps';
import type { TestServer } from './server';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export function client(base: string) {
  async function call<T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers } as Reply<T>;
  }
  return {
    get: <T = any>(path: string, token?: string) => call<T>('GET', path, { token }),
    post: <T = any>(path: string, body?: unknown, token?: string) => call<T>('POST', path, { body, token }),
    patch: <T = any>(path: string, body?: unknown, token?: string) => call<T>('PATCH', path, { body, token }),
    put: <T = any>(path: string, body?: unknown, token?: string) => call<T>('PUT', path, { body, token }),
    del: <T = any>(path: string, token?: string) => call<T>('DELETE', path, { token }),
    raw: call,
  };
}

export type Client = ReturnType<typeof client>;

export const newUser = () => ({
  email: `${unique('shopper')}@example.id`,
  password: 'kopi-susu-gula-aren',
  first_name: 'Sari',
  last_name: 'Wulandari',
  phone: '+6281234567890',
});

/** Registers a fresh shopper (`overrides` over newUser's profile) and logs in; returns the tokens and the profile. */
const subjectOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;

/**
 * A call repeated, as a shopper's app does, while the API answers 503 "try again shortly" (a
 * dependency slow to answer on a busy machine: a Redis command past its timeout); any other
 * answer, or the fifth 503, is returned as it is.
 */
async function whileUnavailable(call: () => Promise<{ status: number; body: any }>) {
  for (let attempt = 1; ; attempt++) {
    const res = await call();
    if (res.status !== 503 || res.body?.error?.code !== 'dependency_unavailable' || attempt === 5) return res;
    await new Promise((r) => setTimeout(r, 250 * attempt));
  }
}

export async function signUp(api: Client, overrides: Partial<ReturnType<typeof newUser>> = {}) {
  const user = { ...newUser(), ...overrides };
  let unavailable = false;
  const reg = await whileUnavailable(async () => {
    const res = await api.post('/auth/register', user);
    unavailable ||= res.status === 503;
    return res;
  });
  // A register answered 503 may still have been done: its repeat then finds the email taken.
  const registered = reg.status === 201 || (unavailable && reg.status === 409);
  if (!registered) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await whileUnavailable(() => api.post('/auth/login', { email: user.email, password: user.password }));
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    ...user,
    // The token's subject is the user, whichever register attempt created it.
    id: (reg.body.id ?? subjectOf(login.body.access_token as string)) as string,
    token: login.body.access_token as string,
    refresh: login.body.refresh_token as string,
  };
}

/**
 * An admin access token minted by the token service itself: logging in as the one admin from
 * every test file would trip the login rate limit (which lives in Redis across runs).
 */
export async function adminToken(server: TestServer): Promise<string> {
  const { email } = getConfig().auth.admin;
  const admin = await server.deps.db.credential.findFirstOrThrow({ where: { email } });
  return (await server.services.tokens.issue(admin.user_id)).access_token;
}

export const serviceToken = (service = 'order') => signServiceToken(getConfig().auth.internalJwtSecret, service);

/** An error body without its request id, which differs per request by design (it leads to the trace). */
export function sansRequestId<T extends { error?: Record<string, unknown> }>(body: T | undefined) {
  const { request_id: _requestId, ...error } = body?.error ?? {};
  return { ...body, error };
}
