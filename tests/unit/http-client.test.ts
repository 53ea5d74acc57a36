/**
 * The scripts' HTTP client (scripts/lib/http.ts) on a dropped connection: an idempotent call is
 * sent again, a plain POST is not (the shop may have done it already). A local server drops the
 * connection under the first request it sees and answers the ones after.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_SERVER } from '../../platform/http-server';
import { CALL_TRIES, CLIENT_IDLE_SOCKET_MS, httpCall, isIdempotent } from '../../scripts/lib/http';

type Drop = 'before-answer' | 'mid-answer' | 'always';

describe('the scripts’ HTTP client', () => {
  let server: Server;
  let base = '';
  let drop: Drop | undefined;
  let seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      if (drop === 'always' || (drop && seen.length === 1)) {
        if (drop === 'mid-answer') {
          // Headers and part of the body out, then the connection is gone.
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"half":');
          setImmediate(() => req.socket.destroy());
        } else req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n: seen.length }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    seen = [];
    drop = undefined;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends a GET again when the connection drops before the answer', async () => {
    drop = 'before-answer';
    const reply = await httpCall(base, 'GET', '/orders/1');
    expect(reply).toEqual({ status: 200, body: { n: 2 } });
    expect(seen).toEqual(['GET /orders/1', 'GET /orders/1']);
  });

  it('sends a GET again when the connection drops halfway through the answer', async () => {
    drop = 'mid-answer';
    const reply = await httpCall(base, 'GET', '/orders/1');
    expect(reply).toEqual({ status: 200, body: { n: 2 } });
    expect(seen).toHaveLength(2);
  });

  it('sends a POST carrying an Idempotency-Key again', async () => {
    drop = 'before-answer';
    const reply = await httpCall(base, 'POST', '/checkout', { body: {}, headers: { 'Idempotency-Key': 'k-1' } });
    expect(reply.status).toBe(200);
    expect(seen).toEqual(['POST /checkout', 'POST /checkout']);
  });

  it('never sends a plain POST again: the drop reaches the caller', async () => {
    drop = 'before-answer';
    await expect(httpCall(base, 'POST', '/cart/items', { body: { quantity: 1 } })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(seen).toEqual(['POST /cart/items']);
  });

  it('gives up on a connection that keeps dropping, after a few tries', async () => {
    drop = 'always';
    await expect(httpCall(base, 'GET', '/healthz')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toHaveLength(CALL_TRIES);
  });

  it('retries from its own source address too (no keep-alive pool there)', async () => {
    drop = 'before-answer';
    const reply = await httpCall(base, 'GET', '/users/me', { from: '127.0.0.7' });
    expect(reply.status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('counts only safe methods and keyed calls as idempotent', () => {
    expect(isIdempotent('get')).toBe(true);
    expect(isIdempotent('POST')).toBe(false);
    expect(isIdempotent('PATCH', { 'idempotency-key': 'x' })).toBe(true);
    expect(isIdempotent('DELETE')).toBe(false);
  });

  it('closes an idle kept-alive socket before the shop’s server does', () => {
    expect(CLIENT_IDLE_SOCKET_MS).toBeLessThan(HTTP_SERVER.keepAliveTimeoutMs);
  });
});
