/**
 * Logical functions: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical
 * and, or and if are lazy so that a decided result does not depend on an unknown: and(false, x)
 * is false and or(true, x) is true whatever x is; if() evaluates only the chosen branch.
 */
import { Unknown, type Value } from '../../model/value.js';
import { ExpressionError } from '../errors.js';
import type { Expr } from '../ast.js';
import { defineFunction, holdsUnknown, unknownResult, valueKey, type FunctionDefinition } from '../evaluate.js';
import { formatExpr } from '../parse.js';
import { boolArg, deepEquals, typeError } from './args.js';

function junction(name: 'and' | 'or'): FunctionDefinition {
  const decisive = name === 'or';
  return defineFunction({
    name,
    minArgs: 2,
    maxArgs: Infinity,
    lazy: true,
    call: () => null,
    callLazy: (args, _ctx, evaluate) => {
      const unknowns: Value[] = [];
      for (let i = 0; i < args.length; i++) {
        const value = evaluate(args[i]);
        if (value instanceof Unknown) {
          unknowns.push(value);
          continue;
        }
        if (typeof value !== 'boolean') throw typeError(name, i, 'a boolean', value);
        if (value === decisive) return decisive;
      }
      return unknowns.length === 0 ? !decisive : unknownResult(name, unknowns);
    }
  });
}

export const logicalFunctions: FunctionDefinition[] = [
  junction('and'),
  junction('or'),
  defineFunction({ name: 'not', minArgs: 1, maxArgs: 1, call: args => !boolArg('not', args, 0) }),
  defineFunction({
    name: 'bool',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const value = args[0];
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      if (typeof value === 'string') {
        if (/^true$/i.test(value)) return true;
        if (/^false$/i.test(value)) return false;
        throw new ExpressionError(`The template function 'bool' cannot convert '${value}': give 'true' or 'false'.`);
      }
      throw typeError('bool', 0, 'a string, an integer or a boolean', value);
    }
  }),
  // Bicep's fail(message) (Bicep.Core SystemNamespaceType): "Raises a runtime error with the provided
  // message. Will cause a deployment to fail when evaluated." Bicep writes it in the branch of an
  // if() or coalesce() that a wrong input reaches, so it fails only where it is evaluated.
  defineFunction({
    name: 'fail',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const message = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
      throw new ExpressionError(`The template fails the deployment here: ${message}`);
    }
  }),
  defineFunction({ name: 'true', minArgs: 0, maxArgs: 0, call: () => true }),
  defineFunction({ name: 'false', minArgs: 0, maxArgs: 0, call: () => false }),
  defineFunction({ name: 'null', minArgs: 0, maxArgs: 0, call: () => null }),
  defineFunction({
    name: 'if',
    minArgs: 3,
    maxArgs: 3,
    lazy: true,
    call: () => null,
    callLazy: (args, _ctx, evaluate) => {
      const condition = evaluate(args[0]);
      if (condition instanceof Unknown) {
        // Both branches only to see whether they agree; a branch that fails leaves the result unknown.
        const branch = (e: Expr): Value | undefined => {
          try {
            return evaluate(e);
          } catch {
            return undefined;
          }
        };
        const whenTrue = branch(args[1]);
        const whenFalse = branch(args[2]);
        if (
          whenTrue !== undefined &&
          whenFalse !== undefined &&
          !holdsUnknown(whenTrue) &&
          !holdsUnknown(whenFalse) &&
          deepEquals(whenTrue, whenFalse)
        ) {
          return whenTrue;
        }
        const { reason } = unknownResult('if', [condition]);
        return new Unknown(reason, `if(${valueKey(condition)},${formatExpr(args[1])},${formatExpr(args[2])})`);
      }
      if (typeof condition !== 'boolean') throw typeError('if', 0, 'a boolean', condition);
      return evaluate(condition ? args[1] : args[2]);
    }
  })
];
