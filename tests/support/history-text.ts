/**
 * Every piece of text a stored Temporal history holds, decoded: each payload (workflow and
 * activity inputs and results, signals, updates, queries' answers kept in the history, memo,
 * search attributes, failure details, marker and local-activity results) through the default
 * payload converter, and every other string or byte field (failure messages and stack traces,
 * identities, headers) as it is. A test then searches the lot for what must not be there.
 */
import { defaultPayloadConverter } from '@temporalio/client';

export interface HistoryText {
  /** Where it was found: the event's id and type, and the field path inside the event. */
  where: string;
  /** The attributes field of the event it sits in (e.g. activityTaskCompletedEventAttributes). */
  kind: string;
  text: string;
  /** True for a payload decoded by the payload converter. */
  payload: boolean;
}

type Node = unknown;

const isPayload = (node: Node): node is { metadata?: Record<string, Uint8Array>; data?: Uint8Array } =>
  typeof node === 'object' &&
  node !== null &&
  'metadata' in node &&
  typeof (node as { metadata: unknown }).metadata === 'object' &&
  (node as { metadata: Record<string, unknown> }).metadata?.encoding instanceof Uint8Array;

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** The text of one event (or any part of a history): decoded payloads and every string and byte field. */
export function textOf(node: Node, where: string, kind: string, out: HistoryText[] = []): HistoryText[] {
  if (node === null || node === undefined) return out;
  if (typeof node === 'string') {
    out.push({ where, kind, text: node, payload: false });
  } else if (node instanceof Uint8Array) {
    out.push({ where, kind, text: utf8(node), payload: false });
  } else if (isPayload(node)) {
    let decoded: string;
    try {
      decoded = JSON.stringify(defaultPayloadConverter.fromPayload(node)) ?? '';
    } catch (err) {
      // An encoding the default converter does not know: its raw bytes are still searched.
      decoded = `undecodable (${(err as Error).message})`;
    }
    out.push({ where, kind, text: decoded, payload: true });
    if (node.data) out.push({ where, kind, text: utf8(node.data), payload: false });
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => textOf(item, `${where}[${i}]`, kind, out));
  } else if (typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'function') continue;
      textOf(value, `${where}.${key}`, kind, out);
    }
  }
  return out;
}

/** The text of every event of a fetched history, each labelled with its event and attributes field. */
export function historyText(history: { events?: object[] | null }): HistoryText[] {
  const out: HistoryText[] = [];
  for (const event of (history.events ?? []) as Record<string, unknown>[]) {
    const kind = Object.keys(event).find((k) => k.endsWith('Attributes') && event[k]) ?? 'event';
    textOf(event, `event ${String(event.eventId)}`, kind, out);
  }
  return out;
}
