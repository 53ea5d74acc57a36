/** Drill: The Temporal server restarts while shoppers pay: webhooks that cannot reach the saga are answered 5xx and redelivered; the saga resumes from its SQLite history. */
import { drill, report, stack } from '../../support/drill';
import { adminToken, client } from '../../support/http';
import { useServer } from '../../support/server';

describe('drill: temporal down while shoppers pay', () => {
  const server = useServer({ worker: true });

  it('every order settles with money and stock exact', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const result = await drill(server(), api, admin, {
      break: async () => stack('down', 'temporal'),
      restore: async () => stack('up', 'temporal'),
    });
    report('temporal', result);
  });
});
