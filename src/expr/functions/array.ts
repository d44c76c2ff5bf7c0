/**
 * Array and object functions, and the ones shared with strings:
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object
 *
 * Functions marked `acceptsUnknown` decide what they can when a container holds unknown items
 * (its length, whether it is empty, a known item it contains) and return an Unknown otherwise.
 */
import { Unknown, hasOwn, isObject, setOwn, type Value } from '../../model/value.js';
import { ExpressionError } from '../errors.js';
import { defineFunction, findKey, holdsUnknown, unknownResult, type FunctionDefinition } from '../evaluate.js';
import { anyUnknown, arrayArg, deepEquals, intArg, objectArg, stringArg, toText, typeError } from './args.js';
import { foldCase } from '../../model/foldCase.js';

type JsonObject = { [key: string]: Value };

/** Collection functions that can decide with unknown items; they still give Unknown for an unknown argument. */
function tolerant(def: FunctionDefinition): FunctionDefinition {
  const call = def.call;
  return defineFunction({
    ...def,
    acceptsUnknown: true,
    call: (args, ctx) => (anyUnknown(args) ? unknownResult(def.name, args) : call(args, ctx))
  });
}

/**
 * The path after tryGet's (and tryIndexFromEnd's) first argument: property names, indexes,
 * and the segments Bicep writes for `[^n]` and `[n]` after a safe access,
 * `createObject('value', n, 'fromEnd', true())` (`z.?y[^1]`) and `createObject('value', n)`.
 * A missing step gives null, unless `strict` (indexFromEnd, whose path is a plain access).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#tryget
 */
function followPath(fn: string, start: Value, args: Value[], from: number, strict: boolean): Value {
  let current = start;
  for (let i = from; i < args.length; i++) {
    let key = args[i];
    if (current instanceof Unknown || key instanceof Unknown || holdsUnknown(key)) {
      return unknownResult(fn, [current, ...args.slice(i)]);
    }
    let fromEnd = false;
    if (isObject(key) && 'value' in key) {
      fromEnd = key.fromEnd === true;
      key = key.value;
    }
    if (current === null && !strict) return null;
    let next: Value | undefined;
    if (Array.isArray(current)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw typeError(fn, i, 'an integer index', key);
      const index = fromEnd ? current.length - key : key;
      next = index >= 0 && index < current.length && (!fromEnd || key >= 1) ? current[index] : undefined;
      if (next === undefined && strict) throw outOfBounds(fromEnd ? key : index, current.length);
    } else if (isObject(current)) {
      if (typeof key !== 'string') throw typeError(fn, i, 'a property name', key);
      const found = findKey(current, key);
      next = found === undefined ? undefined : current[found];
      if (next === undefined && strict) {
        throw new ExpressionError(
          `The language expression property '${key}' doesn't exist, available properties are '${Object.keys(current).join(', ')}'.`
        );
      }
    } else if (strict) {
      throw new ExpressionError(
        `The template function '${fn}' cannot read '${String(key)}' of ${JSON.stringify(current)}.`
      );
    }
    if (next === undefined) return null;
    current = next;
  }
  return current;
}

function outOfBounds(index: number, length: number): ExpressionError {
  return new ExpressionError(`The index '${index}' is out of bounds: the array has ${length} item(s).`);
}

function indexIn(array: Value[], item: Value, last: boolean): number | Unknown {
  let unknown = false;
  const n = array.length;
  for (let k = 0; k < n; k++) {
    const i = last ? n - 1 - k : k;
    if (holdsUnknown(array[i])) {
      unknown = true;
      continue;
    }
    if (deepEquals(array[i], item)) return unknown ? new Unknown('an earlier item is unknown') : i;
  }
  return unknown ? new Unknown('an item is unknown') : -1;
}

function stringOrArray(fn: string, args: Value[], index: number): string | Value[] {
  const value = args[index];
  if (typeof value !== 'string' && !Array.isArray(value)) throw typeError(fn, index, 'an array or a string', value);
  return value;
}

function unionObjects(target: JsonObject, source: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const key of Object.keys(source)) {
    const existing = findKey(out, key);
    const value = source[key];
    if (existing !== undefined && isObject(out[existing]) && isObject(value)) {
      setOwn(out, existing, unionObjects(out[existing] as JsonObject, value));
    } else {
      if (existing !== undefined && existing !== key) delete out[existing];
      setOwn(out, existing ?? key, value);
    }
  }
  return out;
}

function distinctPush(into: Value[], item: Value): void {
  if (!into.some(existing => deepEquals(existing, item))) into.push(item);
}

