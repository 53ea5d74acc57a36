/**
 * Drill: the payment gateway goes down and comes back (a gateway of the test's own, keeping its
 * records like the stack's): confirms answer 503 naming it and are retried; nothing is charged
 * twice and every order settles.
 */
import { drill, report } from '../../support/drill';
import { useGatewayProcess } from '../../support/gateway-process';
import { adminToken, client } from '../../support/http';
import { useServer } from '../../support/server';

describe('drill: the payment gateway down and restarted while shoppers pay', () => {
  const gateway = useGatewayProcess({ ledger: true });
  const server = useServer({
    worker: true,
    configure: (c) => ({ ...c, payments: { ...c.payments, gatewayUrl: gateway().url } }),
  });

  it('every order settles with money and stock exact', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const result = await drill(server(), api, admin, {
      break: () => gateway().stop(),
      restore: () => gateway().start(),
    });
    report('gateway', result);
  });
});
