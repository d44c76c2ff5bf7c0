/**
 * scripts/ascii-only.js (the last step of `npm run bundle`): the bundles are written with every character
 * outside ASCII escaped, and mean what they meant; where an escape could change the meaning the build stops.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
// @ts-expect-error: a plain JavaScript build script, without declarations
import { asciiOnly } from '../../scripts/ascii-only.js';

const escape = asciiOnly as (file: string, text: string) => string;

/** What a script gives, run in a fresh context. */
function valueOf(text: string): unknown {
  return vm.runInNewContext(text);
}

function isAscii(text: string): boolean {
  return !/[\u0080-\uffff]/.test(text);
}

describe('asciiOnly', () => {
  it('leaves an ASCII text as it is', () => {
    const text = "const a = 'plain'; // nothing to do\n";
    expect(escape('a.js', text)).toBe(text);
  });

  it('escapes strings, templates, comments and patterns, and they keep their values', () => {
    const text = [
      '// a comment … with ❌',
      "const quoted = 'caf\u00e9 → 🗑️';",
      'const template = `${quoted} ✏️ ${1 + 1} ♻️`;',
      "const patterns = [/['‘’‚‛]/g, /🗑/u, /[🗑]/u, /a🗑b/];",
      "[quoted, template, patterns.map(p => [p.test('x‘y'), p.test('🗑'), p.test('a🗑b')])];"
    ].join('\n');
    const escaped = escape('a.js', text);
    expect(isAscii(escaped)).toBe(true);
    expect(valueOf(escaped)).toEqual(valueOf(text));
    const [quoted, template, tests] = valueOf(escaped) as [string, string, boolean[][]];
    expect(quoted).toBe('café → 🗑️');
    expect(template).toBe('café → 🗑️ ✏️ 2 ♻️');
    expect(tests).toEqual([
      [true, false, false],
      [false, true, true],
      [false, true, true],
      [false, false, true]
    ]);
  });

  it('keeps the value of any string in a string literal, a template literal and a character class', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), value => {
        const literal = JSON.stringify(value);
        const inTemplate = value.replace(/[`\\$]/g, c => `\\${c}`);
        const inClass = [...value]
          .filter(c => !/[\]\\^\-/\n\r\u2028\u2029]/.test(c))
          .join('')
          .replace(/^$/, 'x');
        const text = `[${literal}, \`${inTemplate}\`, /[${inClass}]/u.test(${JSON.stringify(inClass)}), /[${inClass}]+/.exec(${JSON.stringify(inClass)})[0], /[${inClass}]+/u.exec(${JSON.stringify(inClass)})[0]];`;
        const escaped = escape('p.js', text);
        expect(isAscii(escaped)).toBe(true);
        expect(valueOf(escaped)).toEqual(valueOf(text));
      }),
      { numRuns: 150 }
    );
  });

  it('stops, naming the place, where an escape would change the meaning', () => {
    expect(() => escape('t.js', 'const f = s => s;\nf`→`;')).toThrow(/t\.js:2:2: .*tagged template/);
    expect(() => escape('t.js', 'String.raw`a ${1} → b`;')).toThrow(/tagged template/);
    expect(() => escape('n.js', 'const café = 1;')).toThrow(/n\.js:1:7: .*a name/);
    expect(() => escape('r.js', 'const r = /\\→/;')).toThrow(/after a backslash/);
    expect(() => escape('w.js', 'const a\u00a0= 1;')).toThrow(/changed the file's meaning/);
  });
});

describe('the committed bundles', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
      entry.isDirectory()
        ? files(path.join(dir, entry.name))
        : entry.name.endsWith('.js')
          ? [path.join(dir, entry.name)]
          : []
    );

  it('hold only ASCII (npm run bundle escapes the rest)', () => {
    const bundles = files('dist');
    expect(bundles).toContain(path.join('dist', 'cli', 'index.js'));
    expect(bundles.filter(file => !isAscii(readFileSync(file, 'latin1')))).toEqual([]);
  });
});
