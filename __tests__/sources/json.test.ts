import * as fs from 'node:fs';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { UserError } from '../../src/model/errors.js';
import type { Json } from '../../src/model/value.js';
import { fixture } from './helpers.js';

describe('parseJsonWithPositions', () => {
  test('reads plain JSON and records key positions by pointer', () => {
    const text = '{\n  "a": {\n    "b": [1, "two", {"c": null}]\n  }\n}';
    const doc = parseJsonWithPositions(text, 'x.json');
    expect(doc.value).toEqual({ a: { b: [1, 'two', { c: null }] } });
    expect(doc.positionOf('')).toEqual({ file: 'x.json', line: 1, column: 1 });
    expect(doc.positionOf('/a')).toEqual({ file: 'x.json', line: 2, column: 3 });
    expect(doc.positionOf('/a/b')).toEqual({ file: 'x.json', line: 3, column: 5 });
    expect(doc.valuePositionOf('/a/b')).toEqual({ file: 'x.json', line: 3, column: 10 });
    expect(doc.positionOf('/a/b/1')).toEqual({ file: 'x.json', line: 3, column: 14 });
    expect(doc.positionOf('/a/b/2/c')).toEqual({ file: 'x.json', line: 3, column: 22 });
    expect(doc.positionOf('/missing')).toBeNull();
  });

  test('escapes ~ and / in pointer segments (RFC 6901)', () => {
    const doc = parseJsonWithPositions('{"a/b": {"c~d": 1}}', 'x.json');
    expect(doc.positionOf('/a~1b/c~0d')).toEqual({ file: 'x.json', line: 1, column: 10 });
  });

  // ARM accepts comments, trailing commas and strings spanning lines:
  // https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax#comments-and-metadata
  test('accepts comments, trailing commas and multi-line strings as ARM does', () => {
    const file = fixture('comments', 'main.json');
    const doc = parseJsonWithPositions(fs.readFileSync(file, 'utf8'), file);
    const value = doc.value as { resources: { tags: { description: string }; name: string }[] };
    expect(value.resources[0].name).toBe('stcomments');
    expect(value.resources[0].tags.description).toBe('first line\nsecond line');
    expect(doc.positionOf('/resources/0/properties/encryption/keySource')?.line).toBe(19);
  });

  test('keeps CRLF files on the right lines and reads a CRLF inside a string as \\n', () => {
    const doc = parseJsonWithPositions('{\r\n  "a": "x\r\ny",\r\n  "b": 1\r\n}', 'crlf.json');
    expect(doc.value).toEqual({ a: 'x\ny', b: 1 });
    expect(doc.positionOf('/b')).toEqual({ file: 'crlf.json', line: 4, column: 3 });
  });

  test.each([
    ['{"a": 1,, }', 1, 9, /Expected a property name/],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, /Expected ',' or '}'/],
    ['{"a": tru}', 1, 7, /Expected a JSON value/],
    ['{"a": "open', 1, 7, /never closed/],
    ['{"a": 1} x', 1, 10, /after the end/],
    ['/* never closed', 1, 1, /comment is never closed/],
    ["{'a': 1}", 1, 2, /double quotes/]
  ])('reports a syntax error in %j at its line and column', (text, line, column, message) => {
    try {
      parseJsonWithPositions(text, 'bad.json');
      throw new Error('expected a syntax error');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      const e = error as UserError;
      expect(e.location).toEqual({ file: 'bad.json', line, column });
      expect(e.message).toMatch(message);
    }
  });

  // ARM keeps the last value of a name written twice (Azure/azure-quickstart-templates#8319, "ARM silently drops
  // duplicate keys"; #5847, "sticks to the value of last key parsed").
  test('a name written twice keeps its last value, and positions point at it', () => {
    const text = '{\n  "a": {"b": 1, "old": [2]},\n  "c": 3,\n  "a": {"b": 4}\n}';
    const doc = parseJsonWithPositions(text, 'twice.json');
    expect(doc.value).toEqual({ a: { b: 4 }, c: 3 });
    expect(doc.positionOf('/a')).toEqual({ file: 'twice.json', line: 4, column: 3 });
    expect(doc.valuePositionOf('/a')).toEqual({ file: 'twice.json', line: 4, column: 8 });
    expect(doc.positionOf('/a/b')).toEqual({ file: 'twice.json', line: 4, column: 9 });
    // Nothing points into the value dropped.
    expect(doc.positionOf('/a/old')).toBeNull();
    expect(doc.positionOf('/a/old/0')).toBeNull();
    expect(doc.positionOf('/c')).toEqual({ file: 'twice.json', line: 3, column: 3 });
  });

  test('a name written twice, once with escapes, is one name: the last value is kept', () => {
    const doc = parseJsonWithPositions('{"a": 1, "\\u0061": 2, /* ARM reads comments */ "b": 3}', 'x.json');
    expect(doc.value).toEqual({ a: 2, b: 3 });
    expect(doc.positionOf('/a')?.column).toBe(10);
  });

  test('names that differ only in case are two names to the reader (arm/names.ts refuses them in templates)', () => {
    expect(parseJsonWithPositions('{"a": 1, "A": 2, "a": 3}', 'x.json').value).toEqual({ a: 3, A: 2 });
  });

  test('a template with a missing comma fails with the line of the token after it', () => {
    const file = fixture('errors', 'syntax.json');
    expect(() => parseJsonWithPositions(fs.readFileSync(file, 'utf8'), file)).toThrow(
      expect.objectContaining({ location: { file, line: 7, column: 7 } })
    );
  });
});

describe('hostile JSON', () => {
  it('refuses nesting deeper than 512 levels with the line and column, instead of overflowing the stack', () => {
    const text = `{"a": ${'['.repeat(100000)}${']'.repeat(100000)}}`;
    let error: unknown;
    try {
      parseJsonWithPositions(text, 'deep.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).describe()).toMatch(
      /^deep\.json:1:\d+: The JSON nests more than 512 levels deep \(CMK_GUARD_MAX_DEPTH\)\.$/
    );
  });
  it('a file that repeats names many times is read in time linear in it, with the last values', () => {
    // 100,000 distinct values, then one name written 20,000 times over an object: forgetting the positions of a
    // dropped value must not search every position recorded for each repeat, only the dropped value's own.
    const many = Array.from({ length: 100_000 }, (_, i) => `"k${i}": ${i}`).join(', ');
    const repeats = Array.from({ length: 20_000 }, (_, i) => `"r": {"a": [${i}, {"b": ${i}}]}`).join(', ');
    const started = Date.now();
    const doc = parseJsonWithPositions(`{${many}, ${repeats}, /* not strict JSON */ "z": 0}`, 'many.json');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((doc.value as { r: Json }).r).toEqual({ a: [19_999, { b: 19_999 }] });
    expect(doc.positionOf('/r/a/1/b')?.column).toBeGreaterThan(many.length);
  });
  it('reads nesting a real template uses', () => {
    const text = `{"a": ${'['.repeat(100)}${']'.repeat(100)}}`;
    expect(() => parseJsonWithPositions(text, 'ok.json')).not.toThrow();
  });
});
