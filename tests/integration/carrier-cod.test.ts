/**
 * Cash on delivery at the carrier simulator, over the wire (a process of the test's own): a COD
 * parcel's `delivered` event carries the cash collected (stream and webhook alike) and no other
 * event or parcel does; a recipient who will not pay sends it back; the carrier refuses COD where
 * it offers none, above its maximum, and malformed amounts naming the field; collected cash is
 * remitted, and the short-remit control makes one parcel's remittance fall short.
 */
import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import {
  COD_CARRIER_MAX_AMOUNT,
  type CarrierEvent,
  type CodRemittance,
  type TrackingStatus,
} from '../../contracts/carrier';
import { verifyCarrierWebhook } from '../../contracts/webhook-signature/carrier';
import { bookingRequest, freePort, useCarrierProcess } from './carrier/carrier-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A webhook receiver of the test's own: keeps every body it is posted.
let receiverPort = 0;
let receiver: Server;
const received: { raw: string; timestamp?: string; signature?: string }[] = [];
beforeAll(async () => {
  receiverPort = await freePort();
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      received.push({
        raw,
        timestamp: req.headers['x-carrier-timestamp'] as string | undefined,
        signature: req.headers['x-carrier-signature'] as string | undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(receiverPort, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

const carrier = useCarrierProcess({ webhookUrl: () => `http://127.0.0.1:${receiverPort}/shipments/webhook` });

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The parcel's events once its journey has sent `last` (the carrier sends nothing after it). */
const journeyUntil = (awb: string, last: TrackingStatus) =>
  until(
    `${awb} to reach ${last}`,
    async () => (await carrier().call('GET', `/v1/bookings/${awb}`)).body.events as CarrierEvent[],
    (events) => events.some((e) => e.status === last),
  );

const remittances = async (query = '') =>
  (await carrier().call('GET', `/v1/cod/remittances${query}`)).body.remittances as CodRemittance[];
const remittanceOf = async (awb: string) => (await remittances()).filter((r) => r.items.some((i) => i.awb === awb));

async function book(overrides: Parameters<typeof bookingRequest>[0]) {
  const { status, body } = await carrier().call('POST', '/v1/bookings', bookingRequest(overrides));
  expect(status).toBe(201);
  return body as { awb: string; reference: string; cod_amount?: string };
}

/** Collects every stream frame of `awb` from the start until `count` have arrived. */
function streamOf(awb: string, count: number): Promise<CarrierEvent[]> {
  const { url, apiKey } = carrier();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/stream?after=0`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const events: CarrierEvent[] = [];
    const timer = setTimeout(() => (ws.terminate(), reject(new Error(`only ${events.length} of ${count}`))), 15_000);
    ws.on('message', (data) => {
      const { event } = JSON.parse(String(data)) as { event: CarrierEvent };
      if (event.awb === awb) events.push(event);
      if (events.length >= count) {
        clearTimeout(timer);
        ws.close();
        resolve(events);
      }
    });
    ws.on('error', reject);
  });
}

describe('carrier simulator: cash on delivery', () => {
  it('puts the cash collected on the delivered event of a COD parcel only, on the stream', async () => {
    const cod = await book({ cod: { amount: '125000.00' }, step_ms: 15 });
    expect(cod.cod_amount).toBe('125000.00');
    const plain = await book({ step_ms: 15 });
    expect(plain).not.toHaveProperty('cod_amount');

    const events = await journeyUntil(cod.awb, 'delivered');
    const delivered = events.filter((e) => e.status === 'delivered');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.cod_collected).toEqual({ amount: '125000.00' });
    for (const e of events.filter((e) => e.status !== 'delivered')) expect(e).not.toHaveProperty('cod_collected');
    // What the stream pushes is what the log holds.
    const streamed = await streamOf(cod.awb, events.length);
    expect(streamed.find((e) => e.status === 'delivered')?.cod_collected).toEqual({ amount: '125000.00' });
    expect(streamed.filter((e) => e.cod_collected)).toHaveLength(1);

    const plainEvents = await journeyUntil(plain.awb, 'delivered');
    for (const e of plainEvents) expect(e).not.toHaveProperty('cod_collected');
    expect(await remittanceOf(plain.awb)).toEqual([]);
  });

  it('puts it on the delivered webhook, signed like every other, and on that one only', async () => {
    const { awb } = await book({ cod: { amount: '87500.50' }, delivery: 'webhook', step_ms: 15 });
    const mine = () =>
      received
        .filter((r) => (JSON.parse(r.raw) as CarrierEvent).awb === awb)
        .map((r) => ({
          ...r,
          event: JSON.parse(r.raw) as CarrierEvent,
        }));
    const posts = await until(
      `${awb}'s delivered webhook`,
      async () => mine(),
      (p) => p.some((x) => x.event.status === 'delivered'),
    );
    expect(posts).toHaveLength(7);
    for (const p of posts) {
      expect(
        verifyCarrierWebhook(carrier().webhookSecret, p.raw, { timestamp: p.timestamp, signature: p.signature }),
      ).toEqual({ ok: true });
      if (p.event.status === 'delivered') expect(p.event.cod_collected).toEqual({ amount: '87500.50' });
      else expect(p.event).not.toHaveProperty('cod_collected');
    }
  });

  it('collects once when the carrier sends the delivered scan twice (duplicated)', async () => {
    const { awb } = await book({ cod: { amount: '50000.00' }, scenario: 'duplicated', step_ms: 15 });
    const events = await until(
      `${awb}'s two delivered copies`,
      async () => (await carrier().call('GET', `/v1/bookings/${awb}`)).body.events as CarrierEvent[],
      (e) => e.filter((x) => x.status === 'delivered').length === 2,
    );
    const copies = events.filter((e) => e.status === 'delivered');
    expect(copies.map((e) => e.cod_collected)).toEqual([{ amount: '50000.00' }, { amount: '50000.00' }]);
    expect(copies[0]!.event_id).toBe(copies[1]!.event_id);
    const remitted = await remittanceOf(awb);
    expect(remitted).toHaveLength(1);
    expect(remitted[0]!.items).toHaveLength(1);
  });

  it('refused: the recipient will not pay, the parcel goes back, nothing is collected or remitted', async () => {
    const { awb } = await book({ cod: { amount: '125000.00' }, scenario: 'refused', step_ms: 15 });
    const events = await journeyUntil(awb, 'returned_to_sender');
    expect(events.map((e) => e.status).slice(-3)).toEqual([
      'out_for_delivery',
      'delivery_failed',
      'returned_to_sender',
    ]);
    expect(events.find((e) => e.status === 'delivery_failed')?.description).toMatch(/refused the COD parcel/);
    for (const e of events) expect(e).not.toHaveProperty('cod_collected');
    expect(events.map((e) => e.status)).not.toContain('delivered');
    expect(await remittanceOf(awb)).toEqual([]);
  });

  it('refuses COD where the carrier offers none: JNE YES, the Papua provinces, Maluku Utara', async () => {
    const papua = (province: string) => ({ ...bookingRequest().destination, province, city: 'Jayapura' });
    for (const overrides of [
      { service: 'YES' as const },
      { destination: papua('Papua') },
      { carrier: 'jnt' as const, service: 'EZ' as const, destination: papua('Papua Pegunungan') },
      { carrier: 'sicepat' as const, service: 'BEST' as const, destination: papua('PROVINSI MALUKU UTARA') },
    ]) {
      const { status, body } = await carrier().call(
        'POST',
        '/v1/bookings',
        bookingRequest({ ...overrides, cod: { amount: '10000.00' } }),
      );
      expect(status).toBe(422);
      expect(body.error).toMatchObject({ code: 'cod_not_offered', field: 'cod' });
      // The same parcel without cash on delivery is booked.
      const plain = await carrier().call(
        'POST',
        '/v1/bookings',
        bookingRequest({ ...overrides, scenario: 'no_pickup' }),
      );
      expect(plain.status).toBe(201);
    }
  });

  it('refuses a malformed, zero, negative or too-large amount with a 400 naming the field', async () => {
    const over = `${Number(COD_CARRIER_MAX_AMOUNT.split('.')[0]) + 1}.00`;
    for (const [cod, field] of [
      [{ amount: '0.00' }, 'cod.amount'],
      [{ amount: '-5000.00' }, 'cod.amount'],
      [{ amount: '125000' }, 'cod.amount'],
      [{ amount: '125000.5' }, 'cod.amount'],
      [{ amount: '125000.000' }, 'cod.amount'],
      [{ amount: 125000 }, 'cod.amount'],
      [{ amount: '1e5' }, 'cod.amount'],
      [{ amount: over }, 'cod.amount'],
      [{}, 'cod.amount'],
      [{ amount: '1000.00', currency: 'IDR' }, 'cod'],
      ['125000.00', 'cod'],
    ] as const) {
      const { status, body } = await carrier().call('POST', '/v1/bookings', bookingRequest({ cod } as never));
      expect([JSON.stringify(cod), status]).toEqual([JSON.stringify(cod), 400]);
      expect(body.error).toMatchObject({ code: 'invalid_request', field });
    }
    const atMax = await carrier().call(
      'POST',
      '/v1/bookings',
      bookingRequest({ cod: { amount: COD_CARRIER_MAX_AMOUNT }, scenario: 'no_pickup' }),
    );
    expect(atMax.status).toBe(201);
  });

  it('answers a repeated reference with the first booking, its COD amount included', async () => {
    const request = bookingRequest({ cod: { amount: '99000.00' }, scenario: 'no_pickup' });
    const first = await carrier().call('POST', '/v1/bookings', request);
    const again = await carrier().call('POST', '/v1/bookings', request);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.body.cod_amount).toBe('99000.00');
    // A retry that lost the cod (or changed it) still answers what was booked: one parcel, one amount.
    const { cod: _cod, ...without } = request;
    const bare = await carrier().call('POST', '/v1/bookings', without);
    expect(bare.body).toEqual(first.body);
    expect((await carrier().call('GET', `/v1/bookings/${first.body.awb}`)).body.cod_amount).toBe('99000.00');
  });

  it('remits each collected parcel with its amount, listed since a time and by carrier', async () => {
    const before = new Date().toISOString();
    const jne = await book({ cod: { amount: '150000.00' }, step_ms: 15 });
    const jnt = await book({ carrier: 'jnt', service: 'EZ', cod: { amount: '42500.25' }, step_ms: 15 });
    await Promise.all([journeyUntil(jne.awb, 'delivered'), journeyUntil(jnt.awb, 'delivered')]);
    const delivered = (await carrier().call('GET', `/v1/bookings/${jne.awb}`)).body.events.find(
      (e: CarrierEvent) => e.status === 'delivered',
    ) as CarrierEvent;

    const listed = await remittances(`?since=${encodeURIComponent(before)}`);
    const items = listed.flatMap((r) => r.items.map((i) => ({ ...i, carrier: r.carrier })));
    expect(items).toEqual(
      expect.arrayContaining([
        {
          awb: jne.awb,
          reference: jne.reference,
          amount: '150000.00',
          collected_at: delivered.occurred_at,
          carrier: 'jne',
        },
        expect.objectContaining({ awb: jnt.awb, reference: jnt.reference, amount: '42500.25', carrier: 'jnt' }),
      ]),
    );
    for (const r of listed) {
      expect(Date.parse(r.remitted_at)).toBeGreaterThanOrEqual(Date.parse(before));
      const sum = r.items.reduce((s, i) => s + Math.round(Number(i.amount) * 100), 0);
      expect(Math.round(Number(r.total) * 100)).toBe(sum);
    }
    const times = listed.map((r) => Date.parse(r.remitted_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // `since` past them lists neither; `carrier` lists that carrier's only.
    const later = new Date(Math.max(...times) + 1).toISOString();
    expect((await remittances(`?since=${encodeURIComponent(later)}`)).map((r) => r.remittance_id)).toEqual([]);
    const onlyJnt = await remittances(`?since=${encodeURIComponent(before)}&carrier=jnt`);
    expect(onlyJnt.map((r) => r.carrier)).toEqual(onlyJnt.map(() => 'jnt'));
    expect(onlyJnt.flatMap((r) => r.items.map((i) => i.awb))).toContain(jnt.awb);
    expect(onlyJnt.flatMap((r) => r.items.map((i) => i.awb))).not.toContain(jne.awb);

    for (const [query, field] of [
      ['?since=yesterday', 'since'],
      ['?carrier=pos', 'carrier'],
    ] as const) {
      const { status, body } = await carrier().call('GET', `/v1/cod/remittances${query}`);
      expect(status).toBe(400);
      expect(body.error.field).toBe(field);
    }
    expect((await fetch(`${carrier().url}/v1/cod/remittances`)).status).toBe(401);
  });

  it('short-remit: the carrier remits less than it collected for that one parcel', async () => {
    // Delivered 3 s after booking: the control, one local call later, lands long before (its 200
    // says so: after the collection it would be refused as already remitted).
    const short = await book({ cod: { amount: '200000.00' }, step_ms: 500 });
    const full = await book({ cod: { amount: '200000.00' }, step_ms: 15 });
    const set = await carrier().call('POST', '/v1/test/cod/short-remit', { awb: short.awb, amount: '180000.00' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ awb: short.awb, collects: '200000.00', remits: '180000.00' });

    const events = await journeyUntil(short.awb, 'delivered');
    await journeyUntil(full.awb, 'delivered');
    // The courier still collected the whole amount at the door; only the remittance falls short.
    expect(events.find((e) => e.status === 'delivered')?.cod_collected).toEqual({ amount: '200000.00' });
    const [shortRemitted] = await remittanceOf(short.awb);
    expect(shortRemitted).toMatchObject({ total: '180000.00', items: [{ awb: short.awb, amount: '180000.00' }] });
    const [fullRemitted] = await remittanceOf(full.awb);
    expect(fullRemitted).toMatchObject({ total: '200000.00', items: [{ awb: full.awb, amount: '200000.00' }] });

    // Once remitted, a remittance never changes; a parcel without COD or unknown is refused.
    const late = await carrier().call('POST', '/v1/test/cod/short-remit', { awb: short.awb, amount: '1.00' });
    expect([late.status, late.body.error.code]).toEqual([409, 'already_remitted']);
    const plain = await book({ scenario: 'no_pickup' });
    const notCod = await carrier().call('POST', '/v1/test/cod/short-remit', { awb: plain.awb, amount: '1.00' });
    expect([notCod.status, notCod.body.error.code]).toEqual([409, 'not_cod']);
    const unknown = await carrier().call('POST', '/v1/test/cod/short-remit', { awb: 'JNE0000000000', amount: '1.00' });
    expect(unknown.status).toBe(404);
    const bad = await carrier().call('POST', '/v1/test/cod/short-remit', { awb: plain.awb, amount: '1' });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'amount']);
  });
});
