/**
 * equals / notEquals: case-insensitive for strings; booleans and numbers compare by their text.
 * A missing field equals nothing, so `notEquals` holds for it.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import type { Value } from '../../model/value.js';
import { looseEquals } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';

export const equals: Operator = {
  name: 'equals',
  test(actual: Value | undefined, expected: Value) {
    return unknownIn(actual, expected) ?? looseEquals(actual, expected);
  }
};

export const notEquals: Operator = {
  name: 'notEquals',
  test(actual: Value | undefined, expected: Value) {
    return unknownIn(actual, expected) ?? !looseEquals(actual, expected);
  }
};
