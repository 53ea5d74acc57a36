/**
 * Recommendations: popular and similar are public; a shopper's own list needs their token (another
 * shopper's id is answered like a missing one, an admin may read anyone's).
 */
import { createRoute } from '@hono/zod-openapi';
import { guarded } from '../access';
import { AppError } from '../../platform/errors';
import type { RecQueries } from '../../services/recommendations/queries';
import { createRouter } from '../router';
import { errorResponses, IdParam, json } from '../schemas';
import { LimitQuery, ProductIdParam, RecommendationList } from './schemas';

const tags = ['recommendations'];

const routes = {
  popular: createRoute({
    method: 'get',
    path: '/recommendations/popular',
    tags,
    summary: 'Best sellers of the last week (recent sales weigh more), in stock',
    request: { query: LimitQuery },
    responses: { 200: json(RecommendationList), ...errorResponses(400) },
  }),
  similar: createRoute({
    method: 'get',
    path: '/recommendations/similar/{productId}',
    tags,
    summary: 'Products bought together with this one, topped up from its category, in stock',
    request: { params: ProductIdParam, query: LimitQuery },
    responses: { 200: json(RecommendationList), ...errorResponses(400, 404) },
  }),
  user: guarded('user', {
    method: 'get',
    path: '/recommendations/user/{id}',
    tags,
    summary: "A shopper's picks from what they bought and viewed (never what they bought); popular for a newcomer",
    request: { params: IdParam, query: LimitQuery },
    responses: { 200: json(RecommendationList), ...errorResponses(400, 401, 404) },
  }),
};

export function recommendationRoutes(recs: RecQueries) {
  const app = createRouter();

  return app
    .openapi(routes.popular, async (c) => c.json({ data: await recs.popular(c.req.valid('query').limit) }, 200))
    .openapi(routes.similar, async (c) =>
      c.json({ data: await recs.similar(c.req.valid('param').productId, c.req.valid('query').limit) }, 200),
    )
    .openapi(routes.user, async (c) => {
      const { id } = c.req.valid('param');
      const me = c.get('user');
      // Like every other object here: someone else's is indistinguishable from a missing one.
      if (me.role !== 'admin' && me.sub !== id) throw new AppError('not_found', 'no recommendations for this user');
      return c.json({ data: await recs.forUser(id, c.req.valid('query').limit) }, 200);
    });
}
