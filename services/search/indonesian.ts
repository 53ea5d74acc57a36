/**
 * Bahasa Indonesia word forms for search, computed by the shop because this stack's Elasticsearch
 * is the server core alone: its `indonesian` analyzer and `synonym_graph` filter live in the
 * analysis-common module, which the integ-test distribution lacks and Maven Central does not carry.
 *
 * `stems` gives a word's possible roots. Lucene's light Indonesian stemmer (the one behind ES's
 * `indonesian` analyzer) only strips affixes, so "memasak" becomes "asak"; Indonesian prefixes
 * change the root's first letter (meN- + pasak = memasak, but also meN- + masak), so without a
 * dictionary both readings are kept: the document and the query are analyzed the same way and
 * meet on the right one, and a wrong reading ("pasak") rarely meets anything.
 */

/** Common function words, dropped from the analyzed text (not from the plain fields). */
export const STOP_WORDS = new Set(
  (
    'yang dan di ke dari untuk dengan pada ini itu atau juga dalam tidak akan ada adalah sebagai oleh ' +
    'karena agar bagi tanpa hingga sampai serta para sangat lebih bisa dapat secara per'
  ).split(' '),
);

const VOWEL = /^[aiueo]/;
const MIN_ROOT = 3;

/** Particles and possessives, then the derivational suffixes -kan, -an, -i. */
function suffixForms(w: string): string[] {
  const out = [w];
  let base = w;
  for (const s of ['lah', 'kah', 'pun', 'nya', 'ku', 'mu'])
    if (base.endsWith(s) && base.length - s.length >= 4) {
      base = base.slice(0, -s.length);
      out.push(base);
      break;
    }
  // Both -kan and -an for "...kan": "masakan" is masak + -an, "mainkan" main + -kan.
  for (const s of ['kan', 'an', 'i'])
    if (base.endsWith(s) && base.length - s.length >= 4) out.push(base.slice(0, -s.length));
  return out;
}

/** The roots a prefixed word may come from (meN-/peN- change the root's first consonant). */
function prefixForms(w: string): string[] {
  const rest = (n: number) => w.slice(n);
  for (const [p, mapped] of [
    ['meny', 's'],
    ['peny', 's'],
  ] as const)
    if (w.startsWith(p) && VOWEL.test(rest(4))) return [mapped + rest(4)];
  for (const p of ['meng', 'peng'])
    if (w.startsWith(p)) return VOWEL.test(rest(4)) ? [rest(4), `k${rest(4)}`] : [rest(4)];
  for (const p of ['mem', 'pem'])
    if (w.startsWith(p)) return VOWEL.test(rest(3)) ? [`m${rest(3)}`, `p${rest(3)}`] : [rest(3)];
  for (const p of ['men', 'pen'])
    if (w.startsWith(p)) return VOWEL.test(rest(3)) ? [`t${rest(3)}`, `n${rest(3)}`] : [rest(3)];
  for (const p of ['ber', 'ter', 'per'])
    if (w.startsWith(p)) return VOWEL.test(rest(3)) ? [rest(3), `r${rest(3)}`] : [rest(3)];
  for (const p of ['me', 'pe']) if (w.startsWith(p) && /^[lrwy]/.test(rest(2))) return [rest(2)];
  for (const p of ['di', 'be']) if (w.startsWith(p)) return [rest(2)];
  // ke-/se- only with -an (ke-...-an): otherwise "kemeja" would become "meja".
  if ((w.startsWith('ke') || w.startsWith('se')) && w.endsWith('an')) return [rest(2)];
  return [];
}

/** The word itself and its possible roots, lower case, each at least three letters. */
export function stems(word: string): string[] {
  const w = word.toLowerCase();
  if (w.length < 5 || !/^[a-z]+$/.test(w)) return [w];
  const out = new Set<string>([w]);
  for (const s of suffixForms(w)) {
    out.add(s);
    for (const p of prefixForms(s)) {
      out.add(p);
      // ke-...-an, peN-...-an: the prefix goes with the suffix.
      for (const q of suffixForms(p)) out.add(q);
    }
  }
  for (const p of prefixForms(w)) for (const q of suffixForms(p)) out.add(q);
  return [...out].filter((s) => s.length >= MIN_ROOT);
}
