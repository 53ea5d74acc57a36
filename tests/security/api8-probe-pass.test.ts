/**
 * OWASP API8:2023 Security Misconfiguration, outside in: the CI-sized version of `npm run probe`.
 * A bounded spread of the hostile probes scripts/lib/probes.ts derives from the API's own
 * /openapi.json (every operation's valid request, and a sample of the wrong callers, broken
 * bodies and hostile field values) goes to a test app with a worker behind it, and none may be
 * answered with a 5xx or not at all. The sample shifts between runs; a finding prints the
 * request that caused it. The full pass (thousands of probes) is `npm run probe` against a shop.
 */
import { httpTransport, prepareFixtures, reproduction, runProbes, sessionsOf } from '../../scripts/lib/probe-run';
import { boundedSelection, probesOf } from '../../scripts/lib/probes';
import { adminToken, serviceToken } from '../support/http';
import { useServer } from '../support/server';

/** CI's bound; PROBE_PASS_LIMIT=100000 sends the whole set to the test app (the current tree's code). */
const PROBES = Number(process.env.PROBE_PASS_LIMIT ?? 400);

describe('API8 a spread of OpenAPI-driven hostile probes gets no 5xx', () => {
  // A worker serves the checkouts the probes start, so a valid checkout is answered, not left waiting.
  const server = useServer({ worker: true });
  jest.setTimeout(PROBES > 400 ? 900_000 : 120_000);

  it('answers a bounded spread of probes of every operation with no 5xx', async () => {
    const send = httpTransport(server().base);
    const doc = JSON.parse((await send({ method: 'GET', path: '/openapi.json', headers: {}, as: 'none' })).text);
    const admin = await adminToken(server());
    const { fixtures, shopper } = await prepareFixtures(send, admin);
    const sessions = sessionsOf(send, {
      shopper,
      admin,
      renewAdmin: () => adminToken(server()),
      service: () => serviceToken(),
    });
    const all = probesOf(doc, fixtures);
    const probes = boundedSelection(all, PROBES);
    const tally = await runProbes(probes, { send, sessions, concurrency: 4 });

    expect(tally.findings.map(reproduction)).toEqual([]);
    // The pass reached every operation and most probes reached a handler's checks (not only 401s).
    expect(Object.keys(tally.byRoute).length).toBe(new Set(all.map((p) => p.route)).size);
    expect(Object.keys(tally.byRoute).length).toBeGreaterThan(60);
    expect(tally.probes).toBe(probes.length);
    expect(tally.byStatus[400] ?? 0).toBeGreaterThan(probes.length / 3);
    console.log(`probe pass: ${tally.probes} of ${all.length} probes, by status ${JSON.stringify(tally.byStatus)}`);
  });
});
