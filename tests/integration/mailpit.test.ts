/**
 * Mailpit, the stack's mail server: a message sent over SMTP with the app's settings is kept and
 * found through its REST API, by recipient and by Message-ID (what the notification sender's
 * delivery check asks), with both parts intact.
 */
import { randomUUID } from 'node:crypto';
import { getConfig } from '../../platform/config';
import { createSmtpMailer } from '../../services/notifications/mailer';
import { mailpitInfo, readMail, searchMail } from '../support/mailpit';

const config = getConfig();

describe('Mailpit over SMTP and its REST API', () => {
  const mailer = createSmtpMailer(config.mail);
  afterAll(() => mailer.close());

  it('keeps what it receives and finds it by recipient and Message-ID', async () => {
    const to = `mailpit-${randomUUID()}@example.id`;
    const messageId = `<${randomUUID()}@pasar.local>`;
    await mailer.send({
      messageId,
      to: { address: to },
      subject: 'Uji Mailpit',
      text: 'Halo dari Pasar',
      html: '<p>Halo</p>',
    });

    const found = await searchMail(`to:"${to}"`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Subject: 'Uji Mailpit', MessageID: messageId.slice(1, -1) });

    const message = await readMail(found[0]!.ID);
    expect(message.Text).toContain('Halo dari Pasar');
    expect(message.HTML).toContain('<p>Halo</p>');

    expect(await mailer.wasDelivered!(messageId)).toBe(true);
    expect(await mailer.wasDelivered!(`<${randomUUID()}@pasar.local>`)).toBe(false);
  });

  it('reports where it keeps its messages (the stack state dir, so they survive a restart)', async () => {
    expect((await mailpitInfo()).Database).toMatch(/mailpit\/mailpit\.db$/);
  });
});
