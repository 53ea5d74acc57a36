/**
 * kafkajs's request queue, as every process runs it (platform/clients/kafka.ts patches it): an idle
 * connection schedules no timer at all (kafkajs 2.2.4 re-armed a 1 ms one forever), and a request
 * held back by a broker throttle is still sent once the throttle ends.
 */
import '../../platform/clients/kafka';
import { patchKafkaRequestQueue, requestQueueClass } from '../../platform/clients/kafka-request-queue';

type Queue = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(request: unknown): void;
  destroy(): void;
};

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(): Queue {
  const RequestQueue = requestQueueClass() as unknown as new (options: object) => Queue;
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: silent,
  });
}

describe('kafkajs request queue', () => {
  it('is patched once, by importing the Kafka client module', () => {
    expect(patchKafkaRequestQueue()).toBe(false);
  });

  it('schedules no check while nothing is pending (a response, a timeout, an idle connection)', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('sends a request held back by a throttle once the throttle is over', async () => {
    const q = queue();
    const sent: number[] = [];
    q.maybeThrottle(50);
    const throttledAt = Date.now();
    q.push({
      entry: { correlationId: 1, resolve: () => undefined, reject: () => undefined },
      expectResponse: false,
      sendRequest: () => sent.push(Date.now() - throttledAt),
    });
    expect(sent).toEqual([]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    const deadline = Date.now() + 5000;
    while (sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeGreaterThanOrEqual(45);
    // Sent and answered: nothing left, so nothing is scheduled any more.
    expect(q.pending).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });
});
