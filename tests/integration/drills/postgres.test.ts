/** Drill: Postgres stops while shoppers pay: confirms and webhooks get 503s naming it and are retried (shopper, gateway); nothing half-written. */
import { drill, report, stack } from '../../support/drill';
import { adminToken, client } from '../../support/http';
import { useServer } from '../../support/server';

describe('drill: postgres down while shoppers pay', () => {
  const server = useServer({ worker: true });

  it('every order settles with money and stock exact', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const result = await drill(server(), api, admin, {
      break: async () => stack('down', 'postgres'),
      restore: async () => stack('up', 'postgres'),
    });
    report('postgres', result);
  });
});
