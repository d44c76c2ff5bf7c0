import fc from 'fast-check';
import { isPrefixPath, readTree, unknownPaths } from '../../src/pr/azureCompare.js';

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
