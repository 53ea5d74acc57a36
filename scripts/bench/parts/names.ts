/** The parts of `npm run bench`, in the order they run (the JSON results carry one entry each). */
export const PARTS = [
  'order_cost',
  'checkout_mix',
  'checkout',
  'latency',
  'catalog',
  'search',
  'search_quality',
  'search_indexing',
  'search_reindex',
  'consumers',
  'recommendations',
  'analytics',
  'notifications',
  'carrier_link',
  'shipments',
  'flash_sale',
  'voucher_race',
  'scale_out',
] as const;

export type PartName = (typeof PARTS)[number];
