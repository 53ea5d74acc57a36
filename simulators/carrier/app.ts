/**
 * The carrier simulator's partner API, shaped like an Indonesian courier's (JNE, J&T, SiCepat):
 * bookings idempotent on the shop's `reference`, an airway bill per parcel, cancel before pickup,
 * a tracking lookup, cash on delivery and its remittances (cod.ts). Tracking events go out on the
 * push stream (stream.ts) or as signed webhooks (webhooks.ts) on the booking's scenario timeline
 * (scenarios.ts). `/v1/test/*` are test controls a real courier does not have.
 */
import { randomInt } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  CARRIERS,
  SCENARIOS,
  codOffered,
  type Booking,
  type BookingRequest,
  type CarrierCode,
  type CarrierService,
} from '../../contracts/carrier';
import { CodRequestSchema, RemitAmountSchema } from './cod';
import type { Journeys } from './journeys';
import { isPickedUp } from './scenarios';
import type { CarrierState, StoredBooking } from './state';
import type { StreamHub } from './stream';
import type { WebhookSender } from './webhooks';

const AddressSchema = z.object({
  name: z.string().min(1).max(100),
  phone: z.string().min(6).max(20),
  line1: z.string().min(1).max(255),
  city: z.string().min(1).max(100),
  province: z.string().min(1).max(100),
  postal_code: z.string().regex(/^\d{5}$/),
});

const BookingSchema = z
  .object({
    reference: z.string().min(1).max(100),
    carrier: z.enum(Object.keys(CARRIERS) as [CarrierCode, ...CarrierCode[]]),
    service: z.string().min(1).max(10),
    origin: AddressSchema,
    destination: AddressSchema,
    weight_grams: z.number().int().min(1).max(50_000),
    delivery: z.enum(['websocket', 'webhook']),
    scenario: z.enum(SCENARIOS).optional(),
    cod: CodRequestSchema.optional(),
    /** Simulator only: journey steps this many ms apart (tests); a real carrier ignores it. */
    step_ms: z.number().int().min(5).max(3_600_000).optional(),
  })
  .refine((b) => (CARRIERS[b.carrier].services as readonly string[]).includes(b.service), {
    path: ['service'],
    message: 'service not offered by this carrier',
  });

const AWB_PREFIX: Record<CarrierCode, string> = { jne: 'JNE', jnt: 'JP', sicepat: 'SCP' };

const RemittancesQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  carrier: z.enum(Object.keys(CARRIERS) as [CarrierCode, ...CarrierCode[]]).optional(),
});
const ShortRemitSchema = z.object({ awb: z.string().min(1).max(30), amount: RemitAmountSchema });

const fail = (c: Context, status: 400 | 401 | 404 | 409 | 422, code: string, message: string, field?: string) =>
  c.json({ error: { code, message, ...(field ? { field } : {}) } }, status);

const view = (b: StoredBooking): Booking => ({
  awb: b.awb,
  reference: b.reference,
  carrier: b.carrier,
  service: b.service,
  status: b.status,
  booked_at: b.booked_at,
  ...(b.cod_amount === undefined ? {} : { cod_amount: b.cod_amount }),
});

/** The first problem of a failed parse as the 400 every route answers: the field named. */
const invalid = (c: Context, issues: z.core.$ZodIssue[], where = 'body') => {
  const issue = issues[0];
  const field = issue?.path.join('.') || where;
  return fail(c, 400, 'invalid_request', `${field}: ${issue?.message ?? 'invalid'}`, field);
};

export interface CarrierAppDeps {
  apiKey: string;
  state: CarrierState;
  journeys: Journeys;
  hub: StreamHub;
  webhooks: WebhookSender;
}

