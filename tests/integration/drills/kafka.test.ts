/** Drill: Kafka stops while shoppers pay: checkouts settle without it (events wait in the outbox) and every order.paid is published once it is back. */
import { drill, report, stack } from '../../support/drill';
import { adminToken, client } from '../../support/http';
import { useServer } from '../../support/server';
import { waitFor } from '../../support/shop';

describe('drill: kafka down while shoppers pay', () => {
  const server = useServer({ worker: true });

  it('every order settles with money and stock exact', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const result = await drill(server(), api, admin, {
      break: async () => stack('down', 'kafka'),
      restore: async () => stack('up', 'kafka'),
    });
    report('kafka', result);
    const { db } = server().deps;
    await waitFor(
      'every order event published',
      async () => (await db.outboxEvent.count({ where: { key: { in: result.orderIds }, published_at: null } })) === 0,
      60_000,
    );
  });
});
