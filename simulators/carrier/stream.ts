/**
 * The push stream: `GET /v1/stream?after=<seq>` upgraded to a websocket with the partner API key.
 * On connect it replays every logged event after `after`, then pushes new ones as they happen,
 * all in `seq` order (replay and live sends run in one turn of the event loop, so nothing slips
 * between them). Clients answer `{type: "ack", seq}`; the hub keeps the last ack per socket for
 * the test controls. `dropAll` cuts every socket, as a flaky mobile network or a deploy does.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CarrierEvent } from '../../contracts/carrier';
import type { CarrierState } from './state';

interface Subscriber {
  socket: WebSocket;
  lastAck: number;
}

const refuse = (socket: Duplex, status: string, message: string) => {
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n` +
      JSON.stringify({ error: { code: status.split(' ').slice(1).join('_').toLowerCase(), message } }),
  );
};

export function createStreamHub(state: CarrierState, apiKey: string) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const subscribers = new Set<Subscriber>();
  const frame = (event: CarrierEvent) => JSON.stringify({ type: 'event', event });

  function attach(socket: WebSocket, after: number) {
    const sub: Subscriber = { socket, lastAck: after };
    for (const event of state.streamAfter(after)) socket.send(frame(event));
    subscribers.add(sub);
    socket.on('message', (data) => {
      try {
        const msg = JSON.parse(String(data)) as { type?: unknown; seq?: unknown };
        if (msg.type === 'ack' && Number.isSafeInteger(msg.seq)) sub.lastAck = Math.max(sub.lastAck, msg.seq as number);
      } catch {
        // A malformed frame from a client is ignored, as a real carrier would.
      }
    });
    socket.on('close', () => subscribers.delete(sub));
    socket.on('error', () => subscribers.delete(sub));
  }

  return {
    /** The node server's 'upgrade' handler. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const url = new URL(req.url ?? '/', 'http://carrier');
      if (url.pathname !== '/v1/stream') return refuse(socket, '404 Not Found', 'no such stream');
      if (req.headers.authorization !== `Bearer ${apiKey}`)
        return refuse(socket, '401 Unauthorized', 'invalid API key');
      const raw = url.searchParams.get('after') ?? '0';
      if (!/^\d{1,15}$/.test(raw)) return refuse(socket, '400 Bad Request', 'after must be a non-negative integer');
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, Number(raw)));
    },
    publish(event: CarrierEvent) {
      for (const s of subscribers) if (s.socket.readyState === s.socket.OPEN) s.socket.send(frame(event));
    },
    /** Cuts every socket without a closing handshake; returns how many were cut. */
    dropAll(): number {
      const n = subscribers.size;
      for (const s of subscribers) s.socket.terminate();
      subscribers.clear();
      return n;
    },
    stats: () => ({ connections: subscribers.size, acks: [...subscribers].map((s) => s.lastAck) }),
    close() {
      this.dropAll();
      wss.close();
    },
  };
}

export type StreamHub = ReturnType<typeof createStreamHub>;