export function createCarrierApp({ apiKey, state, journeys, hub, webhooks }: CarrierAppDeps) {
  const newAwb = (carrier: CarrierCode) => {
    for (;;) {
      const awb = `${AWB_PREFIX[carrier]}${String(randomInt(0, 10_000_000_000)).padStart(10, '0')}`;
      if (!state.booking(awb)) return awb;
    }
  };

  const app = new Hono();
  app.get('/healthz', (c) =>
    c.json({ status: 'ok', bookings: state.bookings().length, last_seq: state.lastSeq(), ...hub.stats() }),
  );

  app.use('/v1/*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${apiKey}`) return fail(c, 401, 'unauthorized', 'invalid API key');
    await next();
  });

  app.post('/v1/bookings', async (c) => {
    const parsed = BookingSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return invalid(c, parsed.error.issues);
    const { step_ms, ...request } = parsed.data;
    const service = request.service as CarrierService;
    if (request.cod && !codOffered(request.carrier, service, request.destination.province)) {
      const where = `${CARRIERS[request.carrier].name} ${service} to ${request.destination.province}`;
      return fail(c, 422, 'cod_not_offered', `cod: no cash on delivery for ${where}`, 'cod');
    }
    const existing = state.bookingForReference(request.reference);
    if (existing) return c.json(view(existing), 200);
    const booking: StoredBooking = {
      awb: newAwb(request.carrier),
      reference: request.reference,
      carrier: request.carrier,
      service,
      status: 'booked',
      booked_at: new Date().toISOString(),
      ...(request.cod ? { cod_amount: request.cod.amount } : {}),
      scenario: request.scenario ?? 'normal',
      delivery: request.delivery,
      ...(step_ms === undefined ? {} : { step_ms }),
      request: request as BookingRequest,
    };
    state.saveBooking(booking); // recorded before it is answered or any event goes out
    journeys.schedule(booking);
    return c.json(view(booking), 201);
  });

  app.get('/v1/bookings/:awb', (c) => {
    const booking = state.booking(c.req.param('awb'));
    if (!booking) return fail(c, 404, 'not_found', 'no such airway bill');
    return c.json({ ...view(booking), events: state.sentFor(booking.awb).map((s) => s.event) });
  });

  app.post('/v1/bookings/:awb/cancel', (c) => {
    const booking = state.booking(c.req.param('awb'));
    if (!booking) return fail(c, 404, 'not_found', 'no such airway bill');
    if (booking.status === 'cancelled') return c.json(view(booking));
    if (isPickedUp(state.sentFor(booking.awb).map((s) => s.event.status))) {
      return fail(c, 409, 'already_picked_up', 'the parcel has been picked up; it can no longer be cancelled');
    }
    journeys.cancel(booking.awb);
    const cancelled: StoredBooking = { ...booking, status: 'cancelled' };
    state.saveBooking(cancelled);
    return c.json(view(cancelled));
  });

  /** The settlement reports of collected COD cash, remitted at or after `since`, oldest first. */
  app.get('/v1/cod/remittances', (c) => {
    const query = RemittancesQuery.safeParse(c.req.query());
    if (!query.success) return invalid(c, query.error.issues, 'query');
    const since = query.data.since ? Date.parse(query.data.since) : -Infinity;
    const remittances = state
      .remittances()
      .filter((r) => Date.parse(r.remitted_at) >= since && (!query.data.carrier || r.carrier === query.data.carrier));
    return c.json({ remittances });
  });

  /**
   * Test control: the carrier will remit `amount` for this COD parcel instead of what it collects
   * (a courier's short remittance, for the shop's reconciliation to catch). Only before the
   * parcel's cash is remitted: a remittance never changes once listed.
   */
  app.post('/v1/test/cod/short-remit', async (c) => {
    const parsed = ShortRemitSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return invalid(c, parsed.error.issues);
    const { awb, amount } = parsed.data;
    const booking = state.booking(awb);
    if (!booking) return fail(c, 404, 'not_found', 'no such airway bill', 'awb');
    if (booking.cod_amount === undefined) return fail(c, 409, 'not_cod', 'the parcel is not cash on delivery', 'awb');
    if (state.remittanceOf(awb))
      return fail(c, 409, 'already_remitted', "the parcel's cash is already remitted", 'awb');
    state.setShortRemit(awb, amount);
    return c.json({ awb, collects: booking.cod_amount, remits: amount });
  });

  /** Test control: cut every stream socket at once (the "websocket cut mid-delivery" drill). */
  app.post('/v1/test/drop-connections', (c) => c.json({ dropped: hub.dropAll() }));
  app.get('/v1/test/stream', (c) => c.json({ last_seq: state.lastSeq(), ...hub.stats() }));
  /**
   * Test control: streams `{event}` as an event frame as it is, with the next seq (a malformed
   * event: a status the shop does not know, an airway bill with a control character...).
   */
  app.post('/v1/test/stream/raw-event', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { event?: unknown } | null;
    if (typeof body?.event !== 'object' || body.event === null || Array.isArray(body.event))
      return fail(c, 400, 'invalid_request', 'event: an object', 'event');
    const event = state.recordRaw(body.event as Record<string, unknown>);
    hub.publish(event);
    return c.json({ seq: event.seq }, 201);
  });
  app.get('/v1/test/webhooks', (c) => c.json({ deliveries: webhooks.history.slice(-500) }));

  return app;
}
