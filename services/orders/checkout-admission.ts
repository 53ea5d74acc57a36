/**
 * The order service's use of the catalog's admission gate: the shopper's cart lines take their
 * tickets before the checkout saga starts, and give them back once the saga has settled.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger';
import type { AdmissionGate, AdmissionLine, AdmissionVerdict } from '../catalog/admission';
import { cartKey } from './cart';

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
  };
}

export type CheckoutAdmission = ReturnType<typeof createCheckoutAdmission>;
