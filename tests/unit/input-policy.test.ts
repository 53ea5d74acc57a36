/** The input policy's pure checks: which characters are refused where, and how fields are named. */
import { jsonProblems, MAX_PROBLEMS, textProblem } from '../../api/middleware/input-policy';
import { RegisterBody } from '../../api/auth/schemas';
import { NewProductBody } from '../../api/products/schemas';
import { AddressPatch, ProfilePatch } from '../../api/users/schemas';
import { hasVisibleCharacter, withoutRefusedCharacters } from '../../platform/text-policy';

describe('textProblem', () => {
  const refusedEverywhere = [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x0e, 0x1b, 0x1f, 0x7f];

  it.each(refusedEverywhere)('refuses U+%s in any text', (code) => {
    const text = `Sari${String.fromCharCode(code)}`;
    const hex = code.toString(16).toUpperCase().padStart(4, '0');
    expect(textProblem(text, false)).toBe(`contains the control character U+${hex}`);
    expect(textProblem(text, true)).toBe(`contains the control character U+${hex}`);
  });

  it('allows tab, LF and CR in free text, refuses them in single-line text', () => {
    for (const ch of ['\t', '\n', '\r']) {
      expect(textProblem(`Jl. Asia Afrika${ch}No. 8`, false)).toBeUndefined();
      expect(textProblem(`kopi${ch}`, true)).toMatch(/control character/);
    }
  });

  it('refuses a lone surrogate, accepts a well-formed pair and ordinary non-ASCII text', () => {
    expect(textProblem('a\ud800b', false)).toMatch(/lone UTF-16 surrogate/);
    expect(textProblem('\udc00', true)).toMatch(/lone UTF-16 surrogate/);
    expect(textProblem('kopi ☕ 😀 Ñusantara – ÿ \u0080', true)).toBeUndefined();
  });
});

describe('textProblem: invisible format characters (Unicode Cf)', () => {
  const bidi = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
  const invisible = [0x00ad, 0x061c, 0x200b, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff, 0xe0041];
  const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

  it.each(bidi.map((cp) => [hex(cp), cp]))('refuses the bidirectional control %s, in any text', (_, cp) => {
    const text = `Sari ${String.fromCodePoint(cp)}Wulandari`;
    expect(textProblem(text, false)).toBe(`contains the bidirectional control character ${hex(cp)}`);
    expect(textProblem(text, true)).toBe(`contains the bidirectional control character ${hex(cp)}`);
  });

  it.each(invisible.map((cp) => [hex(cp), cp]))('refuses the invisible %s, in any text', (_, cp) => {
    expect(textProblem(`kopi${String.fromCodePoint(cp)}toraja`, false)).toBe(
      `contains the invisible format character ${hex(cp)}`,
    );
  });

  it('refuses the reported disguise: a file name whose extension is reversed on screen', () => {
    expect(textProblem('invoice\u202Efdp.exe', false)).toMatch(/U\+202E/);
  });

  it('keeps emoji ZWJ sequences, flags with tag characters, and joiners inside Indic and Persian words', () => {
    const accepted = [
      'Kaos \u{1F469}\u200D\u{1F4BB} developer', // woman technologist: 👩 ZWJ 💻
      'Stiker \u{1F3F3}\uFE0F\u200D\u{1F308} pelangi', // rainbow flag: VS16 before the ZWJ
      'Boneka \u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466} keluarga', // a family: three joiners
      'Mug \u{1F9D1}\u{1F3FD}\u200D\u{1F373} koki', // cook with a skin-tone modifier before the ZWJ
      'Kopi \u2764\uFE0F\u200D\u{1F525}', // heart on fire
      'Bendera \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', // Scotland: tags, cancel tag
      '\u0915\u094D\u200D\u0937', // Devanagari: KA VIRAMA ZWJ SSA
      '\u0DC1\u0DCA\u200D\u0DBB\u0DD3 \u0DBD\u0D82\u0D9A\u0DCF', // Sinhala Sri Lanka: VIRAMA ZWJ
      '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645', // Persian: ZWNJ between letters
      '\u0915\u094D\u200C', // ZWNJ right after a virama, at the end of a word
    ];
    for (const text of accepted)
      expect({ text, problem: textProblem(text, true) }).toEqual({ text, problem: undefined });
  });

  it('refuses a joiner that joins nothing: at either end, beside a space or digit, doubled', () => {
    for (const text of ['\u200Dadmin', 'admin\u200D', 'kopi \u200Cteh', '12\u200D34', 'a\u200D\u200Db', '😀\u200D ']) {
      expect({ text, problem: textProblem(text, false) }).toEqual({
        text,
        problem: expect.stringMatching(/U\+200[CD]/),
      });
    }
  });

  it('refuses tag characters outside a flag sequence', () => {
    expect(textProblem('kopi\u{E0067}\u{E0062}', false)).toBe('contains the invisible format character U+E0067');
    expect(textProblem('\u{1F3F4}\u{E0067}\u{E0062}', false)).toMatch(/U\+E0067/); // no cancel tag
  });
});

