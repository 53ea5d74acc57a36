/** Drill: Redis stops while shoppers pay: authenticated routes answer 503 naming it and are retried; the saga never needed Redis to settle money. */
import { drill, report, stack } from '../../support/drill';
import { adminToken, client } from '../../support/http';
import { useServer } from '../../support/server';

describe('drill: redis down while shoppers pay', () => {
  const server = useServer({ worker: true });

  it('every order settles with money and stock exact', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const result = await drill(server(), api, admin, {
      break: async () => stack('down', 'redis'),
      restore: async () => stack('up', 'redis'),
    });
    report('redis', result);
  });
});
