/**
 * A product's search document and how one change merges into it. A document has two halves fed
 * by two aggregates with their own `aggregate_version` sequences (platform/kafka/topics.ts): the
 * product half (`product.upserted` on pasar.products) and the stock half (`inventory.changed` on
 * pasar.inventory). Each half carries the version it came from and is replaced only by a newer
 * one, so an event delivered twice, late or out of order changes nothing (`merge` returns null).
 */
import type { EventData } from '../../platform/event-catalog';
import { analyzedFields } from './analysis';

export interface ProductHalf {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  status: string;
  price: number;
  weight_grams: number;
  created_at: string;
  updated_at: string;
  /** Derived from name, description and category by analysis.ts (Indonesian roots, synonyms). */
  name_terms: string;
  body_terms: string;
  suggest: SuggestInput[];
}

/** A completion input and its weight: a suggestion whose name starts with the typed text outranks one that only has a later word starting with it. */
export interface SuggestInput {
  input: string[];
  weight: number;
}

export interface StockHalf {
  available: number;
  in_stock: boolean;
}

export type ProductDocument = Partial<ProductHalf> &
  Partial<StockHalf> & { product_version?: number; stock_version?: number; indexed_at?: number };

/** One change to apply: either half or both, each with the version it was read at. */
export interface DocumentChange {
  id: string;
  product?: { version: number; value: ProductHalf };
  /**
   * Version 0 is the stock a product was created with (creating a product publishes no
   * inventory.changed): it fills a document that has no stock yet, or rides along with a newer
   * product half while no inventory event has been applied; any inventory event replaces it.
   */
  stock?: { version: number; value: StockHalf };
  /** When the change was first indexed, kept by the reindex catch-up copy (now otherwise). */
  indexedAt?: number;
}

/**
 * Completion inputs: the whole name (weight 2) and the name from each later word (weight 1), so
 * "singkong" suggests "Keripik Singkong..." and "kem" suggests Kemeja before "Minyak Kemiri".
 */
export function suggestInputs(name: string): SuggestInput[] {
  const words = name.split(/\s+/).filter(Boolean);
  const later = words.slice(1, 8).map((_, i) => words.slice(i + 1).join(' '));
  return [{ input: [name], weight: 2 }, ...(later.length ? [{ input: later, weight: 1 }] : [])];
}

/** The fields a product half derives from its name, description and category. */
export const derivedFields = (p: { name: string; description: string; category: string }) => ({
  ...analyzedFields(p),
  suggest: suggestInputs(p.name),
});

export function productHalf(p: Omit<EventData<'product.upserted'>, 'available' | 'in_stock'>): ProductHalf {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    category: p.category,
    status: p.status,
    price: Number(p.price),
    weight_grams: p.weight_grams,
    created_at: p.created_at,
    updated_at: p.updated_at,
    ...derivedFields(p),
  };
}

export const stockHalf = (available: number): StockHalf => ({ available, in_stock: available > 0 });

/** product.upserted carries the whole product and the stock it saw (applied as version 0 only). */
export function fromProductEvent(data: EventData<'product.upserted'>, version: number): DocumentChange {
  return {
    id: data.id,
    product: { version, value: productHalf(data) },
    stock: { version: 0, value: stockHalf(data.available) },
  };
}

/** inventory.changed carries absolute numbers, so it can be applied after a gap. */
export function fromStockEvent(data: EventData<'inventory.changed'>, version: number): DocumentChange {
  return { id: data.product_id, stock: { version, value: stockHalf(data.available) } };
}

/** The change a stored document represents, to copy it into another index (reindex catch-up). */
export function fromDocument(id: string, doc: ProductDocument): DocumentChange {
  const change: DocumentChange = { id, indexedAt: doc.indexed_at };
  if (doc.product_version !== undefined && doc.name !== undefined) {
    const { available: _a, in_stock: _i, product_version: _pv, stock_version: _sv, indexed_at: _t, ...rest } = doc;
    // Derived again, not copied: an index of an older mapping version holds older (or no) derived fields.
    const half = rest as ProductHalf;
    change.product = { version: doc.product_version, value: { ...half, ...derivedFields(half) } };
  }
  if (doc.stock_version !== undefined && doc.available !== undefined)
    change.stock = { version: doc.stock_version, value: stockHalf(doc.available) };
  return change;
}

/**
 * Merges a change into the current document (undefined: none yet). Returns the new document,
 * or null when nothing in the change is newer than what is stored.
 */
export function merge(
  current: ProductDocument | undefined,
  change: DocumentChange,
  now: number,
): ProductDocument | null {
  const doc: ProductDocument = { ...current };
  const storedProduct = current?.product_version ?? -1;
  const storedStock = current?.stock_version ?? -1;
  let changed = false;
  let productApplied = false;
  if (change.product && change.product.version > storedProduct) {
    Object.assign(doc, change.product.value, { product_version: change.product.version });
    changed = productApplied = true;
  }
  if (change.stock) {
    const v = change.stock.version;
    const newer = v > storedStock;
    // A product half's stock snapshot is as new as that product half; it never beats an inventory event.
    const sameBaseline = v === 0 && storedStock === 0 && productApplied;
    if (newer || sameBaseline) {
      Object.assign(doc, change.stock.value, { stock_version: v });
      changed = true;
    }
  }
  if (!changed) return null;
  doc.id = change.id; // a stock-only document has it too (the catch-up pass pages by it)
  doc.indexed_at = change.indexedAt ?? now;
  return doc;
}
