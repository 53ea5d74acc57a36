/**
 * Relevance of /search and suggestions on the demo catalog: the judged queries of
 * services/search/relevance/judgements.json run against a private index built from the demo
 * catalog with the current mapping and query code (never the running shop's data), MRR and
 * nDCG@10 per query class and overall. The goals are the issue's; the relevance test fails below them.
 */
import { randomBytes } from 'node:crypto';
import { createProductSearch } from '../../../services/search/query';
import { evaluateRelevance, QUERY_CLASSES } from '../../../services/search/relevance/evaluate';
import { RELEVANCE_GOALS } from '../../../services/search/relevance/goals';
import { buildDemoIndex, dropDemoIndex } from '../../lib/search-demo-index';
import { ratio, type BenchContext, type PartResult } from './context';

export async function searchQualityPart(ctx: BenchContext): Promise<PartResult> {
  const es = ctx.deps.search;
  const alias = await buildDemoIndex(es, `bench-relevance-${randomBytes(4).toString('hex')}`);
  try {
    const search = createProductSearch(es, alias);
    const report = await evaluateRelevance(
      async (q) => (await search.search({ q, sort: 'relevance', page: 1, page_size: 10 })).data.map((h) => h.name),
      async (q) => (await search.suggest(q, 8)).data.map((s) => s.name),
    );
    const figures: Record<string, number | string> = { queries: report.overall.queries };
    for (const c of [...QUERY_CLASSES, 'suggest_prefix'] as const) {
      const s = report.byClass[c];
      if (s) figures[c] = `mrr ${s.mrr} ndcg@10 ${s.ndcg10} (${s.queries})`;
    }
    figures.overall = `mrr ${report.overall.mrr} ndcg@10 ${report.overall.ndcg10}`;
    const misses = report.scores.filter((s) => s.rr < 1 || s.ndcg < 0.7);
    figures.weakest = misses
      .sort((a, b) => a.ndcg - b.ndcg)
      .slice(0, 8)
      .map((s) => `"${s.q}" ${s.ndcg.toFixed(2)} [${s.top.join(' | ')}]`)
      .join('; ');
    const prefix = report.byClass.prefix!;
    const suggest = report.byClass.suggest_prefix!;
    return {
      figures,
      ratios: [
        ratio('prefix MRR (search)', prefix.mrr, 1, '', `>= ${RELEVANCE_GOALS.prefixMrr}`),
        ratio('prefix MRR (suggestions)', suggest.mrr, 1, '', `>= ${RELEVANCE_GOALS.prefixMrr}`),
        ratio('overall nDCG@10', report.overall.ndcg10, 1, '', `>= ${RELEVANCE_GOALS.overallNdcg10}`),
      ],
    };
  } finally {
    await dropDemoIndex(es, alias);
  }
}