describe('textProblem: characters outside Cf that show nothing', () => {
  const blankLooking = [0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xffa0];

  const named = blankLooking.map((cp) => [`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, cp] as const);

  it.each(named)('refuses %s anywhere in any text', (hex, cp) => {
    const ch = String.fromCodePoint(cp);
    for (const text of [ch, `${ch}${ch}`, `Sari${ch}`, `${ch}Sari`, `Sa${ch}ri`]) {
      expect(textProblem(text, false)).toBe(`contains the invisible character ${hex}`);
      expect(textProblem(text, true)).toBe(`contains the invisible character ${hex}`);
    }
    expect(withoutRefusedCharacters(`Sa${ch}ri`)).toBe('Sari');
  });

  it('keeps the braille blank U+2800 and real Korean, Khmer and Hebrew text', () => {
    expect(textProblem('\u2801\u2800\u2803', false)).toBeUndefined(); // braille "a b" with its blank cell
    expect(textProblem('\u2800', true)).toBeUndefined();
    for (const text of ['김사리', '가', 'ខ្មែរ', 'שָׁלוֹם'])
      expect({ text, problem: textProblem(text, true) }).toEqual({ text, problem: undefined });
  });
});

describe('hasVisibleCharacter: a name-like field must show something', () => {
  it('is false for text made only of braille blanks, spaces, marks or refused characters', () => {
    for (const text of ['', ' ', '\u2800', '\u2800 \u2800', '\u3000\u2800', '\u0301\u0308', '\u3164', '\u200B\t'])
      expect({ text, visible: hasVisibleCharacter(text) }).toEqual({ text, visible: false });
  });

  it('is true as soon as one character shows', () => {
    for (const text of ['Sari', '\u2800S', 'é', '\u{1F469}\u200D\u{1F4BB}', '김', '7', '.', '\u2801'])
      expect({ text, visible: hasVisibleCharacter(text) }).toEqual({ text, visible: true });
  });

  it('name-like fields refuse a name of braille blanks, naming the field; free text keeps them', () => {
    const person = { email: 'sari@example.id', password: 'kopi-susu-2026', phone: '+6281234567890' };
    const blank = RegisterBody.safeParse({ ...person, first_name: '\u2800\u2800', last_name: 'Wulandari' });
    expect(blank.success).toBe(false);
    expect(blank.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['first_name', 'must contain a visible character'],
    ]);
    expect(RegisterBody.safeParse({ ...person, first_name: 'Sari', last_name: 'Wulandari' }).success).toBe(true);
    expect(ProfilePatch.safeParse({ last_name: ' \u2800 ' }).success).toBe(false);
    expect(AddressPatch.safeParse({ street: '\u2800' }).success).toBe(false);
    expect(AddressPatch.safeParse({ label: '\u0301' }).success).toBe(false);
    expect(NewProductBody.safeParse({ sku: 'BR-1', name: '\u2800', price: '1000.00' }).success).toBe(false);
    // A product description is free text: a braille blank inside it is a braille cell like any other.
    const braille = { sku: 'BR-1', name: 'Buku braille', description: '\u2801\u2800\u2803', price: '1000.00' };
    expect(NewProductBody.safeParse(braille).success).toBe(true);
  });
});

describe('withoutRefusedCharacters', () => {
  it('takes out what textProblem refuses and keeps what it accepts', () => {
    expect(withoutRefusedCharacters('Gudang\u202E Bandung\u200B\u2066')).toBe('Gudang Bandung');
    expect(withoutRefusedCharacters('\u{1F469}\u200D\u{1F4BB} \u200D')).toBe('\u{1F469}\u200D\u{1F4BB} ');
    expect(withoutRefusedCharacters('Jl. Asia\u0000 Afrika\nNo. 8\u007F')).toBe('Jl. Asia Afrika\nNo. 8');
    for (const text of ['\u200B\u200D a\u200D\u200Db \u{E0067}', 'x\u202Ey\uFEFF\ud800'])
      expect(textProblem(withoutRefusedCharacters(text), false)).toBeUndefined();
  });
});

describe('jsonProblems', () => {
  it('names nested and array fields by dotted path, as zod does', () => {
    const problems = jsonProblems({
      first_name: 'Sari',
      address: { street: 'Jl.\u0000', lines: ['ok', 'bad\u0007'] },
      items: [{ product_id: 'x' }, { product_id: '\u001b' }],
      count: 3,
      flag: null,
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['address.lines.1', 'address.street', 'items.1.product_id']);
    expect(problems.every((p) => p.in === 'body')).toBe(true);
  });

  it('refuses a property name with a control character, naming its parent', () => {
    expect(jsonProblems({ address: { 'str\u0000eet': 'x' } })).toEqual([
      { field: 'address', in: 'body', message: 'a property name contains the control character U+0000' },
    ]);
  });

  it('checks a body that is a bare string', () => {
    expect(jsonProblems('\u0000')).toEqual([expect.objectContaining({ field: '(body)' })]);
  });

  it('walks very deep nesting without overflowing the stack', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonProblems(deep)).toHaveLength(1);
  });

  it('reports at most MAX_PROBLEMS fields', () => {
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, '\u0000']));
    expect(jsonProblems(many)).toHaveLength(MAX_PROBLEMS);
  });

  it('finds nothing wrong in ordinary shop data', () => {
    expect(jsonProblems({ street: 'Jl. Asia Afrika No. 8\nRT 01/RW 02', price: '125000.00', tags: ['kopi'] })).toEqual(
      [],
    );
  });
});
