/**
 * `rec:popular`: units sold in the last week, each hour's bucket weighted by a half-life, summed by
 * ZUNIONSTORE. Rebuilt by whichever reader finds it expired (it lives `popularRefreshSeconds`), in
 * one script so concurrent readers rebuild it once; writers only touch the hour buckets.
 */
import type { Redis } from 'ioredis';
import { hourOf, recKeys, REC_TUNING } from './keys';

const REBUILD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = #KEYS - 1
local args = { 'ZUNIONSTORE', KEYS[1], n }
for i = 2, #KEYS do args[#args + 1] = KEYS[i] end
args[#args + 1] = 'WEIGHTS'
for i = 1, n do args[#args + 1] = ARGV[i + 1] end
redis.call(unpack(args))
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1`;

/** The weight of a bucket `age` hours old: 1 for this hour, 0.5 a half-life ago. */
export const hourWeight = (age: number) => 0.5 ** (age / REC_TUNING.halfLifeHours);

/** Rebuilds `rec:popular` from the hour buckets if it has expired. */
export async function ensurePopular(redis: Redis, now = Date.now()) {
  const current = hourOf(now);
  const ages = Array.from({ length: REC_TUNING.windowHours }, (_, age) => age);
  const keys = [recKeys.popular, ...ages.map((age) => recKeys.popularHour(current - age))];
  await redis.eval(REBUILD, keys.length, ...keys, REC_TUNING.popularRefreshSeconds, ...ages.map(hourWeight));
}

/** Product ids and decayed units, best first, from `offset`. */
export async function popularPage(redis: Redis, offset: number, count: number): Promise<[string, number][]> {
  let flat = await redis.zrevrange(recKeys.popular, offset, offset + count - 1, 'WITHSCORES');
  if (flat.length === 0 && offset === 0) {
    await ensurePopular(redis);
    flat = await redis.zrevrange(recKeys.popular, offset, offset + count - 1, 'WITHSCORES');
  }
  return pairsOf(flat);
}

export function pairsOf(flat: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
  return out;
}
