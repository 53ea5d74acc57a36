/**
 * Notifications end to end against the real stack: real registrations and checkouts paid through
 * the gateway simulator, the outbox relay, Kafka, the real consumer runtime running the
 * notification consumer, its sender speaking SMTP to Mailpit, and Mailpit's REST API to see what
 * arrived. The mail server "goes down" by pointing this consumer's mailer at a closed port: the
 * shared Mailpit is never stopped.
 */
import type { CatalogEvent } from '../../platform/event-catalog';
import type { ConsumerContext } from '../../platform/kafka/consumer-spec';
import { createLogger } from '../../platform/logger';
import { createNotificationConsumer, type NotificationConsumer } from '../../services/notifications/consumer';
import { createSmtpMailer, messageIdDomain, type Mailer } from '../../services/notifications/mailer';
import { formatRupiah } from '../../services/notifications/messages';
import { createNotificationSender } from '../../services/notifications/sender';
import { createNotificationStore } from '../../services/notifications/store';
import { observed, useConsumers } from '../support/consumers';
import { adminToken, client, signUp, type Client } from '../support/http';
import { readMail, searchMail, waitForMail, type MailpitSummary } from '../support/mailpit';
import { useServer } from '../support/server';
import { CARDS, checkoutUntilSettled, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';

/** A mailer the test re-points: the real SMTP one, one on a closed port, one that dies mid-send. */
function switchableMailer(initial: Mailer) {
  let current = initial;
  const mailer: Mailer = {
    send: (m) => current.send(m),
    wasDelivered: (id) => current.wasDelivered?.(id) ?? Promise.resolve(false),
    close: () => current.close(),
  };
  return { mailer, use: (m: Mailer) => (current = m) };
}

describe('notifications through Mailpit', () => {
  const server = useServer({ worker: true });
  const consumers = useConsumers(() => server().deps.kafka);
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const seen: CatalogEvent[] = [];
  const ctx: ConsumerContext = { topic: 'redelivery', partition: 0, offset: '0', headers: {} };
  let api: Client;
  let admin: string;
  let spec: NotificationConsumer;
  let real: Mailer;
  let mail: ReturnType<typeof switchableMailer>;

  const db = () => server().deps.db;
  const rowsOf = (userId: string) => db().notification.findMany({ where: { user_id: userId, channel: 'email' } });

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    real = createSmtpMailer(server().config.mail);
    mail = switchableMailer(real);
    const { services } = server();
    spec = createNotificationConsumer({ ...services, mail: { ...services.mail, mailer: mail.mailer } }, logger, {
      sender: { pollMs: 200, leaseSeconds: 3, maxBackoffMs: 1000 },
    });
    const running = consumers.start(
      observed(spec, (event) => seen.push(event)),
      // This run's events only: history belongs to the shop's own consumer group.
      { fromBeginning: false },
    );
    await waitFor('the consumer to join its group', async () => running.state() === 'running');
  });

  afterAll(async () => {
    await spec.sender.stop();
    real.close();
  });

  it('welcomes a new shopper by email, once', async () => {
    const me = await signUp(api);
    const [welcome] = await waitForMail(`to:"${me.email}" subject:"Selamat datang"`);
    expect(welcome).toBeDefined();
    const message = await readMail(welcome!.ID);
    expect(message.Text).toContain('Halo Sari,');
    expect(message.HTML).toContain('Terima kasih telah mendaftar di Pasar');
    const rows = await rowsOf(me.id);
    expect(rows).toEqual([expect.objectContaining({ type: 'welcome', status: 'sent', attempts: 1 })]);
    expect(welcome!.MessageID).toBe(`${rows[0]!.id}@${messageIdDomain(server().config.mail.from)}`);
  });

  it('a paid checkout sends exactly one confirmation with the right total, even with order.paid redelivered three times', async () => {
    const productId = await newProduct(api, admin, 20, '28000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const placed = await checkoutUntilSettled(api, me.token, me.address_id);
    expect(placed.status).toBe(202);
    const orderId = placed.body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    const order = await orderStatus(api, me.token, orderId, 'paid');

    const query = `to:"${me.email}" subject:"${order.order_number}"`;
    await waitForMail(query);
    const paid = await waitFor('order.paid seen', async () =>
      seen.find((e) => e.type === 'order.paid' && (e.data as { order_id: string }).order_id === orderId),
    );
    // Redelivered three times, concurrently (a rebalance can hand it to two handlers at once).
    await Promise.all([1, 2, 3].map(() => spec.handle(paid, ctx)));
    await new Promise((r) => setTimeout(r, 1500)); // time for a wrongly queued second email to leave

    const found = await searchMail(query);
    expect(found).toHaveLength(1);
    const message = await readMail(found[0]!.ID);
    const total = formatRupiah(order.total_amount);
    expect(total).toMatch(/^Rp \d{1,3}(\.\d{3})+$/);
    expect(message.Text).toContain(`Total: ${total}`);
    expect(message.Text).toContain(`Subtotal: ${formatRupiah('56000.00')}`);
    expect(message.Text).toContain(`Ongkos kirim: ${formatRupiah(order.shipping_amount)}`);
    expect(message.HTML).toContain(total);
    expect((await rowsOf(me.id)).filter((r) => r.type === 'order_confirmation')).toHaveLength(1);
  }, 120_000);

  it('tells the shopper about a cancelled checkout and about a refund, with the amount', async () => {
    const productId = await newProduct(api, admin, 20, '15000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const first = await checkoutUntilSettled(api, me.token, me.address_id);
    const cancelledId = first.body.order_id as string;
    await api.post(`/orders/${cancelledId}/cancel`, undefined, me.token);
    const cancelled = await orderStatus(api, me.token, cancelledId, 'cancelled');
    const [notice] = await waitForMail(`to:"${me.email}" subject:"${cancelled.order_number} dibatalkan"`);
    expect((await readMail(notice!.ID)).Text).toContain('atas permintaan Anda');

    await api.post('/cart/items', { product_id: productId, quantity: 1 }, me.token);
    const second = await checkoutUntilSettled(api, me.token, me.address_id);
    const paidId = second.body.order_id as string;
    await api.post('/payments/confirm', { order_id: paidId, card_number: CARDS.ok }, me.token);
    const paid = await orderStatus(api, me.token, paidId, 'paid');
    expect((await api.post(`/orders/${paidId}/cancel`, undefined, me.token)).status).toBe(202);
    const [refund] = await waitForMail(`to:"${me.email}" subject:"${paid.order_number} sudah dikembalikan"`, 1, 60_000);
    expect((await readMail(refund!.ID)).Text).toContain(formatRupiah(paid.total_amount));
  }, 120_000);

  it('sends a one-time code by email, the code in the email verifies', async () => {
    const me = await signUp(api);
    expect((await api.post('/auth/otp/send', { type: 'email' }, me.token)).status).toBe(202);
    const [sent] = await waitForMail(`to:"${me.email}" subject:"Kode verifikasi"`);
    const code = /\b(\d{6})\b/.exec((await readMail(sent!.ID)).Text)?.[1];
    expect(code).toBeDefined();
    expect((await api.post('/auth/otp/verify', { type: 'email', code }, me.token)).status).toBe(200);
  });

  it('sends a password reset code by email; the emailed code resets the password', async () => {
    const me = await signUp(api);
    expect((await api.post('/auth/password/reset', { email: me.email })).status).toBe(202);
    const [sent] = await waitForMail(`to:"${me.email}" subject:"atur ulang kata sandi"`);
    const code = /\b(\d{6})\b/.exec((await readMail(sent!.ID)).Text)?.[1];
    const confirm = await api.post('/auth/password/reset/confirm', {
      email: me.email,
      code,
      new_password: 'teh-manis-dingin',
    });
    expect(confirm.status).toBe(204);
  });

  it('lists my notifications newest first with an unread count; another shopper’s id is a 404', async () => {
    const me = await signUp(api);
    const other = await signUp(api);
    // The welcome first (written by the consumer), then a code (written by the API): newest first.
    await waitFor('the welcome row', async () => (await api.get('/notifications', me.token)).body.total === 1);
    await api.post('/auth/otp/send', { type: 'email' }, me.token);
    const list = await waitFor('two notifications', async () => {
      const res = await api.get('/notifications', me.token);
      return res.body.data?.length === 2 ? res : undefined;
    });
    expect(list.body).toMatchObject({ page: 1, page_size: 20, total: 2, unread: 2 });
    const [otp, welcome] = list.body.data;
    expect(otp).toMatchObject({ type: 'otp', content: null, read: false });
    expect(welcome).toMatchObject({ type: 'welcome', read: false });
    expect(new Date(otp.created_at) >= new Date(welcome.created_at)).toBe(true);

    expect((await api.patch(`/notifications/${welcome.id}/read`, undefined, other.token)).status).toBe(404);
    const read = await api.patch(`/notifications/${welcome.id}/read`, undefined, me.token);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: welcome.id, read: true });
    expect((await api.get('/notifications', me.token)).body.unread).toBe(1);
    expect((await api.get('/notifications', other.token)).body.data.map((n: { id: string }) => n.id)).not.toContain(
      welcome.id,
    );
    expect((await api.get('/notifications?page_size=51', me.token)).status).toBe(400);
  });

  it('mail server down: mail waits as pending, the shop is not slowed, and it all goes out in order when back', async () => {
    mail.use(createSmtpMailer(server().config.mail, { port: 1, timeoutMs: 500 }));
    const shoppers: Awaited<ReturnType<typeof signUp>>[] = [];
    try {
      const started = Date.now();
      for (let i = 0; i < 3; i++) shoppers.push(await signUp(api)); // registration answers as usual
      expect(Date.now() - started).toBeLessThan(10_000);
      const outagesBefore = spec.sender.stats().outages;
      await waitFor(
        'the sender to meet the dead server twice',
        async () => spec.sender.stats().outages >= outagesBefore + 2,
      );
      const rows = await waitFor('three welcome rows', async () => {
        const r = await Promise.all(shoppers.map(async (s) => (await rowsOf(s.id))[0]));
        return r.every(Boolean) ? r : undefined;
      });
      expect(rows.map((r) => r?.status)).toEqual(['pending', 'pending', 'pending']);
      const waiting = await db().notification.findFirst({
        where: { status: 'pending', channel: 'email', last_error: { contains: 'ECONNREFUSED' } },
      });
      expect(waiting).not.toBeNull();
      expect(await searchMail(`to:"${shoppers[0]!.email}"`)).toHaveLength(0);
    } finally {
      mail.use(real);
    }
    // Back: every waiting row is sent, in the order the rows were written (the consumer writes
    // them as it reads the events, and events of different shoppers sit on different partitions).
    // That order is Postgres's, the sender's: rows one batch wrote are microseconds apart, which a
    // JavaScript Date does not show.
    const queued = await db().notification.findMany({
      where: { user_id: { in: shoppers.map((s) => s.id) }, channel: 'email' },
      orderBy: [{ created_at: 'asc' }, { id: 'asc' }],
    });
    const arrived: MailpitSummary[] = [];
    for (const r of queued) arrived.push((await waitForMail(`to:"${r.recipient}" subject:"Selamat datang"`))[0]!);
    const times = arrived.map((m) => new Date(m.Created).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const s of shoppers) expect(await rowsOf(s.id)).toEqual([expect.objectContaining({ status: 'sent' })]);
  }, 60_000);

  it('a sender that dies between sending and recording leaves one email, not two', async () => {
    const store = createNotificationStore(db());
    const me = await signUp(api);
    await waitForMail(`to:"${me.email}" subject:"Selamat datang"`);
    // A notice row the dying sender will take: it sends, then never records (the process "died").
    let release: () => void = () => undefined;
    const dying: Mailer = {
      async send(m) {
        await real.send(m);
        if (m.subject === 'Uji kegagalan') await new Promise<void>((r) => (release = r));
      },
      close: () => undefined,
    };
    mail.use(dying);
    const row = await store.enqueue({
      user_id: me.id,
      type: 'account_exists',
      channel: 'email',
      recipient: me.email,
      subject: 'Uji kegagalan',
      content: 'Satu kali saja',
    });
    await waitForMail(`to:"${me.email}" subject:"Uji kegagalan"`);
    expect((await db().notification.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('pending');

    // Another sender takes the row when the lease ends, asks Mailpit, and does not send again.
    const next = createNotificationSender(store, real, logger, {
      messageIdDomain: messageIdDomain(server().config.mail.from),
      pollMs: 200,
    });
    next.start();
    try {
      await waitFor(
        'the row recovered',
        async () => (await db().notification.findUniqueOrThrow({ where: { id: row.id } })).status === 'sent',
        20_000,
      );
      expect(next.stats().recovered).toBe(1);
    } finally {
      await next.stop();
      mail.use(real);
      release();
    }
    const found = await searchMail(`to:"${me.email}" subject:"Uji kegagalan"`);
    expect(found).toHaveLength(1);
    expect((await db().notification.findUniqueOrThrow({ where: { id: row.id } })).attempts).toBe(2);
  }, 60_000);
});
