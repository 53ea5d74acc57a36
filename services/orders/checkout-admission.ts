/**
 * The order service's use of the catalog's admission gate: the shopper's cart lines take their
 * tickets before the checkout saga starts, and give them back once the saga has settled.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger';
import type { AdmissionGate, AdmissionLine, AdmissionVerdict } from '../catalog/admission';
import { cartKey } from './cart';

/**
 * How long a started checkout is remembered, so a retry of its key is never refused by the gate
 * (the saga answers it). Beyond this, or after Redis lost its data, a retry on a sold-out product
 * hears 409 insufficient_stock instead of its order's state (its order is still in /orders).
 */
const STARTED_TTL_SECONDS = 7 * 24 * 3600;
const startedKey = (orderId: string) => `checkout:started:${orderId}`;

export function createCheckoutAdmission(redis: Redis, gate: AdmissionGate, logger: Logger) {
  /** The cart's units per product, as the saga will read them; undefined if Redis cannot say. */
  async function cartLines(userId: string): Promise<AdmissionLine[] | undefined> {
    if (redis.status !== 'ready') return undefined;
    try {
      const raw = await redis.hgetall(cartKey(userId));
      return Object.entries(raw).map(([product_id, json]) => ({
        product_id,
        quantity: Number((JSON.parse(json) as { quantity: number }).quantity),
      }));
    } catch (err) {
      logger.warn({ err, userId }, 'cart unreadable for admission; the saga decides');
      return undefined;
    }
  }

  return {
    /** The verdict for this checkout, and the lines it holds tickets for (to release later). */
    async admit(userId: string, orderId: string): Promise<{ verdict: AdmissionVerdict; lines: AdmissionLine[] }> {
      const lines = await cartLines(userId);
      if (!lines) return { verdict: { outcome: 'bypassed' }, lines: [] };
      const verdict = await gate.admit(userId, orderId, lines);
      return { verdict, lines: verdict.outcome === 'admitted' ? lines : [] };
    },
    release: gate.release,

    /** Remembers that this checkout's saga is being started (before the start, so a retry finds it). */
    async markStarted(orderId: string) {
      if (redis.status !== 'ready') return;
      await redis
        .set(startedKey(orderId), '1', 'EX', STARTED_TTL_SECONDS)
        .catch((err) => logger.warn({ err, orderId }, 'checkout start not recorded for admission'));
    },

    /**
     * True if this checkout's saga was started: the gate then lets its retry through. Asked in
     * Redis, not Temporal, so a refused crowd costs Temporal nothing; unsure (Redis error): true.
     */
    async started(orderId: string) {
      return (await redis.exists(startedKey(orderId)).catch(() => 1)) === 1;
    },
  };
}

export type CheckoutAdmission = ReturnType<typeof createCheckoutAdmission>;
