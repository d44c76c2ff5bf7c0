/**
 * like / notLike: `*` matches any run of characters; the comparison is case-insensitive and covers
 * the whole value. A missing field is not like anything.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import { Unknown, type Value } from '../../model/value.js';
import type { Truth } from '../logic.js';
import { scalarText } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';

const cache = new Map<string, RegExp>();

export function likePattern(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const source = pattern
      .split('*')
      .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]*');
    re = new RegExp(`^${source}$`, 'i');
    if (cache.size > 10000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/**
 * A pattern with more than one `*`: Azure refuses it in a definition, and fails the evaluation when a
 * parameter supplies one. https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
function tooManyWildcards(pattern: string): Unknown | undefined {
  const first = pattern.indexOf('*');
  if (first < 0 || pattern.indexOf('*', first + 1) < 0) return undefined;
  return new Unknown(
    `the like pattern ${JSON.stringify(pattern)}, which has more than one * (Azure Policy fails the evaluation)`
  );
}

function likeTest(actual: Value | undefined, expected: Value): Truth {
  const u = unknownIn(actual, expected);
  if (u) return u;
  const text = scalarText(actual);
  const pattern = scalarText(expected);
  if (pattern !== undefined) {
    const invalid = tooManyWildcards(pattern);
    if (invalid) return invalid;
  }
  if (text === undefined || pattern === undefined) return false;
  return likePattern(pattern).test(text);
}

function prepare(expected: Value, negate: boolean): (actual: Value | undefined) => Truth {
  const pattern = scalarText(expected);
  if (pattern === undefined) return actual => unknownIn(actual, expected) ?? negate;
  const invalid = tooManyWildcards(pattern);
  if (invalid) return actual => unknownIn(actual, expected) ?? invalid;
  const re = likePattern(pattern);
  if (pattern === '*') {
    return actual => {
      const u = unknownIn(actual, expected);
      if (u) return u;
      return (scalarText(actual) !== undefined) !== negate;
    };
  }
  return actual => {
    if (typeof actual === 'string') return re.test(actual) !== negate;
    const u = unknownIn(actual, expected);
    if (u) return u;
    const text = scalarText(actual);
    return (text !== undefined && re.test(text)) !== negate;
  };
}

export const like: Operator = {
  name: 'like',
  test: likeTest,
  prepare: expected => prepare(expected, false)
};

export const notLike: Operator = {
  name: 'notLike',
  test(actual, expected) {
    const r = likeTest(actual, expected);
    return typeof r === 'boolean' ? !r : r;
  },
  prepare: expected => prepare(expected, true)
};
