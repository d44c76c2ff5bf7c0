/**
 * Numeric functions: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric
 * Integers are 64-bit in ARM; div and mod truncate toward zero like .NET.
 */
import { Unknown, type Value } from '../../model/value.js';
import { ExpressionError } from '../errors.js';
import { defineFunction, type FunctionDefinition } from '../evaluate.js';
import { intArg, numberArg, typeError } from './args.js';

/**
 * An integer result as ARM has it (64-bit), or an Unknown where a JavaScript number cannot hold it
 * exactly: beyond 2^53 a number is rounded, and a rounded count, index or name is a guess. A result
 * outside the 64-bit range is unknown too (whether ARM fails or wraps is not documented).
 */
export function exactInteger(name: string, operands: number[], result: bigint): number | Unknown {
  if (operands.every(Number.isSafeInteger) && result >= MIN_SAFE && result <= MAX_SAFE) return Number(result);
  return new Unknown(
    `the integer result of ${name}(${operands.join(', ')}) is beyond ±2^53, which cmk-guard does not compute exactly`
  );
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

function binary(name: string, op: (a: bigint, b: bigint) => bigint): FunctionDefinition {
  return defineFunction({
    name,
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const a = intArg(name, args, 0);
      const b = intArg(name, args, 1);
      if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return exactInteger(name, [a, b], 0n);
      return exactInteger(name, [a, b], op(BigInt(a), BigInt(b)));
    }
  });
}

function nonZero(name: string, b: number): void {
  if (b === 0) throw new ExpressionError(`The template function '${name}' cannot divide by zero.`);
}

/** max/min take integers, or one array of integers. */
function extreme(name: 'max' | 'min'): FunctionDefinition {
  return defineFunction({
    name,
    minArgs: 1,
    maxArgs: Infinity,
    call: args => {
      const values: Value[] = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
      if (values.length === 0) throw new ExpressionError(`The template function '${name}' needs at least one number.`);
      const numbers = values.map((v, i) => {
        if (typeof v !== 'number')
          throw typeError(name, args.length === 1 ? 0 : i, 'a number or an array of numbers', v);
        return v;
      });
      return name === 'max' ? Math.max(...numbers) : Math.min(...numbers);
    }
  });
}

export const numericFunctions: FunctionDefinition[] = [
  binary('add', (a, b) => a + b),
  binary('sub', (a, b) => a - b),
  binary('mul', (a, b) => a * b),
  defineFunction({
    name: 'div',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const b = intArg('div', args, 1);
      nonZero('div', b);
      return Math.trunc(intArg('div', args, 0) / b);
    }
  }),
  defineFunction({
    name: 'mod',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const b = intArg('mod', args, 1);
      nonZero('mod', b);
      return intArg('mod', args, 0) % b;
    }
  }),
  defineFunction({
    name: 'int',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const value = args[0];
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) {
        const exact = BigInt(value.trim().replace(/^\+/, ''));
        return exactInteger('int', [0], exact) instanceof Unknown
          ? new Unknown(`int('${value}') is beyond ±2^53, which cmk-guard does not compute exactly`)
          : Number(exact);
      }
      if (typeof value === 'string')
        throw new ExpressionError(`The template function 'int' cannot convert '${value}' to an integer.`);
      throw typeError('int', 0, 'a string or a number', value);
    }
  }),
  defineFunction({
    name: 'float',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const value = args[0];
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      if (typeof value === 'string')
        throw new ExpressionError(`The template function 'float' cannot convert '${value}' to a number.`);
      return numberArg('float', args, 0);
    }
  }),
  extreme('max'),
  extreme('min')
];
