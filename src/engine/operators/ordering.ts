/**
 * less / lessOrEquals / greater / greaterOrEquals: numbers numerically, strings case-insensitively
 * (ISO dates and api-versions order as text). A missing field does not satisfy the condition. Two values that
 * cannot be ordered (a string against a number that is not numeric, a boolean, an object) fail the evaluation:
 * "if the property type doesn't match the condition type, an error is thrown", an implicit deny.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import { EvaluationFailure, type Value } from '../../model/value.js';
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
      if (c !== undefined) return holds(c);
      if (actual === undefined || actual === null || expected === null) return false;
      return new EvaluationFailure(
        `${name} compares ${JSON.stringify(actual)} with ${JSON.stringify(expected)}, values of types that do not order`
      );
    }
  };
}

export const less = make('less', c => c < 0);
export const lessOrEquals = make('lessOrEquals', c => c <= 0);
export const greater = make('greater', c => c > 0);
export const greaterOrEquals = make('greaterOrEquals', c => c >= 0);
