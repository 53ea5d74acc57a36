/**
 * Writes the recommendation signals. A paid order adds its units to the hour bucket of its
 * payment, its bought-together pairs and its shopper's purchases; a refund or cancellation takes
 * back exactly that, read from the order's record. One Lua script does the record check and every
 * increment, so a redelivered event is a no-op and a crash never leaves half an order counted.
 */
import type { Redis } from 'ioredis';
import { hourOf, recKeys, REC_TUNING } from './keys';

export interface OrderLine {
  product_id: string;
  quantity: number;
}

/** What a paid order added, kept under `rec:order:{id}` so the take-back can undo exactly that. */
interface OrderRecord {
  state: 'added' | 'taken';
  user_id: string;
  hour: number;
  lines: [string, number][];
}

// KEYS: order record, hour bucket, shopper's purchases, shopper's picks, then rec:similar:* per line.
// ARGV: mode, record, taken record, record ttl, bucket expire-at (0: outside the window),
//       shopper ttl, pair limit, then product ids, then quantities.
const APPLY_ORDER = `
local add = ARGV[1] == 'add'
if add then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
else
  if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
  redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
end
local sign = add and 1 or -1
local n = #KEYS - 4
local np = math.min(n, tonumber(ARGV[7]))
local bucket = ARGV[5] ~= '0' and (add or redis.call('EXISTS', KEYS[2]) == 1)
for i = 1, n do
  local qty = sign * tonumber(ARGV[7 + n + i])
  if bucket then redis.call('ZINCRBY', KEYS[2], qty, ARGV[7 + i]) end
  redis.call('ZINCRBY', KEYS[3], qty, ARGV[7 + i])
  if i <= np then
    for j = 1, np do
      if j ~= i then redis.call('ZINCRBY', KEYS[4 + i], sign, ARGV[7 + j]) end
    end
    if not add then redis.call('ZREMRANGEBYSCORE', KEYS[4 + i], '-inf', 0) end
  end
end
if add then
  if bucket then redis.call('EXPIREAT', KEYS[2], ARGV[5]) end
  redis.call('EXPIRE', KEYS[3], ARGV[6])
else
  if bucket then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', 0) end
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', 0)
end
redis.call('DEL', KEYS[4])
return 1`;

/** One line per product, in product order, so the pairs and the take-back are deterministic. */
export function mergeLines(lines: OrderLine[]): [string, number][] {
  const units = new Map<string, number>();
  for (const l of lines) units.set(l.product_id, (units.get(l.product_id) ?? 0) + l.quantity);
  return [...units.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** When an hour's bucket leaves the popularity window (unix seconds), or 0 if it already has. */
function bucketExpireAt(hour: number, nowMs: number): number {
  const at = (hour + REC_TUNING.windowHours + 1) * 3600;
  return at * 1000 > nowMs ? at : 0;
}

export function createRecSignals(redis: Redis) {
  async function apply(orderId: string, mode: 'add' | 'take', rec: OrderRecord, expected: string, now: number) {
    const ids = rec.lines.map(([id]) => id);
    const keys = [
      recKeys.order(orderId),
      recKeys.popularHour(rec.hour),
      recKeys.userBought(rec.user_id),
      recKeys.user(rec.user_id),
      ...ids.map(recKeys.similar),
    ];
    const taken = JSON.stringify({ ...rec, state: 'taken' });
    const args = [
      mode,
      expected,
      taken,
      REC_TUNING.orderRecordSeconds,
      bucketExpireAt(rec.hour, now),
      REC_TUNING.userSignalsSeconds,
      REC_TUNING.maxLinesPerOrder,
      ...ids,
      ...rec.lines.map(([, q]) => q),
    ];
    return (await redis.eval(APPLY_ORDER, keys.length, ...keys, ...args)) === 1;
  }

  return {
    /** Counts a paid order once (a second call for the same order changes nothing). Returns whether it counted. */
    purchase(orderId: string, userId: string, paidAt: Date, lines: OrderLine[], now = Date.now()) {
      const rec: OrderRecord = {
        state: 'added',
        user_id: userId,
        hour: hourOf(paidAt.getTime()),
        lines: mergeLines(lines),
      };
      if (rec.lines.length === 0) return Promise.resolve(false);
      const raw = JSON.stringify(rec);
      return apply(orderId, 'add', rec, raw, now);
    },

    /** Takes back what the order's purchase added, once; false when nothing was added or it was already taken. */
    async takeBack(orderId: string, now = Date.now()) {
      const raw = await redis.get(recKeys.order(orderId));
      if (!raw) return false;
      const rec = JSON.parse(raw) as OrderRecord;
      if (rec.state !== 'added') return false;
      // The script compares the record it finds with `raw`: a concurrent take-back can win only once.
      return apply(orderId, 'take', rec, raw, now);
    },

    /** Remembers a view (idempotent: the same view sets the same score); the shopper's picks are rebuilt. */
    async view(userId: string, productId: string, viewedAt: Date) {
      const key = recKeys.userViewed(userId);
      const results = await redis
        .multi()
        .zadd(key, 'GT', viewedAt.getTime(), productId)
        .zremrangebyrank(key, 0, -(REC_TUNING.viewsKept + 1))
        .expire(key, REC_TUNING.userSignalsSeconds)
        .del(recKeys.user(userId))
        .exec();
      const failed = results?.find(([err]) => err)?.[0];
      if (failed) throw failed;
    },
  };
}

export type RecSignals = ReturnType<typeof createRecSignals>;
