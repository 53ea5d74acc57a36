/**
 * The analyzed text behind the `name_terms` and `body_terms` fields: lower-case words, each with
 * its possible Indonesian roots (indonesian.ts), function words dropped, and a token standing for
 * each synonym group a word or phrase belongs to (synonyms.ts). Documents and queries go through
 * the same function, so "memasak" meets "Masakan" on "masak" and "jilbab" meets "Hijab" on the
 * group token. The fields use the whitespace analyzer: Elasticsearch indexes these tokens as they are.
 */
import { stems, STOP_WORDS } from './indonesian';
import { BROADER, CATEGORY_WORDS, SYNONYM_GROUPS } from './synonyms';

export const words = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

const groupToken = (group: string[]) => `=${words(group[0]!).join('_')}`;

/** Member phrase (its words joined by one space) -> the group's token. */
const MEMBERS = new Map<string, string>();
for (const group of SYNONYM_GROUPS) for (const m of group) MEMBERS.set(words(m).join(' '), groupToken(group));
const LONGEST = Math.max(...[...MEMBERS.keys()].map((k) => k.split(' ').length));

/** A word or phrase as a token: its synonym group's, or the word itself. */
const tokenOf = (phrase: string) => MEMBERS.get(words(phrase).join(' ')) ?? words(phrase).join('_');

/** Token (a word or a group) -> the broader words' tokens a document with it answers to. */
const BROADER_OF = new Map<string, string[]>();
for (const [broad, narrow] of Object.entries(BROADER))
  for (const n of narrow) BROADER_OF.set(tokenOf(n), [...(BROADER_OF.get(tokenOf(n)) ?? []), tokenOf(broad)]);

/**
 * Tokens for `text`. `index` adds what a document answers to beyond its words (broader words);
 * a query only asks for what it says.
 */
export function analyze(text: string, side: 'index' | 'query'): string[] {
  const ws = words(text);
  const out = new Set<string>();
  const covered = new Set<number>();
  for (let i = 0; i < ws.length; i++)
    for (let n = Math.min(LONGEST, ws.length - i); n >= 2; n--) {
      const group = MEMBERS.get(ws.slice(i, i + n).join(' '));
      if (!group) continue;
      out.add(group);
      for (let k = i; k < i + n; k++) covered.add(k);
      break;
    }
  ws.forEach((w, i) => {
    // A query's words that made a synonym phrase ask for the phrase only: "jam tangan" is a watch,
    // not anything with "tangan" (hand) in it; a document keeps its words as well.
    if (STOP_WORDS.has(w) || (side === 'query' && covered.has(i))) return;
    for (const s of stems(w)) {
      out.add(s);
      const group = covered.has(i) ? undefined : MEMBERS.get(s);
      if (group) out.add(group);
    }
  });
  if (side === 'index') for (const t of [...out]) for (const b of BROADER_OF.get(t) ?? []) out.add(b);
  return [...out];
}

/**
 * The analyzed name with the words of its category (what the product is: "mainan" finds the toys
 * before a basket whose description mentions toys), and the analyzed description.
 */
export function analyzedFields(p: { name: string; description: string; category: string }) {
  return {
    name_terms: analyze(`${p.name} ${CATEGORY_WORDS[p.category] ?? p.category}`, 'index').join(' '),
    body_terms: analyze(p.description, 'index').join(' '),
  };
}
