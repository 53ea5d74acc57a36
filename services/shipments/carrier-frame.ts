/**
 * What one frame of the carrier's push stream says: an event (checked by carrier-event-schema.ts),
 * a frame of another type (the carrier's business, ignored), or a malformed event frame. A frame
 * that is not JSON, not an object, or whose event breaks the schema is malformed: it names the
 * first field at fault, and its seq when the frame carries a usable one, so the link can record
 * it as refused and move past it instead of reconnecting to the same frame forever.
 */
import { createHash } from 'node:crypto';
import type { CarrierEvent } from '../../contracts/carrier';
import { CarrierEventSchema, parseCarrierEvent } from './carrier-event-schema';

export interface MalformedCarrierFrame {
  /** The frame's place in the stream, when it carries a usable one. */
  seq: number | undefined;
  /**
   * The event id as sent when it is a valid identifier, else `malformed:` and the frame's hash:
   * the same frame replayed is the same refusal.
   */
  eventId: string;
  field: string;
  message: string;
  /** The event object as sent, when there is one (else the frame as sent). */
  sent: unknown;
  /** The frame's text as received. */
  raw: string;
}

export type CarrierFrame =
  | { kind: 'event'; event: CarrierEvent; cleaned: string[] }
  | { kind: 'other' }
  | { kind: 'malformed'; frame: MalformedCarrierFrame };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const usableSeq = (x: unknown) => (typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? x : undefined);
const frameId = (raw: string) => `malformed:${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`;

export function readCarrierFrame(raw: string): CarrierFrame {
  const malformed = (field: string, message: string, sent: unknown, seq?: number): CarrierFrame => {
    const sentId = isObject(sent) ? sent.event_id : undefined;
    const eventId = CarrierEventSchema.shape.event_id.safeParse(sentId).success ? (sentId as string) : frameId(raw);
    return { kind: 'malformed', frame: { seq, eventId, field, message, sent, raw } };
  };
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return malformed('frame', 'not JSON', raw);
  }
  if (!isObject(frame)) return malformed('frame', 'not a JSON object', frame);
  if (frame.type !== 'event') return { kind: 'other' };
  const sent = frame.event;
  if (!isObject(sent)) return malformed('event', 'not a JSON object', sent);
  const parsed = parseCarrierEvent(sent);
  if (!parsed.ok) return malformed(parsed.field, parsed.message, sent, usableSeq(sent.seq));
  return { kind: 'event', event: parsed.event, cleaned: parsed.cleaned };
}