export const arrayFunctions: FunctionDefinition[] = [
  defineFunction({
    name: 'array',
    minArgs: 1,
    maxArgs: 1,
    acceptsUnknown: true,
    call: args => (Array.isArray(args[0]) ? args[0] : [args[0]])
  }),
  tolerant({
    name: 'concat',
    minArgs: 0,
    maxArgs: Infinity,
    call: args => {
      if (args.length === 0) return '';
      if (Array.isArray(args[0]) || args[0] === null) {
        const out: Value[] = [];
        args.forEach((arg, i) => {
          if (arg === null) return;
          if (!Array.isArray(arg))
            throw typeError('concat', i, 'an array (all arguments must be arrays when the first is)', arg);
          // Item by item: spreading a large array as arguments overflows the stack.
          for (const item of arg) out.push(item);
        });
        return out;
      }
      for (let i = 0; i < args.length; i++) {
        if (Array.isArray(args[i]))
          throw typeError('concat', i, 'a string (arrays and strings cannot be mixed)', args[i]);
      }
      if (args.some(holdsUnknown)) return unknownResult('concat', args);
      return args.map(toText).join('');
    }
  }),
  tolerant({
    name: 'contains',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const [container, item] = args;
      if (typeof container === 'string') {
        if (holdsUnknown(item)) return unknownResult('contains', args);
        return container.includes(toText(item));
      }
      if (Array.isArray(container)) {
        if (holdsUnknown(item)) return unknownResult('contains', args);
        if (container.some(x => !holdsUnknown(x) && deepEquals(x, item))) return true;
        return container.some(holdsUnknown) ? unknownResult('contains', args) : false;
      }
      if (isObject(container)) {
        if (typeof item !== 'string') throw typeError('contains', 1, 'a string (a property name)', item);
        return findKey(container, item) !== undefined;
      }
      throw typeError('contains', 0, 'an array, an object or a string', container);
    }
  }),
  defineFunction({ name: 'createArray', minArgs: 0, maxArgs: Infinity, acceptsUnknown: true, call: args => args }),
  defineFunction({
    name: 'createObject',
    minArgs: 0,
    maxArgs: Infinity,
    acceptsUnknown: true,
    call: args => {
      for (let i = 0; i < args.length; i += 2) if (holdsUnknown(args[i])) return unknownResult('createObject', args);
      if (args.length % 2 !== 0) {
        throw new ExpressionError(
          "The template function 'createObject' takes key-value pairs: give an even number of arguments."
        );
      }
      const out: JsonObject = {};
      for (let i = 0; i < args.length; i += 2) setOwn(out, stringArg('createObject', args, i), args[i + 1]);
      return out;
    }
  }),
  tolerant({
    name: 'empty',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const value = args[0];
      if (value === null) return true;
      if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
      if (isObject(value)) return Object.keys(value).length === 0;
      throw typeError('empty', 0, 'an array, an object or a string', value);
    }
  }),
  tolerant({
    name: 'first',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const value = stringOrArray('first', args, 0);
      if (typeof value === 'string') return value.slice(0, 1);
      return value.length === 0 ? null : value[0];
    }
  }),
  tolerant({
    name: 'last',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const value = stringOrArray('last', args, 0);
      if (typeof value === 'string') return value.slice(-1);
      return value.length === 0 ? null : value[value.length - 1];
    }
  }),
  tolerant({
    name: 'flatten',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const out: Value[] = [];
      for (const item of arrayArg('flatten', args, 0)) {
        if (item instanceof Unknown) return unknownResult('flatten', args);
        if (!Array.isArray(item))
          throw new ExpressionError("The template function 'flatten' takes an array of arrays.");
        for (const inner of item) out.push(inner);
      }
      return out;
    }
  }),
  ...(['indexOf', 'lastIndexOf'] as const).map(name =>
    tolerant({
      name,
      minArgs: 2,
      maxArgs: 2,
      call: args => {
        const last = name === 'lastIndexOf';
        const container = stringOrArray(name, args, 0);
        if (holdsUnknown(args[1])) return unknownResult(name, args);
        if (typeof container === 'string') {
          // Case-insensitive for strings (documented).
          const haystack = foldCase(container);
          const needle = foldCase(stringArg(name, args, 1));
          return last ? haystack.lastIndexOf(needle) : haystack.indexOf(needle);
        }
        const found = indexIn(container, args[1], last);
        return found instanceof Unknown ? unknownResult(name, args) : found;
      }
    })
  ),
  defineFunction({
    name: 'intersection',
    minArgs: 2,
    maxArgs: Infinity,
    call: args => {
      if (Array.isArray(args[0])) {
        const rest = args.map((_, i) => arrayArg('intersection', args, i)).slice(1);
        const out: Value[] = [];
        for (const item of args[0]) if (rest.every(a => a.some(x => deepEquals(x, item)))) distinctPush(out, item);
        return out;
      }
      const objects = args.map((_, i) => objectArg('intersection', args, i));
      const out: JsonObject = {};
      for (const key of Object.keys(objects[0])) {
        if (objects.every(o => hasOwn(o, key) && deepEquals(o[key], objects[0][key])))
          setOwn(out, key, objects[0][key]);
      }
      return out;
    }
  }),
  tolerant({
    name: 'items',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const object = objectArg('items', args, 0);
      // Documented: the returned array is sorted by key.
      return Object.keys(object)
        .sort((a, b) => (foldCase(a) < foldCase(b) ? -1 : foldCase(a) > foldCase(b) ? 1 : 0))
        .map(key => ({ key, value: object[key] }));
    }
  }),
  defineFunction({
    name: 'join',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const items = arrayArg('join', args, 0);
      const delimiter = stringArg('join', args, 1);
      return items
        .map((item, i) => {
          if (Array.isArray(item) || isObject(item)) {
            throw new ExpressionError(
              `The template function 'join' takes an array of strings; item ${i} is not a string.`
            );
          }
          return toText(item);
        })
        .join(delimiter);
    }
  }),
  tolerant({
    name: 'length',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const value = args[0];
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (isObject(value)) return Object.keys(value).length;
      throw typeError('length', 0, 'an array, an object or a string', value);
    }
  }),
  tolerant({ name: 'objectKeys', minArgs: 1, maxArgs: 1, call: args => Object.keys(objectArg('objectKeys', args, 0)) }),
  defineFunction({
    name: 'range',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const start = intArg('range', args, 0);
      const count = intArg('range', args, 1);
      if (count < 0 || count > 10000)
        throw new ExpressionError("The template function 'range' takes a count from 0 to 10000.");
      if (start + count > 2147483647)
        throw new ExpressionError("The sum of the start index and count of 'range' must be at most 2147483647.");
      return Array.from({ length: count }, (_, i) => start + i);
    }
  }),
  tolerant({
    name: 'shallowMerge',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const out: JsonObject = {};
      for (const item of arrayArg('shallowMerge', args, 0)) {
        if (item instanceof Unknown) return unknownResult('shallowMerge', args);
        // A null item adds nothing, as a null argument of union does.
        if (item === null) continue;
        if (!isObject(item))
          throw new ExpressionError("The template function 'shallowMerge' takes an array of objects.");
        for (const key of Object.keys(item)) setOwn(out, key, item[key]);
      }
      return out;
    }
  }),
  ...(['skip', 'take'] as const).map(name =>
    tolerant({
      name,
      minArgs: 2,
      maxArgs: 2,
      call: args => {
        const value = stringOrArray(name, args, 0);
        const count = Math.max(0, intArg(name, args, 1));
        return name === 'skip' ? value.slice(count) : value.slice(0, count);
      }
    })
  ),
  defineFunction({
    name: 'tryGet',
    minArgs: 2,
    maxArgs: Infinity,
    acceptsUnknown: true,
    call: args => followPath('tryGet', args[0], args, 1, false)
  }),
  ...(['indexFromEnd', 'tryIndexFromEnd'] as const).map(name =>
    defineFunction({
      name,
      minArgs: 2,
      maxArgs: Infinity,
      acceptsUnknown: true,
      call: args => {
        if (args[0] instanceof Unknown || holdsUnknown(args[1])) return unknownResult(name, args);
        // Like tryGet, the try form gives null for a null array (Bicep's `arr[?^1]` on a null value).
        if (args[0] === null && name === 'tryIndexFromEnd') return null;
        const array = arrayArg(name, args, 0);
        const reverse = intArg(name, args, 1);
        let item: Value;
        if (reverse >= 1 && reverse <= array.length) item = array[array.length - reverse];
        else if (name === 'tryIndexFromEnd') return null;
        else throw outOfBounds(reverse, array.length);
        return followPath(name, item, args, 2, name === 'indexFromEnd');
      }
    })
  ),
  tolerant({
    name: 'union',
    minArgs: 1,
    maxArgs: Infinity,
    call: args => {
      // Null arguments add nothing, whichever kind the others are (as concat skips them); the
      // first argument that is not null says whether arrays or objects are merged.
      if (Array.isArray(args.find(arg => arg !== null))) {
        const arrays = args.flatMap((arg, i) => (arg === null ? [] : [arrayArg('union', args, i)]));
        if (arrays.some(a => a.some(holdsUnknown))) return unknownResult('union', args);
        const out: Value[] = [];
        for (const array of arrays) for (const item of array) distinctPush(out, item);
        return out;
      }
      let out: JsonObject = {};
      args.forEach((_, i) => {
        if (args[i] === null) return;
        out = unionObjects(out, objectArg('union', args, i));
      });
      return out;
    }
  }),
  // Bicep's distinct() (Bicep.Core SystemNamespaceType): "Returns a new array with duplicate values
  // removed, preserving order", items compared as union() compares them. An unknown item could
  // equal any other, so the result is unknown.
  tolerant({
    name: 'distinct',
    minArgs: 1,
    maxArgs: 1,
    call: args => {
      const array = arrayArg('distinct', args, 0);
      if (array.some(holdsUnknown)) return unknownResult('distinct', args);
      const out: Value[] = [];
      for (const item of array) distinctPush(out, item);
      return out;
    }
  })
];
