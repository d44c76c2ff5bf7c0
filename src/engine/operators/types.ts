import type { Value } from '../../model/value.js';
import type { Truth } from '../logic.js';

/**
 * One condition operator: `test(actual, expected)`, where `actual` is the field's or value's value
 * (undefined when the field is missing) and `expected` the operator's operand, already evaluated.
 * `prepare` precompiles a constant operand (a `like` pattern into a regular expression).
 */
export interface Operator {
  name: string;
  test(actual: Value | undefined, expected: Value): Truth;
  prepare?(expected: Value): (actual: Value | undefined) => Truth;
  /** What the operand must be, checked at load time when it is a literal. */
  operand?: 'array' | 'boolean' | 'string' | 'any';
}
