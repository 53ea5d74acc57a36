/**
 * The flash-sale admission gate: before a checkout saga starts, each cart line takes a ticket
 * against a Redis mirror of the product's available stock. A shopper whose units are already
 * all held (reserved in Postgres, or ticketed by checkouts on their way to reserving) is refused
 * in milliseconds instead of running a whole saga to hear "no stock".
 *
 * Postgres and the saga's reservation stay the truth: the gate only ever refuses early, never
 * sells. It corrects itself: the mirror is written with the inventory row's version (an older
 * write never overwrites a newer one) and expires, so it is rebuilt from Postgres at least every
 * `stockTtlSeconds`; a ticket expires after `ticketTtlSeconds`, so a checkout that crashed before
 * reserving strands nothing. Redis down or misbehaving: the gate stands aside (today's path).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Db } from '../../platform/clients/prisma';
import type { Logger } from '../../platform/logger';

export interface AdmissionSettings {
  enabled: boolean;
  ticketTtlSeconds: number;
  stockTtlSeconds: number;
  /**
   * Checkouts one shopper may have between admission and settling (CHECKOUT_MAX_UNPAID_ORDERS):
   * a burst of new keys from one shopper cannot take every ticket while the saga's own cap,
   * which counts settled orders, has not yet seen them.
   */
  maxInFlightPerShopper: number;
}

export const DEFAULT_ADMISSION: AdmissionSettings = {
  enabled: true,
  ticketTtlSeconds: 30,
  stockTtlSeconds: 60,
  maxInFlightPerShopper: 3,
};

export interface AdmissionLine {
  product_id: string;
  quantity: number;
}

export type AdmissionVerdict =
  | { outcome: 'admitted' }
  | { outcome: 'bypassed' }
  | { outcome: 'refused'; product_id: string; requested: number; available: number }
  | { outcome: 'shopper_limit'; max: number };

export const admissionKeys = {
  /** Hash {available, version}: Postgres's quantity - reserved at that inventory version. */
  stock: (productId: string) => `admission:{${productId}}:stock`,
  /** Sorted set of tickets `<order id>|<units>`, scored by expiry (ms since epoch). */
  tickets: (productId: string) => `admission:{${productId}}:tickets`,
  /** Sorted set of one shopper's checkouts between admission and settling, scored by expiry. */
  shopper: (userId: string) => `admission:shopper:{${userId}}`,
};

/** A ticket's member: the inventory store removes it when the order's reservation commits. */
export const ticketMember = (orderId: string, units: number) => `${orderId}|${units}`;

// Writes the mirror only if this version is newer than the one stored (reorderings lose).
const MIRROR = `
local v = redis.call('HGET', KEYS[1], 'version')
if v and tonumber(v) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'available', ARGV[1], 'version', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

// -1: no mirror (rebuild from Postgres); 1: admitted (or already holding this ticket);
// otherwise 0 and the units still admissible.
const ADMIT = `
local stock = redis.call('HGET', KEYS[1], 'available')
if not stock then return {-1, 0} end
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZSCORE', KEYS[2], ARGV[3]) then return {1, 0} end
local held = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  held = held + tonumber(string.match(m, '|(%d+)$'))
end
local free = tonumber(stock) - held
if free < tonumber(ARGV[4]) then return {0, free} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {1, 0}`;

// 1: this checkout may go on (or already holds its place); 0: the shopper has too many in flight.
const SHOPPER = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Queues the mirror write of one inventory row on a MULTI (the inventory store's refresh). */
export function queueMirror(
  m: ChainableCommander,
  row: { product_id: string; quantity: number; reserved: number; version: number },
  stockTtlSeconds: number,
) {
  m.eval(MIRROR, 1, admissionKeys.stock(row.product_id), row.quantity - row.reserved, row.version, stockTtlSeconds);
}

export function createAdmissionGate(db: Db, redis: Redis, logger: Logger, settings: AdmissionSettings) {
  const ticketMs = settings.ticketTtlSeconds * 1000;

  async function rebuild(productId: string) {
    const row = await db.inventory.findUnique({
      where: { product_id: productId },
      select: { product_id: true, quantity: true, reserved: true, version: true },
    });
    // An unknown product: admit, and let the saga answer it as it always has.
    if (!row) return false;
    const m = redis.multi();
    queueMirror(m, row, settings.stockTtlSeconds);
    await m.exec();
    return true;
  }

  async function admitLine(orderId: string, line: AdmissionLine): Promise<AdmissionVerdict> {
    const keys = [admissionKeys.stock(line.product_id), admissionKeys.tickets(line.product_id)];
    const member = ticketMember(orderId, line.quantity);
    for (let attempt = 0; attempt < 2; attempt++) {
      const [code, free] = (await redis.eval(ADMIT, 2, ...keys, Date.now(), ticketMs, member, line.quantity)) as [
        number,
        number,
      ];
      if (code === 1) return { outcome: 'admitted' };
      if (code === 0)
        return { outcome: 'refused', product_id: line.product_id, requested: line.quantity, available: free };
      if (!(await rebuild(line.product_id))) return { outcome: 'bypassed' };
    }
    return { outcome: 'bypassed' };
  }

  /** Drops this order's tickets: its checkout settled, so a reservation (or nothing) stands in. */
  async function release(userId: string, orderId: string, lines: AdmissionLine[]) {
    if (!settings.enabled || lines.length === 0 || redis.status !== 'ready') return;
    const m = redis.multi();
    m.zrem(admissionKeys.shopper(userId), orderId);
    for (const l of lines) m.zrem(admissionKeys.tickets(l.product_id), ticketMember(orderId, l.quantity));
    await m.exec().catch((err) => logger.warn({ err, orderId }, 'admission tickets release failed; they expire'));
  }

  return {
    /**
     * Takes one ticket per line, or none: a refused line gives back the tickets already taken.
     * Any Redis trouble answers `bypassed` (the saga decides, as without the gate).
     */
    async admit(userId: string, orderId: string, lines: AdmissionLine[]): Promise<AdmissionVerdict> {
      if (!settings.enabled || lines.length === 0) return { outcome: 'bypassed' };
      // Not connected: skip at once rather than wait out a command timeout on every checkout.
      if (redis.status !== 'ready') return { outcome: 'bypassed' };
      const taken: AdmissionLine[] = [];
      try {
        const max = settings.maxInFlightPerShopper;
        const place = await redis.eval(SHOPPER, 1, admissionKeys.shopper(userId), Date.now(), ticketMs, orderId, max);
        if (place !== 1) return { outcome: 'shopper_limit', max };
        for (const line of [...lines].sort((a, b) => a.product_id.localeCompare(b.product_id))) {
          const verdict = await admitLine(orderId, line);
          if (verdict.outcome === 'refused') {
            await release(userId, orderId, [...taken, line]);
            return verdict;
          }
          if (verdict.outcome === 'admitted') taken.push(line);
        }
        return { outcome: 'admitted' };
      } catch (err) {
        logger.warn({ err, orderId }, 'admission gate unavailable; the checkout goes through to the saga');
        await release(userId, orderId, taken);
        return { outcome: 'bypassed' };
      }
    },
    release,
  };
}

export type AdmissionGate = ReturnType<typeof createAdmissionGate>;
