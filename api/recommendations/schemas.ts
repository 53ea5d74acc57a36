/** Request and response schemas of the recommendation routes (exported for tests). */
import { z } from '@hono/zod-openapi';
import { ProductSchema } from '../products/schemas';

export const MAX_RECOMMENDATIONS = 50;

export const LimitQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_RECOMMENDATIONS).default(10),
});

export const ProductIdParam = z.object({
  productId: z
    .string()
    .uuid()
    .openapi({ param: { name: 'productId', in: 'path' } }),
});

export const RecommendationSchema = ProductSchema.extend({
  reason: z.enum(['popular', 'bought_together', 'same_category', 'for_you']).openapi({
    description:
      'popular: sold most lately; bought_together: in the same orders; same_category: tops up similar; for_you: from what the shopper bought and viewed',
  }),
  score: z.number().openapi({ description: 'The ranking score within its reason (decayed units, co-purchases...)' }),
}).openapi('Recommendation');

export const RecommendationList = z.object({ data: z.array(RecommendationSchema) }).openapi('RecommendationList');
