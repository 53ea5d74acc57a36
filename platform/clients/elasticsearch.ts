/** Elasticsearch client with a bounded request timeout. */
import { Client } from '@elastic/elasticsearch';

export type { Client as Search };

export function createElasticsearch(url: string, timeoutMs: number): Client {
  return new Client({ node: url, requestTimeout: Math.max(timeoutMs, 5000), maxRetries: 1 });
}
