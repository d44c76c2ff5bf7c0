/**
 * Comparison functions: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison
 * equals is deep and case-sensitive; greater/less compare integers, or strings in culture order
 * (the doc's greater('A', 'a') is True).
 */
import { Unknown, type Value } from '../../model/value.js';
import { defineFunction, holdsUnknown, unknownResult, type FunctionDefinition } from '../evaluate.js';
import { cultureCompare, deepEquals, typeError } from './args.js';

function order(fn: string, args: Value[]): number {
  const [a, b] = args;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return cultureCompare(a, b);
  if (typeof a !== 'number' && typeof a !== 'string') throw typeError(fn, 0, 'an integer or a string', a);
  throw typeError(fn, 1, typeof a === 'number' ? 'an integer' : 'a string', b);
}

function comparison(name: string, test: (c: number) => boolean): FunctionDefinition {
  return defineFunction({ name, minArgs: 2, maxArgs: 2, call: args => test(order(name, args)) });
}

export const comparisonFunctions: FunctionDefinition[] = [
  defineFunction({
    name: 'coalesce',
    minArgs: 1,
    maxArgs: Infinity,
    lazy: true,
    call: () => null,
    callLazy: (args, _ctx, evaluate) => {
      const unknowns: Value[] = [];
      for (const arg of args) {
        const value = evaluate(arg);
        if (value instanceof Unknown) {
          unknowns.push(value);
          continue;
        }
        if (value !== null) return unknowns.length === 0 ? value : unknownResult('coalesce', [...unknowns, value]);
      }
      return unknowns.length === 0 ? null : unknownResult('coalesce', unknowns);
    }
  }),
  defineFunction({
    name: 'equals',
    minArgs: 2,
    maxArgs: 2,
    acceptsUnknown: true,
    call: args => {
      const [a, b] = args;
      if (holdsUnknown(a) || holdsUnknown(b)) return knownDifference(a, b) ? false : unknownResult('equals', args);
      return deepEquals(a, b);
    }
  }),
  comparison('greater', c => c > 0),
  comparison('greaterOrEquals', c => c >= 0),
  comparison('less', c => c < 0),
  comparison('lessOrEquals', c => c <= 0)
];

/** Whether two values partly unknown differ in a known part (different types, lengths, keys or known leaves). */
function knownDifference(a: Value, b: Value): boolean {
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length || a.some((x, i) => knownDifference(x, b[i]));
  if (
    a !== null &&
    b !== null &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return true;
    return keys.some(k => !Object.prototype.hasOwnProperty.call(b, k) || knownDifference(a[k], b[k]));
  }
  return !deepEquals(a, b);
}
