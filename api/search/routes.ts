/**
 * Product search and autocomplete, public. Elasticsearch down answers 503 naming it; no other
 * route depends on it (and the API's readiness does not check it).
 */
import { createRoute } from '@hono/zod-openapi';
import type { ProductSearch } from '../../services/search/query';
import { createRouter } from '../router';
import { errorResponses, json } from '../schemas';
import { SearchPage, SearchQuery, SuggestionQuery, Suggestions } from './schemas';

const tags = ['search'];

const routes = {
  search: createRoute({
    method: 'get',
    path: '/search',
    tags,
    summary: 'Search active products: relevance-ranked, typo-tolerant, with highlights and facets',
    description:
      'Ranked in tiers: names starting with the text, then names whose words start with the typed words, ' +
      'then exact words, Indonesian roots and synonyms ("memasak" finds "Masakan", "jilbab" finds "Hijab"), ' +
      'then typos. Facets count with every filter except their own (category counts ignore `category`, ' +
      'price ranges ignore `min_price`/`max_price`). When nothing matched, `did_you_mean` may hold a ' +
      'spelling the catalog knows, and the search is counted for the dashboard. Pages stop at 100.',
    request: { query: SearchQuery },
    responses: { 200: json(SearchPage), ...errorResponses(400, 503) },
  }),
  suggestions: createRoute({
    method: 'get',
    path: '/search/suggestions',
    tags,
    summary: 'Product names completing what was typed (any word of the name), one typo tolerated',
    description:
      'Names starting with the text come first, then names with a later word starting with it, then ' +
      'completions one typo away.',
    request: { query: SuggestionQuery },
    responses: { 200: json(Suggestions), ...errorResponses(400, 503) },
  }),
};

/** `index` lets a test point the routes at a scratch index. */
export function searchRoutes(search: Pick<ProductSearch, 'search' | 'suggest'>) {
  return createRouter()
    .openapi(routes.search, async (c) => c.json(await search.search(c.req.valid('query')), 200))
    .openapi(routes.suggestions, async (c) => {
      const { q, size } = c.req.valid('query');
      return c.json(await search.suggest(q, size), 200);
    });
}
