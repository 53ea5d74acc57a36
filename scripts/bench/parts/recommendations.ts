/**
 * The recommendation consumer against the real Redis: N `order.paid` (3 lines each, from 200
 * made-up products), N `product.viewed` and the N orders' `order.refunded`, each kind on a topic of
 * its own, events/s against the same runtime with a no-op handler over the same events. The refunds
 * take back every paid order and the orders' and shoppers' keys are deleted, so the bench leaves
 * no trace in the real lists (the made-up products would otherwise crowd `rec:popular`).
 */
import { randomUUID } from 'node:crypto';
import { createRecommendationConsumer } from '../../../services/recommendations/consumer';
import { recKeys } from '../../../services/recommendations/keys';
import { benchEvent } from '../lib/events';
import { benchLogger, handlerRates } from '../lib/kafka';
import { round } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

export async function recommendationsPart(ctx: BenchContext): Promise<PartResult> {
  const { redis } = ctx.deps;
  const n = ctx.quick ? 200 : 3000;
  const products = Array.from({ length: 200 }, () => randomUUID());
  const pick = () => products[Math.floor(Math.random() * products.length)]!;
  const orders = Array.from({ length: n }, () => ({
    id: randomUUID(),
    user: randomUUID(),
    items: [pick(), pick(), pick()].map((p) => ({ product_id: p, quantity: 1, unit_price: '40000.00' })),
  }));
  const order = (type: 'order.paid' | 'order.refunded', o: (typeof orders)[number]) =>
    benchEvent(type, o.id, {
      order_id: o.id,
      order_number: 'PSR-BENCH',
      user_id: o.user,
      status: type.split('.')[1],
      total_amount: '120000.00',
      reason: null,
      items: o.items,
    });
  const viewed = (o: (typeof orders)[number]) =>
    benchEvent('product.viewed', o.user, { user_id: o.user, product_id: pick(), viewed_at: new Date().toISOString() });

  const spec = createRecommendationConsumer(ctx.services, benchLogger);
  const figures: Record<string, number> = { orders: n };
  const ratios = [];
  try {
    const kinds = [
      ['order.paid', orders.map((o) => order('order.paid', o))],
      ['product.viewed', orders.map(viewed)],
      ['order.refunded', orders.map((o) => order('order.refunded', o))],
    ] as const;
    for (const [type, events] of kinds) {
      const rates = await handlerRates(ctx.deps.kafka, spec, [...events]);
      const kind = type.replace('.', '_');
      figures[`${kind}_events_per_second`] = round(rates.real);
      figures[`${kind}_noop_events_per_second`] = round(rates.noop);
      ratios.push(
        ratio(`recommendation consumer ${type} events/s vs no-op handler`, rates.real, rates.noop, 'events/s'),
      );
    }
    const left = await Promise.all(products.map((p) => redis.exists(recKeys.similar(p))));
    figures.bought_together_sets_left = left.reduce((a, b) => a + b, 0);
    if (figures.bought_together_sets_left > 0)
      throw new Error(`${figures.bought_together_sets_left} bought-together sets left after every order was refunded`);
    return { figures, ratios };
  } finally {
    const keys = [
      ...orders.flatMap((o) => [
        recKeys.order(o.id),
        recKeys.userViewed(o.user),
        recKeys.userBought(o.user),
        recKeys.user(o.user),
      ]),
      ...products.map((p) => recKeys.similar(p)),
    ];
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  }
}
