import fc from 'fast-check';
import { Reader, parseJsonWithPositions } from '../../src/sources/json.js';
import type { Json } from '../../src/model/value.js';
import { UserError } from '../../src/model/errors.js';

/**
 * Strict JSON is read with `JSON.parse` and its positions found in the text when asked; the reader
 * records every position as it reads. Both must give the same value, the same positions for every
 * pointer, and the same errors.
 */

/** The reader's own answer, as parseJsonWithPositions has it read (a name written twice keeps its last value). */
function readEagerly(text: string, file: string) {
  const reader = new Reader(text, file);
  reader.repeatedNames = 'last';
  const value = reader.parseDocument();
  const position = (spot: { line: number; column: number } | undefined) =>
    spot ? { file, line: spot.line, column: spot.column } : null;
  return {
    value,
    pointers: [...reader.values.keys()],
    positionOf: (p: string) => position(reader.keys.get(p) ?? reader.values.get(p)),
    valuePositionOf: (p: string) => position(reader.values.get(p))
  };
}

const tricky = fc.constantFrom(
  '',
  'a/b',
  '~',
  '~1',
  'a~0b',
  '"',
  '\\',
  '\u2028',
  '\u2029',
  'é',
  '𝄞',
  '\ufeff',
  '__proto__',
  'constructor',
  '0',
  '01',
  '[x]',
  'line\nbreak',
  'tab\there'
);
const text = fc.oneof(tricky, fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 }));

const value: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Json>(null, true, false, 0, -0, 1.5e300, -12, 3.25),
    text,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 })
  )
})).value;

const space = fc.array(fc.constantFrom(' ', '\t', '\n', '\r\n', '\r', '  '), { maxLength: 3 }).map(s => s.join(''));

/** A string literal with some characters written as escapes (`\u00e9`, `\/`), as editors may. */
function literal(s: string, escapes: boolean[]): string {
  let out = '"';
  [...s].forEach((ch, i) => {
    const plain = JSON.stringify(ch).slice(1, -1);
    if (!escapes[i % escapes.length] || plain !== ch) out += plain;
    else if (ch === '/') out += '\\/';
    // Every UTF-16 code unit of it: a character past U+FFFF is a surrogate pair, written as two escapes.
    else for (let k = 0; k < ch.length; k++) out += '\\u' + ch.charCodeAt(k).toString(16).padStart(4, '0');
  });
  return out + '"';
}

/** A value as JSON text holds it: -0 is 0. */
function asWritten(x: Json): Json {
  if (Object.is(x, -0)) return 0;
  if (Array.isArray(x)) return x.map(asWritten);
  if (x === null || typeof x !== 'object') return x;
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(x))
    Object.defineProperty(out, key, { value: asWritten(item), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Serializes with the whitespace and escapes `layout` picks. */
function write(v: Json, layout: { spaces: string[]; escapes: boolean[] }): string {
  let n = 0;
  const ws = () => layout.spaces[n++ % layout.spaces.length];
  const go = (x: Json): string => {
    if (typeof x === 'string') return literal(x, layout.escapes);
    if (Array.isArray(x)) return '[' + ws() + x.map(item => go(item) + ws()).join(',' + ws()) + ']';
    if (x !== null && typeof x === 'object')
      return (
        '{' +
        ws() +
        Object.entries(x)
          .map(([k, item]) => literal(k, layout.escapes) + ws() + ':' + ws() + go(item) + ws())
          .join(',' + ws()) +
        '}'
      );
    return JSON.stringify(x);
  };
  return ws() + go(v) + ws();
}

const layout = fc.record({
  spaces: fc.array(space, { minLength: 1, maxLength: 5 }),
  escapes: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 })
});

/** Pointers that name nothing, or almost name something. */
function nearMisses(pointers: string[]): string[] {
  const out = ['/', '//', 'x', '/-1', '/00', '/1/', '/~', '/~2'];
  for (const p of pointers.slice(0, 20)) out.push(p + '/0', p + '/x', p.toUpperCase(), p + '0', p.replace(/~1/g, '/'));
  return out;
}

