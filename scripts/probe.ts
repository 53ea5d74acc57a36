/**
 * `npm run probe`: an outside-in pass over a running shop, driven by its own /openapi.json
 * (scripts/lib/probes.ts says what each operation gets). It signs up two throwaway shoppers,
 * signs in once as the configured admin (the login is rate limited: the one token is reused
 * unless a probe ends its session), then sends every probe and prints the totals by status, the
 * answers per operation and every 5xx with the request that caused it. Exits 1 on any 5xx or
 * unanswered probe.
 *
 *   npm run probe                                 against http://127.0.0.1:3000 (npm start)
 *   npm run probe -- --base http://host:port      another shop
 *   ... --concurrency 4                           probes in flight within an operation
 *   ... --only '/cart'                            operations whose "METHOD /path" matches
 *   ... --limit 500                               a spread of at most this many probes
 *   ... --per-route                               print each operation's answers as it finishes
 */
import { getConfig } from '../platform/config';
import { signServiceToken } from '../services/auth/service-tokens';
import {
  httpTransport,
  prepareFixtures,
  reproduction,
  runProbes,
  sessionsOf,
  summary,
  type Transport,
} from './lib/probe-run';
import { boundedSelection, probesOf } from './lib/probes';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const base = (option('--base') ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const concurrency = Number(option('--concurrency') ?? 4);
const only = option('--only');
const limit = option('--limit') ? Number(option('--limit')) : undefined;

async function ready(send: Transport) {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const res = await send({ method: 'GET', path: '/readyz', headers: {}, as: 'none' }).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${base}/readyz never answered 200 (last: ${res?.status ?? 'no answer'})`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function adminLogin(send: Transport) {
  const { email, password } = getConfig().auth.admin;
  const res = await send({
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    as: 'none',
  });
  if (res.status !== 200) throw new Error(`admin login as ${email}: ${res.status} ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text).access_token as string;
}

async function main() {
  const send = httpTransport(base);
  await ready(send);
  const doc = JSON.parse((await send({ method: 'GET', path: '/openapi.json', headers: {}, as: 'none' })).text);
  const admin = await adminLogin(send);
  const { fixtures, shopper, notes } = await prepareFixtures(send, admin);
  for (const note of notes) console.log(`[probe] ${note}`);
  const sessions = sessionsOf(send, {
    shopper,
    admin,
    renewAdmin: () => adminLogin(send),
    // Minted per probe: a service token lives at most 5 minutes, a pass longer.
    service: () => signServiceToken(getConfig().auth.internalJwtSecret, 'probe'),
  });
  let probes = probesOf(doc, fixtures);
  if (only) probes = probes.filter((p) => new RegExp(only).test(p.route));
  if (limit) probes = boundedSelection(probes, limit);
  const routes = new Set(probes.map((p) => p.route)).size;
  console.log(`[probe] ${base}: ${probes.length} probes over ${routes} operations, ${concurrency} at a time`);

  const began = Date.now();
  let done = 0;
  const tally = await runProbes(probes, {
    send,
    sessions,
    concurrency,
    onRoute: (route, counts) => {
      done++;
      if (args.includes('--per-route') || counts['5xx'] || counts['no answer'])
        console.log(`[probe] ${done}/${routes} ${route}: ${JSON.stringify(counts)}`);
    },
  });
  console.log(`\n${summary(tally)}`);
  console.log(`sessions renewed: ${sessions.renewed}; took ${((Date.now() - began) / 1000).toFixed(0)} s`);
  if (tally.validRefused.length) {
    console.log(`\nsample-valid requests refused (their fields' probes may stop at this check):`);
    for (const f of tally.validRefused)
      console.log(`  ${f.probe.route} -> ${f.status} ${f.text.replace(/"request_id":"[^"]*",?/, '').slice(0, 200)}`);
  }
  if (tally.findings.length) {
    console.log(`\n${tally.findings.length} findings:\n`);
    for (const f of tally.findings) console.log(`${reproduction(f)}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(`[probe] ${(err as Error).stack ?? err}`);
  process.exit(2);
});
