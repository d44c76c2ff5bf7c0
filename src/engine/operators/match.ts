/**
 * match / notMatch (case-sensitive) and matchInsensitively / notMatchInsensitively: `#` matches a
 * digit, `?` a letter, `.` any character, anything else itself; the whole value must match.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 *
 * Azure compares .NET strings one UTF-16 character at a time, and a letter or digit there is any
 * Unicode letter (`char.IsLetter`) or decimal digit (`char.IsDigit`), not only ASCII: `é` is a letter.
 * The compiler's reading of a rule's `\p{L}` / `\p{Nd}` (src/compiler/reference.ts) is the same.
 */
import type { Value } from '../../model/value.js';
import type { Truth } from '../logic.js';
import { scalarText } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';
import { foldCase } from '../../model/foldCase.js';

const letter = /^\p{L}$/u;
const digit = /^\p{Nd}$/u;

/** A test of one text against a match pattern, read the way Azure reads it. */
export function matchPattern(pattern: string, insensitive: boolean): (text: string) => boolean {
  const want = insensitive ? foldCase(pattern) : pattern;
  return text => {
    if (text.length !== pattern.length) return false;
    const got = insensitive ? foldCase(text) : text;
    // foldCase keeps a text's length, so character i of the folded text is character i of the text.
    if (got.length !== want.length) return false;
    for (let i = 0; i < want.length; i++) {
      const p = pattern[i];
      if (p === '#') {
        if (!digit.test(text[i])) return false;
      } else if (p === '?') {
        if (!letter.test(text[i])) return false;
      } else if (p !== '.' && want[i] !== got[i]) return false;
    }
    return true;
  };
}

function make(name: string, insensitive: boolean, negate: boolean): Operator {
  const run = (matches: (text: string) => boolean, actual: Value | undefined, expected: Value): Truth => {
    const u = unknownIn(actual, expected);
    if (u) return u;
    const text = scalarText(actual);
    return (text !== undefined && matches(text)) !== negate;
  };
  return {
    name,
    test(actual, expected) {
      const pattern = scalarText(expected);
      if (pattern === undefined) return unknownIn(actual, expected) ?? negate;
      return run(matchPattern(pattern, insensitive), actual, expected);
    },
    prepare(expected) {
      const pattern = scalarText(expected);
      if (pattern === undefined) return actual => unknownIn(actual, expected) ?? negate;
      const matches = matchPattern(pattern, insensitive);
      return actual => run(matches, actual, expected);
    }
  };
}

export const match = make('match', false, false);
export const notMatch = make('notMatch', false, true);
export const matchInsensitively = make('matchInsensitively', true, false);
export const notMatchInsensitively = make('notMatchInsensitively', true, true);
