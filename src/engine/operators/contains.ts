/**
 * contains / notContains: a substring of a string (case-insensitively) or a member of an array;
 * containsKey / notContainsKey: a key of an object (case-insensitively).
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import { Unknown, isObject, type Value } from '../../model/value.js';
import type { Truth } from '../logic.js';
import { looseEquals, scalarText } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';
import { foldCase, foldsTo } from '../../model/foldCase.js';

function containsTest(actual: Value | undefined, expected: Value): Truth {
  if (actual instanceof Unknown) return actual;
  if (expected instanceof Unknown) return expected;
  if (Array.isArray(actual)) {
    let unknown: Unknown | undefined;
    for (const member of actual) {
      if (member instanceof Unknown) unknown ??= member;
      else if (looseEquals(member, expected)) return true;
    }
    return unknown ?? false;
  }
  const u = unknownIn(actual, expected);
  if (u) return u;
  const text = scalarText(actual);
  const part = scalarText(expected);
  if (text === undefined || part === undefined) return false;
  return foldCase(text).includes(foldCase(part));
}

function containsKeyTest(actual: Value | undefined, expected: Value): Truth {
  if (actual instanceof Unknown) return actual;
  if (expected instanceof Unknown) return expected;
  if (!isObject(actual)) return false;
  const key = scalarText(expected);
  if (key === undefined) return false;
  const lower = foldCase(key);
  for (const k in actual) if (foldsTo(k, lower)) return true;
  return false;
}

const negated =
  (test: Operator['test']): Operator['test'] =>
  (actual, expected) => {
    const r = test(actual, expected);
    return typeof r === 'boolean' ? !r : r;
  };

export const contains: Operator = { name: 'contains', test: containsTest };
export const notContains: Operator = { name: 'notContains', test: negated(containsTest) };
export const containsKey: Operator = { name: 'containsKey', test: containsKeyTest };
export const notContainsKey: Operator = { name: 'notContainsKey', test: negated(containsKeyTest) };
