/** The input policy's pure checks: which characters are refused where, and how fields are named. */
import { jsonProblems, MAX_PROBLEMS, textProblem } from '../../api/middleware/input-policy';

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
