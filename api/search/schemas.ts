/** Request and response schemas of the search routes (exported for tests). */
import { z } from '@hono/zod-openapi';
import { SORT_ORDERS } from '../../services/search/query';
import { MAX_PAGE_SIZE } from '../products/schemas';

/** Elasticsearch pages no deeper than 10,000 hits (index.max_result_window): 100 pages of 100. */
export const MAX_PAGE = 100;
export const MAX_QUERY_LENGTH = 100;
export const MAX_QUERY_WORDS = 10;
const MAX_PRICE = 10_000_000_000; // decimal(12,2)

const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');
const price = z.coerce
  .number({ error: 'must be a number of rupiah' })
  .min(0, 'must not be negative')
  .max(MAX_PRICE, `at most ${MAX_PRICE}`);

const searchText = (max: number) =>
  z
    .string({ error: 'required: the text to search for' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .refine((s) => /[\p{L}\p{N}]/u.test(s), 'must contain a letter or a digit');

export const SearchQuery = z
  .object({
    q: searchText(MAX_QUERY_LENGTH)
      .refine((s) => s.split(/\s+/).length <= MAX_QUERY_WORDS, `at most ${MAX_QUERY_WORDS} words`)
      .openapi({ example: 'kopi susu' }),
    category: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .regex(/^[a-z0-9_-]+$/, 'a category code: lower-case letters, digits, _ and -')
      .optional(),
    min_price: price.optional().openapi({ description: 'Lowest price in IDR, inclusive' }),
    max_price: price.optional().openapi({ description: 'Highest price in IDR, inclusive' }),
    in_stock: boolString.optional().openapi({ description: 'true: only products that can be bought now' }),
    sort: z
      .enum(SORT_ORDERS, { error: `one of ${SORT_ORDERS.join(', ')}` })
      .default('relevance')
      .openapi({
        description:
          'relevance (names starting with the text first), price_asc, price_desc, newest, or popularity ' +
          '(units sold in the last week, decayed, as the recommendations count them; relevance breaks ties)',
      }),
    page: z.coerce.number().int().min(1).max(MAX_PAGE, `at most ${MAX_PAGE}: narrow the search instead`).default(1),
    page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  })
  .refine((q) => q.min_price === undefined || q.max_price === undefined || q.min_price <= q.max_price, {
    message: 'min_price must not exceed max_price',
    path: ['min_price'],
  });

export const SuggestionQuery = z.object({
  q: searchText(50).openapi({ example: 'krip' }),
  size: z.coerce.number().int().min(1).max(20).default(8),
});

const SearchHitSchema = z
  .object({
    id: z.string(),
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    price: z.string().openapi({ example: '15000.00' }),
    category: z.string(),
    available: z.number().int(),
    in_stock: z.boolean(),
    score: z.number().nullable(),
    highlight: z
      .object({ name: z.string().optional(), description: z.string().optional() })
      .openapi({ description: 'Matched words wrapped in <em>; the text is HTML-escaped.' }),
  })
  .openapi('SearchHit');

export const SearchPage = z
  .object({
    data: z.array(SearchHitSchema),
    page: z.number(),
    page_size: z.number(),
    total: z.number(),
    did_you_mean: z
      .string()
      .nullable()
      .openapi({ description: 'When nothing matched: the text spelled as the catalog spells it, if any is close' }),
    facets: z.object({
      categories: z.array(z.object({ value: z.string(), count: z.number() })),
      price_ranges: z.array(
        z.object({ key: z.string(), from: z.number().nullable(), to: z.number().nullable(), count: z.number() }),
      ),
    }),
  })
  .openapi('SearchPage');

export const Suggestions = z
  .object({ data: z.array(z.object({ id: z.string(), name: z.string(), category: z.string() })) })
  .openapi('Suggestions');
