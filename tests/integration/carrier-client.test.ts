/**
 * The shipment service's carrier client against the real simulator (a process of the test's
 * own): idempotent booking, the carrier's refusals as business errors, and a carrier that is down
 * or hangs answered quickly by an error naming it, never a hang.
 */
import { createServer, type Server } from 'node:http';
import { AppError } from '../../platform/errors';
import { DependencyUnavailableError } from '../../platform/dependency-errors';
import { createCarrierClient } from '../../services/shipments/carrier-client';
import { bookingRequest, freePort, useCarrierProcess } from './carrier/carrier-process';

const carrier = useCarrierProcess();
const client = () => createCarrierClient({ baseUrl: carrier().url, apiKey: carrier().apiKey, timeoutMs: 2000 });

describe('carrier client', () => {
  it('books once per reference, reads the tracking, and cancels before pickup', async () => {
    const request = bookingRequest({ scenario: 'no_pickup' });
    const first = await client().book(request);
    expect(first).toMatchObject({ reference: request.reference, carrier: 'jne', status: 'booked' });
    expect(await client().book(request)).toEqual(first);
    const tracking = await client().tracking(first.awb);
    expect(tracking.events.map((e) => e.status)).toEqual(['order_received']);
    expect((await client().cancel(first.awb)).status).toBe('cancelled');
  });

  it("turns the carrier's refusals into business errors: invalid booking, picked-up parcel, unknown airway bill", async () => {
    const invalid = await client()
      .book({ ...bookingRequest(), weight_grams: 0 })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(AppError);
    expect(invalid).toMatchObject({ code: 'validation_failed', details: { carrier_code: 'invalid_request' } });
    const moving = await client().book(bookingRequest(), { stepMs: 10 });
    await new Promise((r) => setTimeout(r, 200));
    await expect(client().cancel(moving.awb)).rejects.toMatchObject({
      code: 'conflict',
      details: { carrier_code: 'already_picked_up' },
    });
    await expect(client().tracking('JNE0000000000')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('books a COD parcel and reads the cash the carrier remitted for it, per carrier or all', async () => {
    const since = new Date();
    const request = bookingRequest({ carrier: 'sicepat', service: 'BEST', cod: { amount: '315000.00' } });
    const booked = await client().book(request, { stepMs: 10 });
    expect(booked.cod_amount).toBe('315000.00');
    expect(await client().book(request)).toEqual(booked);
    let remitted = await client().codRemittances(since, 'sicepat');
    for (const deadline = Date.now() + 15_000; remitted.length === 0 && Date.now() < deadline;)
      remitted = await new Promise((r) => setTimeout(r, 50)).then(() => client().codRemittances(since, 'sicepat'));
    expect(remitted).toEqual([
      {
        remittance_id: expect.any(String),
        carrier: 'sicepat',
        remitted_at: expect.any(String),
        total: '315000.00',
        items: [
          { awb: booked.awb, reference: request.reference, amount: '315000.00', collected_at: expect.any(String) },
        ],
      },
    ]);
    expect((await client().codRemittances(since)).map((r) => r.remittance_id)).toContain(remitted[0]!.remittance_id);
    expect(await client().codRemittances(since, 'jnt')).toEqual([]);
    // A COD parcel where the carrier takes no cash is its business refusal, with its code.
    await expect(
      client().book({ ...bookingRequest({ service: 'YES' }), cod: { amount: '1000.00' } }),
    ).rejects.toMatchObject({ code: 'conflict', details: { carrier_code: 'cod_not_offered' } });
  });

  it('names the carrier when it is down, and gives up on one that never answers within the timeout', async () => {
    const closed = createCarrierClient({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      apiKey: 'k',
      timeoutMs: 2000,
    });
    const down = await closed.book(bookingRequest()).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(DependencyUnavailableError);
    expect(down).toMatchObject({ dependency: 'carrier' });
    expect((down as Error).message).toMatch(/^carrier JNE \(http:\/\/127\.0\.0\.1:\d+\) is unavailable/);
    const noRemittances = await closed.codRemittances(new Date(), 'jnt').catch((e: unknown) => e);
    expect(noRemittances).toBeInstanceOf(DependencyUnavailableError);
    expect((noRemittances as Error).message).toMatch(
      /^carrier J&T Express \(http:\/\/127\.0\.0\.1:\d+\) is unavailable/,
    );

    const port = await freePort();
    const silent: Server = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    try {
      const hung = createCarrierClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', timeoutMs: 300 });
      const started = Date.now();
      const err = await hung.book(bookingRequest({ carrier: 'sicepat', service: 'BEST' })).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect((err as Error).message).toMatch(/carrier SiCepat .* no answer within 300 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it("refuses a remittance list that breaks the contract as the carrier's fault, naming the field", async () => {
    const port = await freePort();
    // A carrier whose report writes an amount as a number: money that cannot be read exactly.
    const careless: Server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          remittances: [
            {
              remittance_id: 'COD-1',
              carrier: 'jne',
              remitted_at: new Date().toISOString(),
              total: 125000,
              items: [],
            },
          ],
        }),
      ),
    );
    await new Promise<void>((r) => careless.listen(port, '127.0.0.1', r));
    try {
      const read = createCarrierClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', timeoutMs: 2000 });
      const err = await read.codRemittances(new Date(0), 'jne').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DependencyUnavailableError);
      expect((err as Error).message).toMatch(/carrier JNE .* malformed remittance list: remittances\.0\.total/);
    } finally {
      careless.closeAllConnections();
      await new Promise((r) => careless.close(r));
    }
  });
});
