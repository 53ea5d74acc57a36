/**
 * Scores a search against the judged queries of judgements.json: MRR (the first hit graded 2 or
 * more) and nDCG@10 (graded gain 2^g - 1 against the ideal order of every graded product), per
 * query class and overall. A hit's grade is the grade of the product line its name starts with.
 * Used by the bench part search_quality and the relevance test, so both read the same figures.
 */
import judgements from './judgements.json';

export const QUERY_CLASSES = ['prefix', 'typo', 'affix', 'synonym', 'multiword', 'category', 'mixed'] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

export interface Judgement {
  q: string;
  class: QueryClass;
  /** Product line name -> grade 1..3. */
  grades: Record<string, number>;
}

export const JUDGEMENTS = judgements.queries as unknown as Judgement[];
for (const j of JUDGEMENTS)
  if (!(QUERY_CLASSES as readonly string[]).includes(j.class))
    throw new Error(`judgements.json: "${j.q}" has class ${j.class}`);

/** How many products each line stands for in the demo catalog (its variants). */
export const VARIANTS_PER_LINE = 4;
const K = 10;
const RELEVANT = 2;

export function gradeOf(name: string, grades: Record<string, number>): number {
  let best = 0;
  let longest = -1;
  for (const [line, g] of Object.entries(grades))
    if (name.startsWith(`${line} `) && line.length > longest) [best, longest] = [g, line.length];
  return best;
}

const gain = (g: number) => 2 ** g - 1;
const dcg = (gs: number[]) => gs.slice(0, K).reduce((s, g, i) => s + gain(g) / Math.log2(i + 2), 0);

export interface QueryScore {
  q: string;
  class: QueryClass;
  rr: number;
  ndcg: number;
  top: string[];
}

export function scoreQuery(j: Judgement, names: string[]): QueryScore {
  const gs = names.map((n) => gradeOf(n, j.grades));
  const first = gs.findIndex((g) => g >= RELEVANT);
  const ideal = Object.values(j.grades)
    .flatMap((g) => Array<number>(VARIANTS_PER_LINE).fill(g))
    .sort((a, b) => b - a);
  const best = dcg(ideal);
  return {
    q: j.q,
    class: j.class,
    rr: first < 0 || first >= K ? 0 : 1 / (first + 1),
    ndcg: best === 0 ? 0 : dcg(gs) / best,
    top: names.slice(0, 3),
  };
}

export interface Summary {
  queries: number;
  mrr: number;
  ndcg10: number;
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function summarize(scores: QueryScore[]): Summary {
  const n = scores.length;
  return {
    queries: n,
    mrr: n ? round3(scores.reduce((s, x) => s + x.rr, 0) / n) : 0,
    ndcg10: n ? round3(scores.reduce((s, x) => s + x.ndcg, 0) / n) : 0,
  };
}

export interface RelevanceReport {
  byClass: Partial<Record<QueryClass | 'suggest_prefix', Summary>>;
  overall: Summary;
  scores: QueryScore[];
  suggest: QueryScore[];
}

/**
 * Runs every judged query through `search` (names of the top hits, best first) and every prefix
 * query through `suggest` too; `overall` is the search figures over every class.
 */
export async function evaluateRelevance(
  search: (q: string) => Promise<string[]>,
  suggest: (q: string) => Promise<string[]>,
  judged: Judgement[] = JUDGEMENTS,
): Promise<RelevanceReport> {
  const scores: QueryScore[] = [];
  const suggestScores: QueryScore[] = [];
  for (const j of judged) {
    scores.push(scoreQuery(j, await search(j.q)));
    if (j.class === 'prefix') suggestScores.push(scoreQuery(j, await suggest(j.q)));
  }
  const byClass: RelevanceReport['byClass'] = {};
  for (const c of QUERY_CLASSES) {
    const of = scores.filter((s) => s.class === c);
    if (of.length) byClass[c] = summarize(of);
  }
  byClass.suggest_prefix = summarize(suggestScores);
  return { byClass, overall: summarize(scores), scores, suggest: suggestScores };
}
