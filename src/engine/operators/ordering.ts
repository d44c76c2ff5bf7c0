/**
 * less / lessOrEquals / greater / greaterOrEquals: numbers numerically, strings case-insensitively
 * (ISO dates and api-versions order as text). Values that cannot be ordered (a missing field, a
 * string against a number that is not numeric) do not satisfy the condition.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import type { Value } from '../../model/value.js';
import { compareOrder } from '../values.js';
import type { Operator } from './types.js';
import { unknownIn } from './unknowns.js';

function make(name: string, holds: (c: number) => boolean): Operator {
  return {
    name,
    test(actual: Value | undefined, expected: Value) {
      const u = unknownIn(actual, expected);
      if (u) return u;
      const c = compareOrder(actual, expected);
      return c !== undefined && holds(c);
    }
  };
}

export const less = make('less', c => c < 0);
export const lessOrEquals = make('lessOrEquals', c => c <= 0);
export const greater = make('greater', c => c > 0);
export const greaterOrEquals = make('greaterOrEquals', c => c >= 0);
