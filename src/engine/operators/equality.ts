/**
 * equals / notEquals: case-insensitive for strings; booleans and numbers compare by their text.
 * A missing field equals nothing, so `notEquals` holds for it.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import type { Value } from '../../model/value.js';
import type { Truth } from '../logic.js';
import { looseEquals } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';
import { foldCase, foldsTo } from '../../model/foldCase.js';

/** A string operand compared with string values without the general path (the common case). */
function prepare(expected: Value, negate: boolean): (actual: Value | undefined) => Truth {
  if (typeof expected !== 'string') {
    return actual => {
      const u = unknownIn(actual, expected);
      return u ?? looseEquals(actual, expected) !== negate;
    };
  }
  const lower = foldCase(expected);
  return actual => {
    if (typeof actual === 'string') {
      return (actual.length === lower.length && (actual === expected || foldsTo(actual, lower))) !== negate;
    }
    if (actual === undefined) return negate;
    const u = unknownIn(actual, expected);
    return u ?? looseEquals(actual, expected) !== negate;
  };
}

export const equals: Operator = {
  name: 'equals',
  test(actual: Value | undefined, expected: Value) {
    return unknownIn(actual, expected) ?? looseEquals(actual, expected);
  },
  prepare: expected => prepare(expected, false)
};

export const notEquals: Operator = {
  name: 'notEquals',
  test(actual: Value | undefined, expected: Value) {
    return unknownIn(actual, expected) ?? !looseEquals(actual, expected);
  },
  prepare: expected => prepare(expected, true)
};
