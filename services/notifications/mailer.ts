/**
 * The mail channel behind a small interface, so a real provider (SES, Postmark, an SMTP relay)
 * plugs in by implementing `Mailer`. The one here speaks SMTP through nodemailer (Mailpit
 * locally) and, where Mailpit's REST API is configured, can tell whether a message already
 * arrived, which lets the sender resend an unrecorded send without duplicating it.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../../platform/config';

export interface OutgoingMail {
  /** Deterministic per notification (`<id@domain>`): the same message whenever it is re-sent. */
  messageId: string;
  to: { address: string; name?: string };
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  /**
   * Whether a message with this Message-ID already reached the server; absent when the provider
   * cannot say (then a crash between sending and recording may send that message once more).
   */
  wasDelivered?(messageId: string): Promise<boolean>;
  close(): void;
}

/** Why a send failed: the server is unreachable (wait, never give up) or it refused the message. */
export class MailError extends Error {
  override name = 'MailError';
  constructor(
    message: string,
    readonly kind: 'unavailable' | 'rejected' | 'temporary',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** nodemailer's error: an SMTP reply code when the server answered, a code like ECONNECTION when not. */
export function classifyMailError(err: unknown): MailError {
  if (err instanceof MailError) return err;
  const e = err as { message?: string; code?: string; responseCode?: number };
  const message = e?.message ?? String(err);
  if (typeof e?.responseCode === 'number') {
    // 5xx is the server's final word on this message; 4xx asks us to try later.
    return new MailError(message, e.responseCode >= 500 ? 'rejected' : 'temporary', { cause: err });
  }
  return new MailError(message, 'unavailable', { cause: err });
}

/** The domain Message-IDs are minted under: the From address's. */
export function messageIdDomain(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'pasar.local';
}

/** A Mailer over SMTP; `overrides` points it elsewhere (tests: a closed port, to play an outage). */
export function createSmtpMailer(mail: Config['mail'], overrides: { port?: number; timeoutMs?: number } = {}): Mailer {
  const timeout = overrides.timeoutMs ?? 10_000;
  // One pooled connection: messages leave one at a time, in the order the sender hands them over.
  const transport = nodemailer.createTransport({
    host: mail.smtp.host,
    port: overrides.port ?? mail.smtp.port,
    secure: mail.smtp.secure,
    auth: mail.smtp.user ? { user: mail.smtp.user, pass: mail.smtp.password ?? '' } : undefined,
    pool: true,
    maxConnections: 1,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 3,
  });
  const lookup = mail.mailpitApiUrl ? mailpitLookup(mail.mailpitApiUrl, timeout) : undefined;
  return {
    async send(m) {
      try {
        await transport.sendMail({
          from: mail.from,
          to: m.to.name ? { name: m.to.name, address: m.to.address } : m.to.address,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: m.messageId,
        });
      } catch (err) {
        throw classifyMailError(err);
      }
    },
    ...(lookup ? { wasDelivered: lookup } : {}),
    close: () => transport.close(),
  };
}

/** Asks Mailpit's search API for a Message-ID; an unreachable API is an outage, never "not sent". */
function mailpitLookup(apiUrl: string, timeoutMs: number) {
  return async (messageId: string): Promise<boolean> => {
    const id = messageId.replace(/^<|>$/g, '');
    const url = `${apiUrl}/api/v1/search?query=${encodeURIComponent(`message-id:"${id}"`)}&limit=1`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new MailError(`mailpit API unreachable: ${(err as Error).message}`, 'unavailable', { cause: err });
    }
    if (!res.ok) throw new MailError(`mailpit API answered ${res.status}`, 'unavailable');
    const body = (await res.json()) as { messages?: { MessageID?: string }[] };
    return (body.messages ?? []).some((msg) => msg.MessageID === id);
  };
}
