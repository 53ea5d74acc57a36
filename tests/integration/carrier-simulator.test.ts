/**
 * The carrier simulator as the shop sees it over the wire (a process of the test's own): bookings
 * idempotent on reference, every scenario's event sequence, cancel before pickup only, signed
 * webhooks retried until a 2xx, the push stream's replay after `seq`, and its log and journeys
 * surviving a restart (cash on delivery's amounts and remittances with them; carrier-cod.test.ts
 * has the rest of COD).
 */
import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import type { CarrierEvent, Scenario, TrackingStatus } from '../../contracts/carrier';
import { verifyCarrierWebhook } from '../../contracts/webhook-signature/carrier';
import { bookingRequest, freePort, useCarrierProcess } from './carrier/carrier-process';
import { NORMAL_JOURNEY } from '../../contracts/carrier';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A webhook receiver of the test's own: answers 500 to the first `failFirst` posts of an event id.
let receiverPort = 0;
let receiver: Server;
const received: { headers: { timestamp: string | undefined; signature: string | undefined }; raw: string }[] = [];
const failFirst = new Map<string, number>();

beforeAll(async () => {
  receiverPort = await freePort();
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const id = (JSON.parse(raw) as CarrierEvent).event_id;
      const left = failFirst.get(id) ?? 0;
      if (left > 0) {
        failFirst.set(id, left - 1);
        res.writeHead(500).end();
        return;
      }
      received.push({
        headers: {
          timestamp: req.headers['x-carrier-timestamp'] as string | undefined,
          signature: req.headers['x-carrier-signature'] as string | undefined,
        },
        raw,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(receiverPort, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

const carrier = useCarrierProcess({ webhookUrl: () => `http://127.0.0.1:${receiverPort}/shipments/webhook` });

async function eventsOf(awb: string, count: number, timeoutMs = 15_000): Promise<CarrierEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await carrier().call('GET', `/v1/bookings/${awb}`);
    if (body.events.length >= count || Date.now() > deadline) return body.events as CarrierEvent[];
    await sleep(50);
  }
}

/** Opens the stream after `after` and collects frames until `count` events arrived. */
function collectStream(after: number, count: number, ack = true): Promise<CarrierEvent[]> {
  const { url, apiKey } = carrier();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/stream?after=${after}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const events: CarrierEvent[] = [];
    const timer = setTimeout(
      () => (ws.terminate(), reject(new Error(`only ${events.length} of ${count} events`))),
      15_000,
    );
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; event: CarrierEvent };
      events.push(frame.event);
      if (ack) ws.send(JSON.stringify({ type: 'ack', seq: frame.event.seq }));
      if (events.length >= count) {
        clearTimeout(timer);
        ws.close();
        resolve(events);
      }
    });
    ws.on('error', reject);
  });
}

const NORMAL = [...NORMAL_JOURNEY];

