/**
 * `match` and its siblings. RULE#conditions: "When using the match and notMatch conditions, provide a hashtag
 * (#) to match a digit, question mark (?) for a letter, and a dot (.) to match any character, and any other
 * character to match that actual character." Azure compares .NET strings, one UTF-16 character at a time, and
 * a letter or a digit there is a Unicode one (char.IsLetter, char.IsDigit): `é` is a letter, `٣` a digit.
 * The compiler turns a rule's `\p{L}` / `\p{Nd}` into `?` / `#` and its reference (the meaning ajv checks the
 * compiled policy against) reads them the same way; the engine must agree with it, or the differential tests
 * find a rule whose compiled policy disagrees with its schema.
 * RULE = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import fc from 'fast-check';
import { match, matchInsensitively as insensitive, notMatch } from '../../src/engine/operators/match.js';
import { azureMatch } from '../../src/compiler/reference.js';

describe('match (RULE#conditions)', () => {
  it('reads ? as any Unicode letter and # as any decimal digit, not only ASCII', () => {
    expect(match.test('aé', '??')).toBe(true);
    expect(match.test('Ωж', '??')).toBe(true);
    expect(match.test('٣7', '##')).toBe(true);
    expect(match.test('a1', '??')).toBe(false);
    expect(match.test('-', '?')).toBe(false);
    expect(notMatch.test('aaaaaé', '??????')).toBe(false);
  });

  it('compares UTF-16 characters, as .NET does: a letter outside the BMP is two characters, neither a letter', () => {
    expect(match.test('𝐀', '?')).toBe(false);
    expect(match.test('𝐀', '..')).toBe(true);
  });

  it('is case-sensitive for literal characters; matchInsensitively is not', () => {
    expect(match.test('Kv-01', 'kv-##')).toBe(false);
    expect(insensitive.test('Kv-01', 'kv-##')).toBe(true);
    expect(insensitive.test('KV-É1', 'kv-é#')).toBe(true);
  });

  it('takes the pattern whole: a value of another length never matches', () => {
    expect(match.test('abc', '??')).toBe(false);
    expect(match.test('', '')).toBe(true);
  });

  it('agrees with the compiler reference for any text and pattern, letters and digits from any script included', () => {
    const chars = ['a', 'Z', 'é', 'Ж', '7', '٣', '-', '.', '#', '?', ' ', '𝐀'];
    const text = fc.array(fc.constantFrom(...chars), { maxLength: 6 }).map(a => a.join(''));
    const pattern = fc.array(fc.constantFrom(...chars, '#', '?', '.'), { maxLength: 6 }).map(a => a.join(''));
    fc.assert(
      fc.property(text, pattern, (t, p) => match.test(t, p) === azureMatch(t, p)),
      { numRuns: 2000 }
    );
  });

  it('gives the same answer prepared once as tested each time', () => {
    const prepared = match.prepare!('kv-##');
    expect(prepared('kv-42')).toBe(true);
    expect(prepared('kv-4x')).toBe(false);
  });
});
