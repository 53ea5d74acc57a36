/**
 * Which characters text taken in from outside may hold: the one home of the rule. The API's input
 * policy (api/middleware/input-policy.ts) applies it to every field of every route; the carrier
 * link, whose frames never pass through the API, applies it to carrier events
 * (services/shipments/carrier-event-schema.ts).
 *
 * Refused in any text:
 * - control characters but tab, LF and CR, and DEL: Postgres cannot store U+0000 at all, and the
 *   others are never legitimate in a shop's data and hide text from people who read it;
 * - lone UTF-16 surrogates, which no UTF-8 store can hold;
 * - invisible format characters, Unicode general category Cf: the bidirectional embeddings,
 *   overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C) make
 *   text display as something other than what it holds (a name that reads as another, an
 *   "invoice<U+202E>fdp.exe" shown as "invoiceexe.pdf"); the zero-width space (U+200B), word joiner
 *   and invisible operators (U+2060–U+2064), the BOM (U+FEFF), the soft hyphen (U+00AD) and the
 *   rest show nothing and let two strings that look the same differ;
 * - letters and marks outside Cf that show nothing either, and serve only to look blank: the
 *   Hangul fillers (U+115F, U+1160, U+3164, U+FFA0: a "blank" name in games and chats), the
 *   combining grapheme joiner U+034F (it only changes collation and mark ordering) and the Khmer
 *   inherent vowels U+17B4/U+17B5 (deprecated by Unicode: "should not be used"). Real Korean text
 *   does not need them (modern Hangul is precomposed syllables; U+115F/U+1160 only in archaic jamo
 *   sequences); Hebrew that uses U+034F to order its marks is the price, rare in a shop.
 * Refused in single-line text (path and query values, property names) as well: tab, LF and CR.
 *
 * Kept, deliberately, because real text needs them:
 * - ZWNJ (U+200C) and ZWJ (U+200D) where they join something: right after a letter, mark or
 *   emoji and before another, or right after a combining mark such as a virama (IDNA's CONTEXTJ
 *   rule, RFC 5892 A.1/A.2, allows them there). ZWJ builds emoji sequences (👩‍💻, 🏳️‍🌈, a family in
 *   one glyph, in product names and reviews) and Indic conjuncts (Sinhala ශ්‍රී); ZWNJ is part of
 *   Persian and Indic spelling (می‌خواهم). Neither reorders text: between two characters they
 *   only change how those two join. Anywhere else (at either end of the text, beside a space,
 *   digit or punctuation, doubled) they do nothing visible and are refused like the rest of Cf.
 * - emoji tag sequences (🏴 + tag characters + U+E007F: the flags of England, Scotland and
 *   Wales), the one standard use of the tag characters U+E0020–U+E007F.
 * - U+2800 braille pattern blank: it shows nothing, but it is a real braille cell (the space
 *   between words in braille text) and braille input and screen readers produce it. Instead, a
 *   name-like field must hold at least one visible character (`hasVisibleCharacter`, applied by
 *   the schemas of names, address lines and product names): a name made only of braille blanks,
 *   spaces or marks is refused there, whatever characters it is made of.
 */

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF]/u;
const EVERY_CONTROL = new RegExp(CONTROL.source, 'gu');
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F\uD800-\uDFFF]/u;
/** Non-Cf characters that show nothing (see above), refused with the Cf ones. */
const BLANK_LOOKING = '\u034F\u115F\u1160\u17B4\u17B5\u3164\uFFA0';
const FORMAT = new RegExp(`[\\p{Cf}${BLANK_LOOKING}]`, 'u');
const EVERY_FORMAT = new RegExp(FORMAT.source, 'gu');
const IS_CF = /^\p{Cf}$/u;
/** A character someone sees: not white space, control, format, mark, braille blank or blank-looking. */
const VISIBLE = new RegExp(`[^\\p{White_Space}\\p{Cc}\\p{Cf}\\p{M}\\u2800${BLANK_LOOKING}]`, 'u');
const EMOJI_TAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
const JOINS_AFTER = /[\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}]$/u;
const JOINS_BEFORE = /^[\p{L}\p{M}\p{Extended_Pictographic}]/u;
const ENDS_WITH_MARK = /\p{Mn}$/u;
const ZWNJ = 0x200c;
const ZWJ = 0x200d;

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
const isBidiControl = (cp: number) => (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);

/** Whether the joiner at `index` of `text` joins two characters (see the rule above). */
function joins(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 2), index);
  if (!JOINS_AFTER.test(before)) return false;
  return ENDS_WITH_MARK.test(before) || JOINS_BEFORE.test(text.slice(index + 1, index + 3));
}

/** The first refused invisible format character of `text` and where it is, or undefined. */
function firstFormatCharacter(text: string): { cp: number; index: number } | undefined {
  if (!FORMAT.test(text)) return undefined; // the common case: one scan, nothing found
  const flags = [...text.matchAll(EMOJI_TAG_SEQUENCE)].map((m) => [m.index, m.index + m[0].length] as const);
  for (const match of text.matchAll(EVERY_FORMAT)) {
    const cp = match[0].codePointAt(0)!;
    const index = match.index;
    if (flags.some(([start, end]) => index >= start && index < end)) continue;
    if ((cp === ZWJ || cp === ZWNJ) && joins(text, index)) continue;
    return { cp, index };
  }
  return undefined;
}

/** Why `text` is refused, or undefined when it is fine. */
export function textProblem(text: string, singleLine: boolean): string | undefined {
  const control = (singleLine ? CONTROL_SINGLE_LINE : CONTROL).exec(text)?.[0];
  if (control !== undefined) {
    const code = control.charCodeAt(0);
    if (code >= 0xd800) return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
    return `contains the control character ${hex(code)}`;
  }
  const format = firstFormatCharacter(text)?.cp;
  if (format === undefined) return undefined;
  if (isBidiControl(format)) return `contains the bidirectional control character ${hex(format)}`;
  if (!IS_CF.test(String.fromCodePoint(format))) return `contains the invisible character ${hex(format)}`;
  return `contains the invisible format character ${hex(format)}`;
}

/**
 * Whether `text` holds at least one character a reader sees. Name-like fields require it, so a
 * name made only of braille blanks (which `textProblem` keeps), spaces or lone marks is refused.
 */
export function hasVisibleCharacter(text: string): boolean {
  return VISIBLE.test(text);
}

/**
 * `text` without any character `textProblem` refuses in free text (tab, LF and CR are kept), for
 * text that must be kept although nobody can be answered with a 400: a carrier's tracking note
 * read from its stream. Whoever calls it records that something was taken out.
 */
export function withoutRefusedCharacters(text: string): string {
  let out = text.replace(EVERY_CONTROL, '');
  // One at a time: taking one out can change whether a joiner beside it joins anything.
  for (let found = firstFormatCharacter(out); found; found = firstFormatCharacter(out)) {
    out = out.slice(0, found.index) + out.slice(found.index + String.fromCodePoint(found.cp).length);
  }
  return out;
}
