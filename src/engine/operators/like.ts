/**
 * like / notLike: `*` matches any run of characters; the comparison is case-insensitive and covers
 * the whole value. A missing field is not like anything. The docs say a pattern "shouldn't have more
 * than one wildcard character"; patterns with several (definitions in the wild have them) match as
 * globs, every `*` any run of characters, and loading warns about them.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import type { Value } from '../../model/value.js';
import type { Truth } from '../logic.js';
import { scalarText } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';
import { wildcardMatches } from '../../model/wildcard.js';
import { foldCase, foldsTo } from '../../model/foldCase.js';

/** A matcher for one pattern, compared case-insensitively over the whole value. */
export function likeMatcher(pattern: string): (text: string) => boolean {
  const lower = foldCase(pattern);
  const star = lower.indexOf('*');
  if (star < 0) return text => foldsTo(text, lower);
  if (lower.indexOf('*', star + 1) < 0) {
    // The documented shape, one *: a prefix and a suffix that must not overlap.
    const head = lower.slice(0, star);
    const tail = lower.slice(star + 1);
    return text =>
      text.length >= head.length + tail.length &&
      foldsTo(text.slice(0, head.length), head) &&
      foldsTo(text.slice(text.length - tail.length), tail);
  }
  return text => wildcardMatches(foldCase(text), lower);
}

function likeTest(actual: Value | undefined, expected: Value): Truth {
  const u = unknownIn(actual, expected);
  if (u) return u;
  const text = scalarText(actual);
  const pattern = scalarText(expected);
  if (text === undefined || pattern === undefined) return false;
  return likeMatcher(pattern)(text);
}

function prepare(expected: Value, negate: boolean): (actual: Value | undefined) => Truth {
  const pattern = scalarText(expected);
  if (pattern === undefined) return actual => unknownIn(actual, expected) ?? negate;
  const matches = likeMatcher(pattern);
  if (pattern === '*') {
    return actual => {
      const u = unknownIn(actual, expected);
      if (u) return u;
      return (scalarText(actual) !== undefined) !== negate;
    };
  }
  return actual => {
    if (typeof actual === 'string') return matches(actual) !== negate;
    const u = unknownIn(actual, expected);
    if (u) return u;
    const text = scalarText(actual);
    return (text !== undefined && matches(text)) !== negate;
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
