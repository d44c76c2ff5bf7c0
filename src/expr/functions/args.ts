/** Argument checks shared by the function families; each failure is an ARM-style ExpressionError. */
import { Unknown, isObject, type Value } from '../../model/value.js';
import { ExpressionError } from '../errors.js';
import { describeType } from '../evaluate.js';

type JsonObject = { [key: string]: Value };

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

function ordinal(index: number): string {
  return ORDINALS[index] ?? `${index + 1}th`;
}

export function typeError(fn: string, index: number, expected: string, actual: Value): ExpressionError {
  return new ExpressionError(
    `The template function '${fn}' expects its ${ordinal(index)} argument to be ${expected}, but it is ${describeType(actual)}.`
  );
}

export function stringArg(fn: string, args: Value[], index: number): string {
  const value = args[index];
  if (typeof value !== 'string') throw typeError(fn, index, 'a string', value);
  return value;
}

export function intArg(fn: string, args: Value[], index: number): number {
  const value = args[index];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(fn, index, 'an integer', value);
  return value;
}

export function numberArg(fn: string, args: Value[], index: number): number {
  const value = args[index];
  if (typeof value !== 'number') throw typeError(fn, index, 'a number', value);
  return value;
}

export function boolArg(fn: string, args: Value[], index: number): boolean {
  const value = args[index];
  if (typeof value !== 'boolean') throw typeError(fn, index, 'a boolean', value);
  return value;
}

export function arrayArg(fn: string, args: Value[], index: number): Value[] {
  const value = args[index];
  if (!Array.isArray(value)) throw typeError(fn, index, 'an array', value);
  return value;
}

export function objectArg(fn: string, args: Value[], index: number): JsonObject {
  const value = args[index];
  if (!isObject(value)) throw typeError(fn, index, 'an object', value);
  return value;
}

/** Strings as ARM renders values inside other strings: booleans as True/False (.NET), containers as compact JSON. */
export function toText(value: Value): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** ARM's equality: deep, case-sensitive for strings, integer 1 equals 1.0. */
export function deepEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEquals(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(b, key) || !deepEquals(a[key], b[key])) return false;
    }
    return true;
  }
  return false;
}

let collator: Intl.Collator | undefined;

/**
 * .NET culture-aware ordering (ARM compares strings this way: greater('A', 'a') is true). The collator is
 * made on the first comparison: making it loads ICU's collation data, which most runs never use.
 */
export function cultureCompare(a: string, b: string): number {
  collator ??= new Intl.Collator('en-US', { sensitivity: 'variant', caseFirst: 'lower' });
  return collator.compare(a, b);
}

/** Whether any argument is itself an Unknown (not merely holding one). */
export function anyUnknown(args: Value[]): boolean {
  for (const arg of args) if (arg instanceof Unknown) return true;
  return false;
}