function outcome(read: () => unknown): unknown {
  try {
    read();
    return 'read';
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { message: error.message, location: error.location };
  }
}

describe('positions found in the text equal the positions the reader records', () => {
  test('for every pointer of random documents (escapes, \\u2028, CRLF, lone CR, tabs)', () => {
    fc.assert(
      fc.property(value, layout, (v, l) => {
        const source = write(v, l);
        const eager = readEagerly(source, 'x.json');
        // The text written holds the value generated, as JSON can (-0 is written 0). Not checked with
        // JSON.parse, which on Node 24 can take an escaped key for another (see the test of that below).
        expect(eager.value).toEqual(asWritten(v));
        const lazy = parseJsonWithPositions(source, 'x.json');
        // A comment after the document makes it the reader's to read, positions and all.
        const read = parseJsonWithPositions(source + '\n// end', 'x.json');
        expect(lazy.value).toEqual(eager.value);
        expect(Object.is(lazy.value, -0)).toBe(Object.is(eager.value, -0));
        for (const p of eager.pointers) {
          expect([p, lazy.positionOf(p)]).toEqual([p, eager.positionOf(p)]);
          expect([p, lazy.valuePositionOf(p)]).toEqual([p, eager.valuePositionOf(p)]);
        }
        for (const p of [...eager.pointers, ...nearMisses(eager.pointers)]) {
          expect([p, lazy.positionOf(p)]).toEqual([p, read.positionOf(p)]);
          expect([p, lazy.valuePositionOf(p)]).toEqual([p, read.valuePositionOf(p)]);
        }
      }),
      { numRuns: 300 }
    );
  });

  test('a name in another case is found as ARM reads names: the exact name first, else the first in another case', () => {
    // ARM reads a template's "Resources" as "resources"; cmk-guard renames it so, and asks for positions by
    // the documented name.
    const source = '{\n "Resources": [{"Properties": {"x": 1}}],\n "A": {"b": 1},\n "a": {"B": 2, "b": 3},\n "C": 4\n}';
    for (const text of [source, source + '\n// the reader reads it']) {
      const doc = parseJsonWithPositions(text, 'x.json');
      const at = (p: string) => [doc.positionOf(p)?.line, doc.positionOf(p)?.column];
      expect(at('/resources/0/properties/x')).toEqual([2, 32]);
      expect(doc.valuePositionOf('/resources/0/properties')).toEqual({ file: 'x.json', line: 2, column: 31 });
      expect(at('/a/b')).toEqual([4, 16]);
      expect(at('/A/B')).toEqual([3, 8]);
      expect(at('/a/B')).toEqual([4, 8]);
      expect(at('/c')).toEqual([5, 2]);
      expect(doc.positionOf('/d')).toBeNull();
      expect(doc.positionOf('/resources/1')).toBeNull();
    }
  });

  test('a repeated key, deep nesting and non-strict JSON still get the reader’s errors and positions', () => {
    const deep = (n: number) => `{"a": ${'['.repeat(n)}1${']'.repeat(n)}}`;
    const cases = [
      '{"a": 1, "a": 2}',
      '{"x": {"a": {}, "b": [], "a": null}}',
      '{"a": 1, "A": 2, "a": 3}',
      '{"__proto__": 1, "__proto__": 2}',
      '[{"k": 1}, {"k": 2, "k": 3}]',
      deep(509),
      deep(510),
      deep(511),
      deep(512),
      '{"a": 1, // note\n "b": 2}',
      '{"a": [1, 2,], }',
      '{"a": "line\nbreak"}',
      '\ufeff{"a": 1}',
      '{"a": 1}\ufeff',
      '{"a": "\\u00e9", "b": 1e400}'
    ];
    for (const source of cases) {
      const lazy = outcome(() => parseJsonWithPositions(source, 'x.json'));
      const eager = outcome(() => readEagerly(source, 'x.json'));
      expect(lazy).toEqual(eager);
      if (lazy === 'read') {
        const e = readEagerly(source, 'x.json');
        const l = parseJsonWithPositions(source, 'x.json');
        expect(l.value).toEqual(e.value);
        for (const p of e.pointers) expect(l.positionOf(p)).toEqual(e.positionOf(p));
      }
    }
  });

  test('an escaped key is read as written, whatever objects were read before (JSON.parse on Node 24 is not)', () => {
    // V8 13 reuses the shape of an object read before and takes `\"` for the `\\` it had there.
    parseJsonWithPositions('{"a": 1, "\\\\": 2}', 'first.json');
    expect(parseJsonWithPositions('{"a": 1, "\\"": 2}', 'second.json').value).toEqual({ a: 1, '"': 2 });
    parseJsonWithPositions('{"\\"": 1, "\\\\": 2, "": 3}', 'third.json');
    // A name written twice keeps its last value, as ARM reads it.
    expect(parseJsonWithPositions('{"\\"": 0, "\\"": null, "": null}', 'fourth.json').value).toEqual({
      '"': null,
      '': null
    });
  });

  test('a document is searched for escaped keys once, not from every key to its end', () => {
    // 3,000 keys and one escaped key at the very end: each key once searched the rest of the text for a backslash.
    const members = Array.from({ length: 3000 }, (_, i) => `  "key${i}": {"value": "v${i}"}`);
    const source = `{\n${members.join(',\n')},\n  "last\\u0041": 1\n}\n`;
    const indexOf = String.prototype.indexOf;
    let searched = 0;
    String.prototype.indexOf = function (this: string, search: string, from?: number) {
      if (search === '\\') searched += this.length - (from ?? 0);
      return indexOf.call(this, search, from);
    } as typeof indexOf;
    let value: Json;
    try {
      value = parseJsonWithPositions(source, 'many.json').value;
    } finally {
      String.prototype.indexOf = indexOf;
    }
    expect(Object.keys(value as object)).toHaveLength(3001);
    expect((value as { [key: string]: Json }).lastA).toBe(1);
    expect(searched).toBeGreaterThan(0);
    expect(searched).toBeLessThanOrEqual(source.length);
  });

  test('a key repeated anywhere in a random document keeps its last value and position, as the reader has them', () => {
    const document = fc.dictionary(text, value, { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(document, layout, fc.nat(), (v, l, pick) => {
        const source = write(v, l);
        const eager = readEagerly(source, 'x.json');
        const objects = eager.pointers.filter(p => {
          const found = p === '' ? eager.value : lookup(eager.value, p);
          return found !== null && typeof found === 'object' && !Array.isArray(found) && Object.keys(found).length > 0;
        });
        const at = objects[pick % objects.length];
        const target = (at === '' ? eager.value : lookup(eager.value, at)) as { [key: string]: Json };
        // The object's first key written again, just after its `{`.
        const doubled = insertAfterOpening(source, eager.valuePositionOf(at)!, Object.keys(target)[0]);
        // The value written first is dropped, as ARM drops it: the document reads as before.
        const lazy = parseJsonWithPositions(doubled, 'x.json');
        expect(lazy.value).toEqual(eager.value);
        const again = readEagerly(doubled, 'x.json');
        for (const p of eager.pointers) expect(lazy.positionOf(p)).toEqual(again.positionOf(p));
        // A reader left to refuse (snapshots) still refuses it, at the second key.
        const strict = outcome(() => new Reader(doubled, 'x.json').parseDocument());
        expect(strict).toMatchObject({ message: expect.stringMatching(/appears twice/) as string });
      }),
      { numRuns: 200 }
    );
  });
});

function lookup(v: Json, pointer: string): Json | undefined {
  let cur: Json | undefined = v;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(key)] : Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
  }
  return cur;
}

/** The source with `"key": 0,` inserted just after the `{` at `at`. */
function insertAfterOpening(source: string, at: { line: number; column: number }, key: string): string {
  // Offsets by the reader's line breaks.
  let offset = 0;
  for (let line = 1; line < at.line; line++) {
    const found = /\r\n|\r|\n/g;
    found.lastIndex = offset;
    const next = found.exec(source)!;
    offset = next.index + next[0].length;
  }
  offset += at.column - 1;
  return source.slice(0, offset + 1) + JSON.stringify(key) + ': 0, ' + source.slice(offset + 1);
}
