/**
 * Mailpit, the stack's mail server: a message sent over SMTP with the app's settings is kept and
 * found through its REST API, by recipient and by Message-ID (what the notification sender's
 * delivery check asks), with both parts intact.
 */
import { randomUUID } from 'node:crypto';
import { getConfig } from '../../platform/config';
import { createSmtpMailer } from '../../services/notifications/mailer';

const config = getConfig();
const api = config.mail.mailpitApiUrl!;

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

    const found = await (await fetch(`${api}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`)).json();
    expect(found.messages).toHaveLength(1);
    expect(found.messages[0]).toMatchObject({ Subject: 'Uji Mailpit', MessageID: messageId.slice(1, -1) });

    const message = await (await fetch(`${api}/api/v1/message/${found.messages[0].ID}`)).json();
    expect(message.Text).toContain('Halo dari Pasar');
    expect(message.HTML).toContain('<p>Halo</p>');

    expect(await mailer.wasDelivered!(messageId)).toBe(true);
    expect(await mailer.wasDelivered!(`<${randomUUID()}@pasar.local>`)).toBe(false);
  });

  it('reports where it keeps its messages (the stack state dir, so they survive a restart)', async () => {
    const info = await (await fetch(`${api}/api/v1/info`)).json();
    expect(info.Database).toMatch(/mailpit\/mailpit\.db$/);
  });
});
