/**
 * A fix for kafkajs 2.2.4's request queue, applied once per process by platform/clients/kafka.ts.
 *
 * Every broker connection has a RequestQueue whose `scheduleCheckPendingRequests` re-arms a
 * `setTimeout(check, throttledUntil - now)` after each check, even when nothing is pending; with
 * no throttle that delay is negative, so Node runs it after 1 ms, forever: about 800 timer
 * callbacks a second per connection, ~10 ms of CPU a second each, on an idle connection
 * (tulios/kafkajs#1556, #1704; unreleased fix in #1667). The consumers process holds 16
 * connections: measured before this fix, it spent ~41 ms of CPU a second doing nothing.
 *
 * The check only matters while requests wait in `pending` (in-flight limit or broker throttle):
 * `push` schedules it when it queues one, and every response or timeout runs it. So with nothing
 * pending there is nothing to schedule, and the patched method returns; otherwise it runs as
 * kafkajs wrote it.
 */
// Not exported by the package entry: loaded by path (typed in kafkajs-internals.d.ts).
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

interface RequestQueueShape {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

const PATCHED = Symbol.for('pasar.kafkajs.requestQueuePatched');

/** kafkajs's RequestQueue class, the one every broker connection of this process uses. */
export const requestQueueClass = () => RequestQueue as { prototype: RequestQueueShape & { [PATCHED]?: true } };

/** Patches RequestQueue once per process; a second call does nothing. Returns whether it patched. */
export function patchKafkaRequestQueue(): boolean {
  const proto = requestQueueClass().prototype;
  if (proto[PATCHED]) return false;
  const original = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueShape) {
    if (this.pending.length === 0) return;
    original.call(this);
  };
  proto[PATCHED] = true;
  return true;
}
