/** Reads what reached Mailpit through its REST API (/api/v1/search, /api/v1/message/{ID}). */
import { setTimeout as sleep } from 'node:timers/promises';
import { getConfig } from '../../platform/config';

export interface MailpitSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  Created: string;
  To: { Address: string; Name: string }[];
}

export interface MailpitMessage extends MailpitSummary {
  Text: string;
  HTML: string;
}

export const mailpitApi = () => getConfig().mail.mailpitApiUrl ?? 'http://127.0.0.1:8025';

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${mailpitApi()}${path}`);
  if (!res.ok) throw new Error(`mailpit ${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** Messages matching a Mailpit search (e.g. `to:"a@b.id"`), newest first. */
export async function searchMail(query: string): Promise<MailpitSummary[]> {
  const body = await get<{ messages: MailpitSummary[] }>(`/api/v1/search?query=${encodeURIComponent(query)}&limit=200`);
  return body.messages;
}

export const readMail = (id: string) => get<MailpitMessage>(`/api/v1/message/${id}`);

export const mailpitInfo = () => get<{ Database: string; Messages: number }>('/api/v1/info');

/** Waits until `query` finds at least `count` messages; returns them (newest first). */
export async function waitForMail(query: string, count = 1, timeoutMs = 20_000): Promise<MailpitSummary[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await searchMail(query);
    if (found.length >= count || Date.now() > deadline) return found;
    await sleep(200);
  }
}
