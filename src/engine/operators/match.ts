/**
 * match / notMatch (case-sensitive) and matchInsensitively / notMatchInsensitively: `#` matches a
 * digit, `?` a letter, `.` any character, anything else itself; the whole value must match.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import type { Value } from '../../model/value.js';
import type { Truth } from '../logic.js';
import { scalarText } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';

const cache = new Map<string, RegExp>();

export function matchPattern(pattern: string, insensitive: boolean): RegExp {
  const key = `${insensitive ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    let source = '';
    for (const c of pattern) {
      if (c === '#') source += '[0-9]';
      else if (c === '?') source += '[A-Za-z]';
      else if (c === '.') source += '[\\s\\S]';
      else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${source}$`, insensitive ? 'iu' : 'u');
    if (cache.size > 10000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

function make(name: string, insensitive: boolean, negate: boolean): Operator {
  const run = (re: RegExp, actual: Value | undefined, expected: Value): Truth => {
    const u = unknownIn(actual, expected);
    if (u) return u;
    const text = scalarText(actual);
    return (text !== undefined && re.test(text)) !== negate;
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
      const re = matchPattern(pattern, insensitive);
      return actual => run(re, actual, expected);
    }
  };
}

export const match = make('match', false, false);
export const notMatch = make('notMatch', false, true);
export const matchInsensitively = make('matchInsensitively', true, false);
export const notMatchInsensitively = make('notMatchInsensitively', true, true);