describe('carrier simulator', () => {
  it('refuses a call without the API key, and bad input with a 400 naming the field', async () => {
    const res = await fetch(`${carrier().url}/v1/bookings`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    for (const [overrides, field] of [
      [{ service: 'EZ' }, 'service'],
      [{ weight_grams: -1 }, 'weight_grams'],
      [{ weight_grams: '1000' }, 'weight_grams'],
      [{ carrier: 'pos' }, 'carrier'],
      [{ scenario: 'teleported' }, 'scenario'],
    ] as const) {
      const { status, body } = await carrier().call('POST', '/v1/bookings', bookingRequest(overrides as never));
      expect(status).toBe(400);
      expect(body.error.field).toBe(field);
    }
  });

  it('books once per reference and answers the same airway bill again', async () => {
    const request = bookingRequest({ scenario: 'no_pickup' });
    const first = await carrier().call('POST', '/v1/bookings', request);
    expect(first.status).toBe(201);
    expect(first.body.awb).toMatch(/^JNE\d{10}$/);
    const again = await carrier().call('POST', '/v1/bookings', request);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const jnt = await carrier().call('POST', '/v1/bookings', bookingRequest({ carrier: 'jnt', service: 'EZ' }));
    expect(jnt.body.awb).toMatch(/^JP\d{10}$/);
  });

  it.each<[Scenario, TrackingStatus[]]>([
    ['normal', NORMAL],
    ['failed_attempt', [...NORMAL.slice(0, 6), 'delivery_failed', 'out_for_delivery', 'delivered']],
    [
      'returned',
      [...NORMAL.slice(0, 6), 'delivery_failed', 'out_for_delivery', 'delivery_failed', 'returned_to_sender'],
    ],
    ['refused', [...NORMAL.slice(0, 6), 'delivery_failed', 'returned_to_sender']],
    ['lost', NORMAL.slice(0, 3)],
    ['no_pickup', ['order_received']],
  ])('sends the %s journey in order, then nothing more', async (scenario, statuses) => {
    const { body } = await carrier().call('POST', '/v1/bookings', bookingRequest({ scenario, step_ms: 15 }));
    const events = await eventsOf(body.awb, statuses.length);
    await sleep(300); // twenty more steps' time: a lost parcel stays lost
    const after = await eventsOf(body.awb, 0);
    expect(after.map((e) => e.status)).toEqual(statuses);
    expect(events.map((e) => e.position)).toEqual(statuses.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.event_id)).size).toBe(statuses.length);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('duplicated: every event twice under one event id, each copy with its own seq', async () => {
    const { body } = await carrier().call(
      'POST',
      '/v1/bookings',
      bookingRequest({ scenario: 'duplicated', step_ms: 15 }),
    );
    const events = await eventsOf(body.awb, 14);
    expect(events.map((e) => e.status)).toEqual(NORMAL.flatMap((s) => [s, s]));
    expect(new Set(events.map((e) => e.event_id)).size).toBe(7);
    expect(new Set(events.map((e) => e.seq)).size).toBe(14);
  });

  it('out_of_order: neighbours swapped, delivered before out_for_delivery, scan times unchanged', async () => {
    const { body } = await carrier().call(
      'POST',
      '/v1/bookings',
      bookingRequest({ scenario: 'out_of_order', step_ms: 15 }),
    );
    const events = await eventsOf(body.awb, 7);
    expect(events.map((e) => e.position)).toEqual([1, 3, 2, 5, 4, 7, 6]);
    const byPosition = [...events].sort((a, b) => a.position - b.position);
    const times = byPosition.map((e) => Date.parse(e.occurred_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('cancels before pickup only', async () => {
    const waiting = await carrier().call('POST', '/v1/bookings', bookingRequest({ scenario: 'no_pickup' }));
    const cancelled = await carrier().call('POST', `/v1/bookings/${waiting.body.awb}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    const moving = await carrier().call('POST', '/v1/bookings', bookingRequest({ step_ms: 10 }));
    await eventsOf(moving.body.awb, 3);
    const refused = await carrier().call('POST', `/v1/bookings/${moving.body.awb}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('already_picked_up');
    expect((await carrier().call('POST', '/v1/bookings/JNE0000000000/cancel')).status).toBe(404);
  });

  it('posts webhook bookings signed, with seq 0, retrying a 500 until it gets a 2xx', async () => {
    const { body } = await carrier().call('POST', '/v1/bookings', bookingRequest({ delivery: 'webhook', step_ms: 15 }));
    failFirst.set(`${body.awb}-2`, 2);
    const deadline = Date.now() + 15_000;
    const mine = () => received.filter((r) => (JSON.parse(r.raw) as CarrierEvent).awb === body.awb);
    while (mine().length < 7 && Date.now() < deadline) await sleep(50);
    const deliveries = mine();
    expect(deliveries.map((d) => (JSON.parse(d.raw) as CarrierEvent).position).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const d of deliveries) {
      expect(verifyCarrierWebhook(carrier().webhookSecret, d.raw, d.headers)).toEqual({ ok: true });
      expect((JSON.parse(d.raw) as CarrierEvent).seq).toBe(0);
    }
    expect(verifyCarrierWebhook('another-secret-entirely', deliveries[0]!.raw, deliveries[0]!.headers).ok).toBe(false);
    const log = (await carrier().call('GET', '/v1/test/webhooks')).body.deliveries as {
      event_id: string;
      attempts: number;
    }[];
    expect(log.find((l) => l.event_id === `${body.awb}-2`)?.attempts).toBe(3);
  });

  it('replays every stream event after `after`, in seq order, and refuses a stream without the key', async () => {
    const { body } = await carrier().call('POST', '/v1/bookings', bookingRequest({ step_ms: 10 }));
    const events = await eventsOf(body.awb, 7);
    const from = events[2]!.seq;
    const { body: health } = await carrier().call('GET', '/v1/test/stream');
    const replay = await collectStream(from, health.last_seq - from);
    expect(replay[0]!.seq).toBe(from + 1);
    expect(replay.map((e) => e.seq)).toEqual(replay.map((_, i) => from + 1 + i));
    expect(replay.filter((e) => e.awb === body.awb).map((e) => e.position)).toEqual([4, 5, 6, 7]);

    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${carrier().url.replace('http', 'ws')}/v1/stream?after=0`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
  });

  it('keeps its log across a restart and resumes an unfinished journey, cash on delivery included', async () => {
    const { body } = await carrier().call(
      'POST',
      '/v1/bookings',
      bookingRequest({ step_ms: 400, cod: { amount: '125000.00' } }),
    );
    const shortRemit = { awb: body.awb, amount: '120000.00' };
    expect((await carrier().call('POST', '/v1/test/cod/short-remit', shortRemit)).status).toBe(200);
    await eventsOf(body.awb, 2);
    await carrier().restart();
    const events = await eventsOf(body.awb, 7, 20_000);
    expect(events.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const replay = await collectStream(0, events.at(-1)!.seq, false);
    expect(replay.filter((e) => e.awb === body.awb).map((e) => e.status)).toEqual(NORMAL);
    // The COD amount and the short remittance asked before the restart both held after it.
    expect(events.at(-1)!.cod_collected).toEqual({ amount: '125000.00' });
    const remittedOf = async () =>
      ((await carrier().call('GET', '/v1/cod/remittances')).body.remittances as { items: { awb: string }[] }[]).filter(
        (r) => r.items.some((i) => i.awb === body.awb),
      );
    const remitted = await remittedOf();
    expect(remitted).toMatchObject([{ total: '120000.00', items: [{ awb: body.awb, amount: '120000.00' }] }]);
    // And a remittance made is still there, unchanged, after another restart.
    await carrier().restart();
    expect(await remittedOf()).toEqual(remitted);
    expect((await eventsOf(body.awb, 7)).at(-1)!.cod_collected).toEqual({ amount: '125000.00' });
    // Idempotency survives too: the same reference answers the same airway bill and COD amount.
    const again = await carrier().call('POST', '/v1/bookings', { ...bookingRequest(), reference: body.reference });
    expect(again.body).toMatchObject({ awb: body.awb, cod_amount: '125000.00' });
  });
});
