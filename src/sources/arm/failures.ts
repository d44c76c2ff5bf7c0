/**
 * Expressions that fail while a template is evaluated: an index past the end of `split(…)`,
 * a property an object does not have, `int('abc')`. ARM evaluates a template lazily: a
 * variable is computed only when something reads it, a resource only when its condition holds,
 * so a value that cannot be computed spoils only what uses it. Here a failing expression gives
 * a `FailedValue` — an `Unknown` whose reason is the error and the parameter that would fix it —
 * in place of its result, and the failure is collected by whatever reads the value (see
 * `EvalData.failures`), so the resources that need it become indeterminate with that reason
 * while the others are evaluated as usual.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical#if
 * ("only the true value is evaluated" when the condition is true, and the false one otherwise)
 */
import * as path from 'node:path';
import { Unknown } from '../../model/value.js';
import type { InputLocation } from '../../model/errors.js';
import type { Expr } from '../../expr/ast.js';
import { foldCase } from '../../model/foldCase.js';

export interface ExpressionFailure {
  /** The error as ARM would give it, with the expression and the offset at fault. */
  message: string;
  location: InputLocation;
  /** What to change: the parameters the failing expression reads, and how each got its value; or null. */
  fix: string | null;
}

/** The value of an expression that failed: unknown, with the failure as the reason. */
export class FailedValue extends Unknown {
  constructor(
    readonly failure: ExpressionFailure,
    key: string
  ) {
    super(failureReason(failure), key);
  }
}

export function failureReason(failure: ExpressionFailure): string {
  const where = `${path.basename(failure.location.file)}:${failure.location.line ?? 1}`;
  return `an expression that fails (${where}): ${failure.message}${failure.fix ? `; ${failure.fix}` : ''}`;
}

/** Adds failures to a collector, once each. */
export function collectFailures(into: ExpressionFailure[] | undefined, failures: readonly ExpressionFailure[]): void {
  if (!into) return;
  for (const failure of failures) if (!into.includes(failure)) into.push(failure);
}

/** The names given literally to `parameters('…')` and `variables('…')` in an expression. */
export function namesRead(expr: Expr, into: { parameters: Set<string>; variables: Set<string> }): void {
  switch (expr.kind) {
    case 'literal':
      return;
    case 'property':
      return namesRead(expr.target, into);
    case 'index':
      namesRead(expr.target, into);
      return namesRead(expr.index, into);
    case 'call': {
      const name = foldCase(expr.name);
      const first = expr.args[0];
      if ((name === 'parameters' || name === 'variables') && first?.kind === 'literal') {
        (name === 'parameters' ? into.parameters : into.variables).add(foldCase(String(first.value)));
      }
      for (const arg of expr.args) namesRead(arg, into);
    }
  }
}
