import fc from 'fast-check';
import {
  azureComparable,
  compileSchemaCheck,
  compileValueCheck,
  isPrefixPath,
  readTree,
  unknownPaths
} from '../../src/pr/azureCompare.js';
import { Unknown, type Value } from '../../src/model/value.js';

/**
 * A schema check looks for unknowns only at and above the paths its schema reads; below a value
 * that no read path begins with, no unknown can change the verdict. The unknowns it finds must be
 * those that looking at every value finds, kept when a read path begins with them, in that order.
 */

const MARK = '\u0000unknown:';
const segment = fc.constantFrom('a', 'b', 'c', '0', '1', '*', '__proto__');
const data: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(null, 1, 'text', `${MARK}x`, `${MARK}y`),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(segment, tie('value'), { maxKeys: 4 })
  )
})).value;

/** Every unknown's path, looking at every value. */
function everyUnknown(value: unknown, at: string[] = [], found: string[][] = []): string[][] {
  if (typeof value === 'string' && value.startsWith(MARK)) found.push(at);
  else if (Array.isArray(value)) value.forEach((v, i) => everyUnknown(v, [...at, String(i)], found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) everyUnknown(v, [...at, k], found);
  }
  return found;
}

describe('unknowns under the paths a schema reads', () => {
  test('are those found looking at every value, in the same order', () => {
    fc.assert(
      fc.property(data, fc.array(fc.array(segment, { maxLength: 4 }), { maxLength: 5 }), (value, reads) => {
        const read = (at: string[]) => reads.some(path => isPrefixPath(at, path));
        expect(unknownPaths(value, readTree(reads)).filter(read)).toEqual(everyUnknown(value).filter(read));
      }),
      { numRuns: 300 }
    );
  });

  test('an unknown below a value no path reads is not looked for', () => {
    const value = { a: { b: `${MARK}x` }, c: [`${MARK}y`] };
    expect(
      unknownPaths(
        value,
        readTree([
          ['a', 'b'],
          ['c', '*']
        ])
      )
    ).toEqual([
      ['a', 'b'],
      ['c', '0']
    ]);
    // Below what the schema reads: an unknown item of an array read whole is the array's business.
    expect(unknownPaths(value, readTree([['c']]))).toEqual([]);
    // Above what it reads: the unknown may be an object holding it.
    expect(unknownPaths({ a: `${MARK}x` }, readTree([['a', 'b', 'c']]))).toEqual([['a']]);
    expect(unknownPaths(value, readTree([['a', 'c']]))).toEqual([]);
  });
});

/**
 * A value check lower-cases only the members its schema can look at: its verdict, pointer, message
 * and the unknowns it rests on are those of the check of the whole value made comparable.
 */
describe('a value check', () => {
  const name = fc.constantFrom('a', 'A', 'b', 'B', 'c', '0');
  const lower = name.map(n => n.toLowerCase());
  const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>(tie => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<Value>(
        null,
        1,
        true,
        'Text',
        'text',
        'x',
        new Unknown('the tenant id'),
        new Unknown('later', 'K')
      ),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(name, tie('value'), { maxKeys: 4 })
    )
  })).value;
  const scalar = fc.constantFrom<unknown>('text', 'X', 1, null, true);
  const schema: fc.Arbitrary<unknown> = fc.letrec<{ schema: unknown }>(tie => ({
    schema: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<unknown>({}, { type: 'object' }, { type: 'string' }, { pattern: '^t' }, { minProperties: 2 }),
      fc.record({ const: fc.oneof(scalar, fc.dictionary(lower, scalar, { maxKeys: 2 })) }),
      fc.record({ enum: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
      fc.record({ const: fc.array(lower, { minLength: 1, maxLength: 3 }).map(p => ({ $data: '/' + p.join('/') })) }),
      fc.record({ required: fc.uniqueArray(lower, { maxLength: 2 }) }),
      fc.record({ properties: fc.dictionary(name, tie('schema'), { maxKeys: 3 }) }),
      fc.record({
        properties: fc.dictionary(name, tie('schema'), { maxKeys: 2 }),
        additionalProperties: fc.constant(false)
      }),
      fc.record({ anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }) }),
      fc.record({ allOf: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }) }),
      fc.record({ not: tie('schema') }),
      fc.record({ items: tie('schema') }),
      fc.record({ contains: tie('schema') })
    )
  })).schema;

  test('decides as the check of the whole value', () => {
    fc.assert(
      fc.property(schema, value, (s, v) => {
        expect(compileValueCheck(s)(v)).toEqual(compileSchemaCheck(s)(azureComparable(v)));
      }),
      { numRuns: 300 }
    );
  });

  test("keeps whole what a keyword looks at whole, and reads a member's case-insensitive last spelling", () => {
    const s = { properties: { a: { properties: { b: { const: 'x' } } }, c: { minProperties: 2 } } };
    const check = compileValueCheck(s);
    expect(check({ A: { B: 'X' }, c: { d: 1, e: 2 } }).verdict).toBe(true);
    expect(check({ a: { b: 'y' }, A: { B: 'X' }, c: { d: 1, e: 2 } }).verdict).toBe(true);
    expect(check({ a: { b: 'x' }, c: { d: 1 } }).pointer).toBe('/c');
    expect(check({ a: new Unknown('later', 'K'), c: { d: 1, e: 2 } })).toEqual({
      verdict: 'unknown',
      pointer: null,
      message: null,
      dependsOn: ['k']
    });
  });
});
