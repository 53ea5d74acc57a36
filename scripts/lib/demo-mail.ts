/**
 * The demo's last step: the email the shopper got about their order, read back from Mailpit's
 * REST API (the notification consumer and its sender put it there; `npm start` runs both).
 */
import { getConfig } from '../../platform/config';

interface Found {
  ID: string;
  Subject: string;
}

/** Waits up to `timeoutMs` for mail to `email` about `orderNumber` and prints it. */
export async function showOrderEmail(email: string, orderNumber: string, timeoutMs = 30_000): Promise<void> {
  const api = getConfig().mail.mailpitApiUrl;
  if (!api) return;
  const query = encodeURIComponent(`to:"${email}" subject:"${orderNumber}"`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await (await fetch(`${api}/api/v1/search?query=${query}`)).json()) as { messages: Found[] };
    const [latest] = found.messages;
    if (latest) {
      const message = (await (await fetch(`${api}/api/v1/message/${latest.ID}`)).json()) as { Text: string };
      console.log(`\nThe email ${email} received (from Mailpit, ${api}/api/v1/message/${latest.ID}):`);
      console.log(
        `   Subject: ${latest.Subject}\n${message.Text.replace(/\r\n/g, '\n').trimEnd().replace(/^/gm, '   ')}`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`\nNo email about ${orderNumber} in Mailpit yet (are the consumers running? npm start runs them)`);
}
