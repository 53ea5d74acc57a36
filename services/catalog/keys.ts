/** The product service's Redis keys, as the seed names them. */
export const catalogKeys = {
  /** Product JSON cache. TTL 15 minutes, deleted on every write. */
  product: (id: string) => `product:${id}`,
  /** Available quantity (quantity - reserved), rewritten on every stock change. */
  inventory: (productId: string) => `inventory:${productId}`,
} as const;

export const PRODUCT_CACHE_TTL_SECONDS = 15 * 60;
