/**
 * One input policy for every route, applied before any route runs: text in path parameters,
 * query parameters and JSON bodies (keys and values, at any depth) must not hold control
 * characters, lone UTF-16 surrogates or invisible format characters such as direction overrides
 * (which characters, and why: platform/text-policy.ts, the rule's one home). Postgres cannot store
 * U+0000 at all (it answered 500), and the others are never legitimate in a shop's data and hide
 * or disguise text from people who read it. Refused with the API's usual 400 `validation_failed`,
 * one `{field, in, message}` per field.
 *
 * Tab, LF and CR: allowed in JSON bodies, refused in path and query parameters. Body text is
 * where free text lives (an address on two lines, a refund reason), JSON carries them safely and
 * Postgres stores them; path and query values are ids and filters that are one line by nature.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { textProblem } from '../../platform/text-policy';
import { errorBody } from './error-handler';

export type Location = 'path' | 'query' | 'body';
export interface FieldProblem {
  field: string;
  in: Location;
  message: string;
}

// A refused character reaches path or query text only through a %-escape, or raw in the URL.
const URL_NEEDS_CHECK = /[%\u0000-\u001F\u007F-\uFFFF]/;
/** Enough to name what is wrong without letting one request build a huge error reply. */
export const MAX_PROBLEMS = 20;

export { textProblem };

/**
 * Every refused string in a parsed JSON value, named by its dotted path (`address.street`,
 * `items.1.product_id`), the same way zod names fields. Iterative, so a body nested thousands
 * deep cannot overflow the stack.
 */
export function jsonProblems(value: unknown, location: Location = 'body'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0 && problems.length < MAX_PROBLEMS) {
    const [node, path] = pending.pop()!;
    const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
    if (typeof node === 'string') {
      const message = textProblem(node, false);
      if (message) problems.push({ field: path || '(body)', in: location, message });
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) pending.push([node[i], at(i)]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node).reverse()) {
        const message = textProblem(key, true);
        if (message) problems.push({ field: path || '(body)', in: location, message: `a property name ${message}` });
        else pending.push([child, at(key)]);
      }
    }
  }
  return problems.slice(0, MAX_PROBLEMS);
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // Hono keeps a malformed escape as it is; so does the check
  }
};

function queryProblems(c: Context): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [name, values] of Object.entries(c.req.queries())) {
    const message = textProblem(name, true) ?? values.map((v) => textProblem(v, true)).find(Boolean);
    if (message) problems.push({ field: name, in: 'query', message });
  }
  return problems;
}

/** Names a bad path segment after the route's parameter (`/products/:id` → `id`) when one matches. */
function pathProblems(c: Context): FieldProblem[] {
  const segments = c.req.path.split('/');
  const bad = segments.map((s) => textProblem(decode(s), true));
  if (!bad.some(Boolean)) return [];
  // The route that will handle the request is the last match that is not a middleware.
  const handler = matchedRoutes(c)
    .filter((r) => r.method !== 'ALL')
    .pop();
  const route = handler?.path.split('/') ?? [];
  return segments.flatMap((_, i) => {
    const message = bad[i];
    if (!message) return [];
    const name = route[i]?.startsWith(':') ? route[i]!.slice(1).replace(/\{.*$/, '') : 'path';
    return [{ field: name, in: 'path' as const, message }];
  });
}

/**
 * Reads the body as text first: Hono caches it, so the route's own `c.req.text()` (the webhook's
 * HMAC check) gets the very same bytes, and `c.req.json()` parses them again. Any body that parses
 * as JSON is checked, whatever its content type claims: the webhook parses its raw text itself, so
 * a `text/plain` delivery reached the database too. Bodies that are not JSON are left to the route.
 */
async function bodyProblems(c: Context): Promise<FieldProblem[]> {
  if (!c.req.raw.body) return [];
  const text = await c.req.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  return jsonProblems(parsed);
}

/** The middleware: 400 naming every refused field, otherwise on to the route. */
export function inputPolicy(): MiddlewareHandler {
  return async (c, next) => {
    // Most requests have neither a %-escape nor a raw non-ASCII character in the URL and no
    // body, and pass after one regex test.
    const urlProblems = URL_NEEDS_CHECK.test(c.req.url) ? [...pathProblems(c), ...queryProblems(c)] : [];
    const problems = [...urlProblems, ...(await bodyProblems(c))];
    if (problems.length === 0) return next();
    const where = [...new Set(problems.map((p) => p.in))].join(', ');
    return c.json(
      errorBody(
        'validation_failed',
        `invalid ${where}: text must not contain control characters or invisible format characters`,
        problems.slice(0, MAX_PROBLEMS),
      ),
      400,
    );
  };
}
