/**
 * JSON from a pull request is parsed by JSON.parse; when it is not JSON, the error says where (line
 * and column) and quotes only the character found there, never the text around it.
 */
import fc from 'fast-check';
import { firstErrorOffset, parseJson, parseJsonText } from '../../src/model/jsonText.js';
import { ev } from '../expr/support.js';
import { parseParameterOverrides } from '../../src/sources/overrides.js';

function error(text: string) {
  try {
    parseJsonText(text, 'f.json', 'the file', 'fix it.');
  } catch (e) {
    return { message: (e as Error).message, location: (e as { location?: unknown }).location };
  }
  return null;
}

describe('parseJsonText', () => {
  it('places each mistake at its line and column and quotes one character', () => {
    expect(error('{"a": 1}\nroot:x:0:0:root:/root:/bin/bash\n')).toEqual({
      message: "the file is not valid JSON: unexpected 'r'; fix it.",
      location: { file: 'f.json', line: 2, column: 1 }
    });
    expect(error('{"a": [1, 2,]}')).toEqual({
      message: "the file is not valid JSON: unexpected ']'; fix it.",
      location: { file: 'f.json', line: 1, column: 13 }
    });
    expect(error('{"a": "x')).toEqual({
      message: 'the file is not valid JSON: unexpected end of file; fix it.',
      location: { file: 'f.json', line: 1, column: 9 }
    });
    expect(error('{"a": "tab\there"}')?.location).toEqual({ file: 'f.json', line: 1, column: 11 });
    expect(error('[01]')?.location).toEqual({ file: 'f.json', line: 1, column: 3 });
    expect(error('{"k" 1}')?.message).toBe("the file is not valid JSON: unexpected '1'; fix it.");
    expect(error('"💥" x')?.location).toEqual({ file: 'f.json', line: 1, column: 6 });
  });

  it('finds no mistake in JSON, however deep', () => {
    expect(firstErrorOffset('[1, {"a": [true, false, null, -0.5e+3, "\\u00e9\\n"]}, {}]')).toBeNull();
    expect(firstErrorOffset(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeNull();
    expect(firstErrorOffset(`${'['.repeat(100_000)}`)).toBe(100_000);
  });

  it('agrees with JSON.parse on whether random and mutated text is JSON', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', '\\', '\n', 'x', '01', '\u0001', '{', ':'))
      .map(([json, at, insert]) => json.slice(0, at % (json.length + 1)) + insert + json.slice(at % (json.length + 1)));
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string()), text => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const offset = firstErrorOffset(text);
        expect(offset === null).toBe(valid);
        if (offset !== null) expect(offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 300 }
    );
  });
});

describe('parseJsonText and escaped member names', () => {
  // JSON.parse on Node 24 can read an escaped key as the key an object read before had at that place
  // (https://github.com/nodejs/node/issues/63785).
  it('reads an escaped name as written, whatever objects were read before', () => {
    JSON.parse('{"a": 1, "\\\\": 2}');
    expect(parseJsonText('{"a": 1, "\\"": 2}', 'f.json', 'the file', 'fix it.')).toEqual({ a: 1, '"': 2 });
    expect(
      parseJsonText(
        '{"a": {"\\u0062": [1, {"c": null}], "d": true}, "\\u0061": -0.5e1}',
        'f.json',
        'the file',
        'fix it.'
      )
    ).toEqual({ a: -5 });
  });

  it('reads any value back with every member name escaped', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, escapeNames) => {
        const name = (key: string) =>
          escapeNames
            ? `"${key
                .split('')
                .map(unit => '\\u' + unit.charCodeAt(0).toString(16).padStart(4, '0'))
                .join('')}"`
            : JSON.stringify(key);
        const write = (v: unknown): string =>
          Array.isArray(v)
            ? `[${v.map(write).join(', ')}]`
            : v !== null && typeof v === 'object'
              ? `{${Object.entries(v)
                  .map(([k, inner]) => `${name(k)}: ${write(inner)}`)
                  .join(', ')}}`
              : JSON.stringify(v);
        const read = parseJsonText(write(value), 'f.json', 'the file', 'fix it.');
        expect(JSON.stringify(read)).toBe(JSON.stringify(value));
      }),
      { numRuns: 300 }
    );
  });
});

describe('every JSON reader reads escaped member names as written', () => {
  // Primes V8 as the issue shows: an object with the name `\` read first, then `"` at the same place.
  const prime = () => JSON.parse('{"a": 1, "\\\\": 2}');
  const escaped = '{"a": 1, "\\"": 2}';

  it('parseJson, where JSON.parse alone may not', () => {
    prime();
    expect(parseJson(escaped)).toEqual({ a: 1, '"': 2 });
    expect(() => parseJson('{"a": ')).toThrow(SyntaxError);
    expect(parseJson('[1, "\\\\"]')).toEqual([1, '\\']);
  });

  it("a template's json() and a --parameter value", () => {
    prime();
    expect(ev(`[json('${escaped}')]`)).toEqual({ a: 1, '"': 2 });
    prime();
    expect(parseParameterOverrides([`tags=${escaped}`])).toEqual({ tags: { a: 1, '"': 2 } });
  });
});
