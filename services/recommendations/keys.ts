/**
 * The recommendation service's Redis keys (the seed names `rec:popular`, `rec:similar:{id}` and
 * `rec:user:{id}`; the others are the signals they are built from) and its tuning.
 */
export const recKeys = {
  /** Materialized popularity: hourly buckets unioned with decaying weights, rebuilt when it expires. */
  popular: 'rec:popular',
  /** Units sold in one hour (hours since the epoch), by product; expires when it leaves the window. */
  popularHour: (hour: number) => `rec:popular:h:${hour}`,
  /** Products bought together with this one: co-purchase count (orders holding both). */
  similar: (productId: string) => `rec:similar:${productId}`,
  /** Materialized picks for one shopper, rebuilt on read when missing; deleted when their signals change. */
  user: (userId: string) => `rec:user:${userId}`,
  /** Units this shopper bought (paid, not refunded), by product. */
  userBought: (userId: string) => `rec:user:${userId}:bought`,
  /** What this shopper looked at recently, by product, scored with the view time (ms). */
  userViewed: (userId: string) => `rec:user:${userId}:viewed`,
  /** What one paid order added (hour bucket, shopper, lines) and whether it was taken back. */
  order: (orderId: string) => `rec:order:${orderId}`,
} as const;

export const REC_TUNING = {
  /** Popularity counts sales of the last week... */
  windowHours: 7 * 24,
  /** ...each hour weighing half as much a day later. */
  halfLifeHours: 24,
  /** How stale `rec:popular` may be: readers rebuild it once it expires. */
  popularRefreshSeconds: 5,
  /** How long a shopper's materialized picks live when no signal changes them. */
  userPicksSeconds: 300,
  /** Bought-together pairs are counted among at most this many distinct products of one order. */
  maxLinesPerOrder: 20,
  /** Recently viewed products kept per shopper (seeds for their picks). */
  viewsKept: 50,
  /** A shopper's signals are forgotten after this long without a new one. */
  userSignalsSeconds: 180 * 24 * 3600,
  /**
   * How long an order's record is kept: a refund later than this takes nothing back, and a
   * replay of its paid event after it would count it again. Longer than any refund window.
   */
  orderRecordSeconds: 35 * 24 * 3600,
} as const;

export const HOUR_MS = 3600_000;
export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);
