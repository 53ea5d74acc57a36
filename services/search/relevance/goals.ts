/** The relevance goals of issue 23: the relevance test fails below them, the bench prints them. */
export const RELEVANCE_GOALS = { prefixMrr: 0.9, overallNdcg10: 0.85 } as const;
