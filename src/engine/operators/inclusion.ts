/**
 * in / notIn: the value is (or is not) one of an array's members, compared as `equals` compares.
 * A missing field is in no array. With unknown members, a match among the known ones still
 * decides; otherwise the result is unknown.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import { Unknown, type Value } from '../../model/value.js';
import type { Truth } from '../logic.js';
import { looseEquals, scalarText } from '../values.js';
import type { Operator } from './types.js';
import { foldCase } from '../../model/foldCase.js';

function inTest(actual: Value | undefined, expected: Value): Truth {
  if (actual instanceof Unknown) return actual;
  if (expected instanceof Unknown) return expected;
  const list = Array.isArray(expected) ? expected : [expected];
  if (actual === undefined) return false;
  let unknown: Unknown | undefined;
  for (const member of list) {
    if (member instanceof Unknown) unknown ??= member;
    else if (looseEquals(actual, member)) return true;
  }
  return unknown ?? false;
}

function prepareIn(expected: Value, negate: boolean): (actual: Value | undefined) => Truth {
  const list = Array.isArray(expected) ? expected : [expected];
  if (list.every(m => typeof m === 'string')) {
    const set = new Set((list as string[]).map(s => foldCase(s)));
    return actual => {
      if (typeof actual === 'string') return set.has(foldCase(actual)) !== negate;
      if (actual === undefined) return negate;
      if (actual instanceof Unknown) return actual;
      const text = scalarText(actual);
      if (text !== undefined && set.has(foldCase(text))) return !negate;
      const r = inTest(actual, expected);
      return typeof r === 'boolean' ? r !== negate : r;
    };
  }
  return actual => {
    const r = inTest(actual, expected);
    return typeof r === 'boolean' ? r !== negate : r;
  };
}

export const inOperator: Operator = {
  name: 'in',
  operand: 'array',
  test: inTest,
  prepare: expected => prepareIn(expected, false)
};

export const notIn: Operator = {
  name: 'notIn',
  operand: 'array',
  test(actual, expected) {
    const r = inTest(actual, expected);
    return typeof r === 'boolean' ? !r : r;
  },
  prepare: expected => prepareIn(expected, true)
};
