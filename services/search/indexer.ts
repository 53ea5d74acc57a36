/**
 * Writes document changes into the products index, newest version wins.
 *
 * Why it is atomic and idempotent without scripts (this Elasticsearch has no painless): each
 * change is a compare-and-set. Read the document and its `_seq_no`/`_primary_term`, merge in JS
 * (document.ts: a half is replaced only by a higher version), write it back with `if_seq_no` /
 * `if_primary_term` (or `op_type: create` when there was none). A concurrent writer (the product
 * and inventory consumers, the reindex catch-up) makes ours fail with 409 and we read again, so
 * no write is lost and none is based on a stale read. A redelivered or older event merges to
 * "nothing newer" and writes nothing.
 *
 * The write goes to the concrete index the read came from, never to the alias: a seq_no read in
 * one index means nothing in another, and the alias may have moved in between. After a reindex
 * swap the old index is write-blocked, so a write aimed at it fails and is retried from the read,
 * which now goes through the alias to the new index.
 */
import type { Client } from '@elastic/elasticsearch';
import type { DocumentChange, ProductDocument } from './document';
import { merge } from './document';
import { isConflict, isWriteBlocked, unavailable } from './errors';
import { PRODUCTS_ALIAS } from './products-index';

const MAX_ATTEMPTS = 20;

export type ApplyResult = 'written' | 'unchanged';

export function createIndexer(es: Client, index: string = PRODUCTS_ALIAS, now: () => number = Date.now) {
  async function applyOnce(change: DocumentChange): Promise<ApplyResult> {
    const got = await es.get<ProductDocument>({ index, id: change.id }, { ignore: [404] });
    if (!got._index) throw unavailable(); // the alias itself is missing: not migrated yet
    const doc = merge(got.found ? got._source : undefined, change, now());
    if (!doc) return 'unchanged';
    if (got.found) {
      await es.index({
        index: got._index,
        id: change.id,
        document: doc,
        if_seq_no: got._seq_no,
        if_primary_term: got._primary_term,
      });
    } else {
      await es.index({ index: got._index, id: change.id, document: doc, op_type: 'create' });
    }
    return 'written';
  }

  return {
    /** Applies one change; retries when another writer got there first or the index moved. */
    async apply(change: DocumentChange): Promise<ApplyResult> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await applyOnce(change);
        } catch (err) {
          if (!(isConflict(err) || isWriteBlocked(err)) || attempt >= MAX_ATTEMPTS) throw err;
          if (isWriteBlocked(err)) await new Promise((r) => setTimeout(r, 20 * attempt));
        }
      }
    },

    /**
     * Applies many changes (a consumer's batch, the reindex catch-up): one mget, one bulk of
     * compare-and-set writes, one write per document however many of its changes there are (they
     * are merged in the order given, as `apply` one after another would). The few writes that lose
     * a race are redone one change at a time. Returns how many documents were written.
     */
    async applyMany(changes: DocumentChange[]): Promise<number> {
      if (changes.length === 0) return 0;
      const byId = new Map<string, DocumentChange[]>();
      for (const change of changes) {
        const same = byId.get(change.id);
        if (same) same.push(change);
        else byId.set(change.id, [change]);
      }
      const ids = [...byId.keys()];
      const { docs } = await es.mget<ProductDocument>({ index, ids });
      const ops: unknown[] = [];
      const pending: string[] = [];
      ids.forEach((id, i) => {
        const got = docs[i] as {
          found?: boolean;
          _source?: ProductDocument;
          _index: string;
          _seq_no?: number;
          _primary_term?: number;
        };
        let doc = got.found ? got._source : undefined;
        let changed = false;
        for (const change of byId.get(id)!) {
          const next = merge(doc, change, now());
          if (next) [doc, changed] = [next, true];
        }
        if (!changed) return;
        ops.push(
          got.found
            ? { index: { _index: got._index, _id: id, if_seq_no: got._seq_no, if_primary_term: got._primary_term } }
            : { create: { _index: got._index, _id: id } },
          doc,
        );
        pending.push(id);
      });
      if (ops.length === 0) return 0;
      const res = await es.bulk({ operations: ops });
      let written = pending.length;
      if (res.errors) {
        for (const [i, item] of res.items.entries()) {
          const result = Object.values(item)[0];
          if (!result?.error) continue;
          written--;
          if (result.status !== 409) throw new Error(`bulk write of ${pending[i]!} failed: ${result.error.type}`);
          let redone = false;
          for (const change of byId.get(pending[i]!)!) redone = (await this.apply(change)) === 'written' || redone;
          if (redone) written++;
        }
      }
      return written;
    },
  };
}

export type Indexer = ReturnType<typeof createIndexer>;
