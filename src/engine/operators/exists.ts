/**
 * exists: `true` holds when the field has a value, `false` when it is missing (or null).
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import { EvaluationFailure, Unknown, type Value } from '../../model/value.js';
import { UnknownAbove } from '../fields.js';
import type { Operator } from './types.js';
import { foldCase } from '../../model/foldCase.js';

/** `true`, `false`, `"true"`, `"False"`…; undefined for anything else. */
export function booleanOperand(expected: Value): boolean | undefined {
  if (typeof expected === 'boolean') return expected;
  if (typeof expected === 'string') {
    const lower = foldCase(expected);
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

export const exists: Operator = {
  name: 'exists',
  operand: 'boolean',
  test(actual, expected) {
    if (expected instanceof Unknown) return expected;
    const wanted = booleanOperand(expected) ?? true;
    // A property set to a value known only after deployment exists; one under an unknown object may not, and a
    // failed evaluation neither exists nor not.
    if (actual instanceof UnknownAbove || actual instanceof EvaluationFailure) return actual;
    return (actual !== undefined && actual !== null) === wanted;
  },
  prepare(expected) {
    if (expected instanceof Unknown) return () => expected;
    const wanted = booleanOperand(expected) ?? true;
    return actual =>
      actual instanceof UnknownAbove || actual instanceof EvaluationFailure
        ? actual
        : (actual !== undefined && actual !== null) === wanted;
  }
};
