/**
 * Evaluation of parsed expressions against a function library.
 *
 * Unknown values: an eager function whose arguments hold an `Unknown` anywhere (at any depth)
 * is not called; its result is an `Unknown` that names the function and merges the inputs'
 * reasons, with a key built from the function name and the arguments' keys, so two mentions of
 * the same unknown computation compare equal. Functions that can decide anyway set
 * `acceptsUnknown` and see the unknowns themselves.
 *
 * Lambdas: `lambda('x', body)` evaluates to a `Lambda`, a frozen instance of a class private to
 * this module's family (not JSON, so it cannot leak into outputs): it holds the parameter
 * names, the unevaluated body and the lambda variables in scope where it was written. Only
 * functions with `acceptsLambda` (filter, map, reduce, sort, toObject, groupBy, mapValues)
 * accept one; they run it with `invokeLambda`. Inside the body, `lambdaVariables('x')` reads
 * `EvalContext.variables`.
 */
import { Unknown, isObject, type Value } from '../model/value.js';
import type { Expr } from './ast.js';
import { ExpressionError } from './errors.js';
import { formatExpr as formatForMessage, parseTemplateString, sourceOf } from './parse.js';
import { foldCase } from '../model/foldCase.js';

export { ExpressionError } from './errors.js';

export interface FunctionDefinition {
  /** Canonical spelling, e.g. 'toLower'. */
  name: string;
  minArgs: number;
  /** Infinity for variadic. */
  maxArgs: number;
  /** When true, receives unevaluated args and evaluates them itself (if, and, or, coalesce, lambda). */
  lazy?: boolean;
  /** When true, is called even if an argument holds an Unknown; otherwise any Unknown argument makes the result Unknown (merging the reasons). */
  acceptsUnknown?: boolean;
  /** When true, arguments may be lambdas (see `Lambda`); any other function given a lambda is an error. */
  acceptsLambda?: boolean;
  /** Eager: receives evaluated arguments. */
  call(args: Value[], ctx: EvalContext): Value;
  /** Lazy: receives the argument expressions and a way to evaluate them. */
  callLazy?(args: Expr[], ctx: EvalContext, evaluate: (e: Expr) => Value): Value;
}

/** Keys are lower-case: function names are case-insensitive. */
export type FunctionLibrary = ReadonlyMap<string, FunctionDefinition>;

export interface EvalContext {
  functions: FunctionLibrary;
  /** Consumers attach their own data (deployment scope, the resource being evaluated …). */
  data?: unknown;
  /** Lambda variables in scope (set while a lambda body runs). */
  variables?: ReadonlyMap<string, Value>;
  /** Told of every value a function call builds; throws to stop work that has grown past its bounds. */
  budget?: EvalBudget;
}

/** What bounds the work of evaluating one file's expressions (src/model/limits.ts `WorkBudget`). */
export interface EvalBudget {
  produced(value: Value): void;
}

/** A `lambda(...)` value. Construct only through the `lambda` function. */
export class Lambda {
  constructor(
    readonly parameters: readonly string[],
    readonly body: Expr,
    readonly scope: ReadonlyMap<string, Value> | undefined
  ) {
    Object.freeze(this);
  }
}

export function isLambda(value: unknown): value is Lambda {
  return value instanceof Lambda;
}

/** Runs a lambda with the given arguments bound to its parameters. */
export function invokeLambda(fn: Lambda, args: Value[], ctx: EvalContext): Value {
  if (args.length !== fn.parameters.length) {
    throw new ExpressionError(`The lambda expects ${fn.parameters.length} parameter(s) but is given ${args.length}.`);
  }
  const variables = new Map(fn.scope);
  for (let i = 0; i < args.length; i++) variables.set(fn.parameters[i], args[i]);
  // evalNode, not evaluate: errors in the body keep offsets into the expression the lambda is written in.
  return evalNode(fn.body, { functions: ctx.functions, data: ctx.data, variables, budget: ctx.budget });
}

/** Builds a library keyed by lower-case name; later parts override earlier ones. */
export function library(...parts: FunctionDefinition[][]): FunctionLibrary {
  const map = new Map<string, FunctionDefinition>();
  for (const part of parts) for (const def of part) map.set(foldCase(def.name), def);
  return map;
}

/** Checks a definition is well formed and returns it (for typed object literals). */
export function defineFunction(def: FunctionDefinition): FunctionDefinition {
  if (def.lazy && !def.callLazy) throw new Error(`Function '${def.name}' is lazy but has no callLazy.`);
  if (def.minArgs > def.maxArgs) throw new Error(`Function '${def.name}' has minArgs > maxArgs.`);
  return def;
}

/** Evaluates a template string: an expression, or a literal (with a leading `[[` unescaped). */
export function evaluateString(text: string, ctx: EvalContext): Value {
  const parsed = parseTemplateString(text);
  return typeof parsed === 'string' ? parsed : evaluate(parsed, ctx);
}

/**
 * Evaluates a parsed expression; throws `ExpressionError` naming the expression and offset.
 * Offsets are into the text `expr` was parsed from; a tree built by hand is shown formatted.
 */
export function evaluate(expr: Expr, ctx: EvalContext): Value {
  try {
    return evalNode(expr, ctx);
  } catch (error) {
    if (error instanceof ExpressionError && error.expression === undefined) {
      throw new ExpressionError(error.reason, {
        expression: sourceOf(expr) ?? `[${formatForMessage(expr)}]`,
        offset: error.offset ?? expr.start,
        invalid: error.invalid
      });
    }
    throw error;
  }
}

const lowerNames = new Map<string, string>();

function lookup(name: string, functions: FunctionLibrary): FunctionDefinition | undefined {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = foldCase(name);
    lowerNames.set(name, lower);
  }
  return functions.get(lower);
}

/** An error raised while evaluating the node at `offset`, before the expression text is known. */
function located(error: unknown, offset: number): unknown {
  if (error instanceof ExpressionError && error.offset === undefined && error.expression === undefined) {
    return new ExpressionError(error.reason, { offset, invalid: error.invalid });
  }
  return error;
}

function evalNode(expr: Expr, ctx: EvalContext): Value {
  switch (expr.kind) {
    case 'literal':
      // An integer literal beyond ±2^53 cannot be held exactly (ARM's integers are 64-bit).
      return typeof expr.value === 'number' && !Number.isSafeInteger(expr.value)
        ? new Unknown(
            `the integer literal at offset ${expr.start} is beyond ±2^53, which cmk-guard does not compute exactly`
          )
        : expr.value;
    case 'call':
      return evalCall(expr, ctx);
    case 'property': {
      const target = evalNode(expr.target, ctx);
      try {
        return getProperty(target, expr.name);
      } catch (error) {
        throw located(error, expr.start);
      }
    }
    case 'index': {
      const target = evalNode(expr.target, ctx);
      const index = evalNode(expr.index, ctx);
      try {
        return getIndex(target, index);
      } catch (error) {
        throw located(error, expr.start);
      }
    }
  }
}

function evalCall(expr: Extract<Expr, { kind: 'call' }>, ctx: EvalContext): Value {
  const def = lookup(expr.name, ctx.functions);
  if (def === undefined) {
    throw new ExpressionError(`The template function '${expr.name}' is not valid.`, {
      offset: expr.start,
      invalid: true
    });
  }
  const count = expr.args.length;
  if (count < def.minArgs || count > def.maxArgs) {
    throw new ExpressionError(argumentCountMessage(def, count), { offset: expr.start, invalid: true });
  }
  try {
    if (def.lazy) {
      const result = def.callLazy!(expr.args, ctx, e => evalNode(e, ctx));
      ctx.budget?.produced(result);
      return result;
    }
    const args: Value[] = new Array(count);
    let hasUnknown = false;
    for (let i = 0; i < count; i++) {
      const value = evalNode(expr.args[i], ctx);
      if (value instanceof Lambda && !def.acceptsLambda) {
        throw new ExpressionError(
          `A lambda can only be an argument of filter, groupBy, map, mapValues, reduce, sort or toObject, not of '${def.name}'.`,
          { offset: expr.args[i].start, invalid: true }
        );
      }
      if (!hasUnknown && !def.acceptsUnknown && holdsUnknown(value)) hasUnknown = true;
      args[i] = value;
    }
    if (hasUnknown) return unknownResult(def.name, args);
    const result = def.call(args, ctx);
    ctx.budget?.produced(result);
    return result;
  } catch (error) {
    // A value past what JavaScript can hold (a text of a billion characters): the function's, at its place. Told
    // apart from a stack overflow (a RangeError too) by plain comparisons: with no stack left, a regular expression
    // throws again.
    if (
      error instanceof RangeError &&
      (error.message === 'Invalid string length' || error.message === 'Invalid array length')
    )
      throw located(
        new ExpressionError(
          `The template function '${def.name}' builds a value larger than cmk-guard can hold (${error.message.toLowerCase()}).`
        ),
        expr.start
      );
    throw located(error, expr.start);
  }
}

function argumentCountMessage(def: FunctionDefinition, count: number): string {
  const expected =
    def.minArgs === def.maxArgs
      ? `${def.minArgs}`
      : def.maxArgs === Infinity
        ? `at least ${def.minArgs}`
        : `${def.minArgs} to ${def.maxArgs}`;
  return `The template function '${def.name}' takes ${expected} argument(s) but is given ${count}.`;
}

/** Whether a value is or holds an Unknown (depth first, without allocating). */
export function holdsUnknown(value: Value): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Unknown) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsUnknown(value[i])) return true;
    return false;
  }
  if (value instanceof Lambda) return false;
  for (const key in value) if (holdsUnknown(value[key])) return true;
  return false;
}

function collectUnknowns(value: Value, into: Unknown[]): void {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof Unknown) {
    if (!into.includes(value)) into.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectUnknowns(item, into);
  } else if (!(value instanceof Lambda)) {
    for (const key in value) collectUnknowns(value[key], into);
  }
}

/**
 * The Unknown a function returns when it cannot decide: the reason names the function and
 * repeats the inputs' reasons; the key is `name(argKey, …)`, equal for equal computations.
 */
export function unknownResult(functionName: string, args: readonly Value[]): Unknown {
  const unknowns: Unknown[] = [];
  for (const arg of args) collectUnknowns(arg, unknowns);
  const reasons = [...new Set(unknowns.map(u => u.reason))];
  const reason = unknowns.length === 0 ? `${functionName}() is unknown` : viaFunction(reasons.join('; '), functionName);
  return new Unknown(reason, `${foldCase(functionName)}(${args.map(valueKey).join(',')})`);
}

/** `<reason> (via a, b)`: the root cause first, then the functions it passed through. */
function viaFunction(reason: string, functionName: string): string {
  const match = /^(.*) \(via ([^()]*)\)$/s.exec(reason);
  return match ? `${match[1]} (via ${match[2]}, ${functionName})` : `${reason} (via ${functionName})`;
}

/** A deterministic text for a value that stands for an Unknown by its key. */
export function valueKey(value: Value): string {
  if (value instanceof Unknown) return `<${value.key}>`;
  if (value instanceof Lambda) return '<lambda>';
  if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .map(k => `${JSON.stringify(k)}:${valueKey(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Case-insensitive own-property lookup (ARM property names are case-insensitive). */
export function findKey(object: { [key: string]: Value }, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(object, name)) return name;
  const lower = foldCase(name);
  for (const key in object) if (foldCase(key) === lower) return key;
  return undefined;
}

/**
 * Objects that describe what cmk-guard knows only in part (the subscription, the resource group, the request a
 * policy sees): a property it does not hold is unknown, not missing, since Azure's object may have it
 * (`subscription().tags`). By object, with what it describes.
 */
const partlyKnown = new WeakMap<object, string>();

/** Marks `value`, an object a function answers, as partly known (see `partlyKnown`); gives it back. */
export function partlyKnownObject<T extends object>(value: T, what: string): T {
  partlyKnown.set(value, what);
  return value;
}

/** `target.name`: case-insensitive; an error when missing; an Unknown (with extended key) on an Unknown. */
export function getProperty(target: Value, name: string): Value {
  if (target instanceof Unknown) return new Unknown(target.reason, `${target.key}.${name}`);
  if (isObject(target) && !(target instanceof Lambda)) {
    const key = findKey(target, name);
    const what = key === undefined ? partlyKnown.get(target) : undefined;
    if (what !== undefined) return new Unknown(`${what}.${name}, which cmk-guard does not hold`);
    if (key === undefined) {
      throw new ExpressionError(
        `The language expression property '${name}' doesn't exist, available properties are '${Object.keys(target).join(', ')}'; use tryGet() when the property may be missing.`
      );
    }
    return target[key];
  }
  throw new ExpressionError(
    `The language expression property '${name}' can't be evaluated: the value is ${describeType(target)}, not an object.`
  );
}

/** `target[index]`: arrays by integer, objects by (case-insensitive) property name. */
export function getIndex(target: Value, index: Value): Value {
  if (target instanceof Unknown) {
    if (index instanceof Unknown) return unknownResult('index', [target, index]);
    return new Unknown(
      target.reason,
      typeof index === 'number' ? `${target.key}[${index}]` : `${target.key}.${String(index)}`
    );
  }
  if (index instanceof Unknown) return unknownResult('index', [target, index]);
  if (Array.isArray(target)) {
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      throw new ExpressionError(`An array index must be an integer, not ${describeType(index)}.`);
    }
    if (index < 0 || index >= target.length) {
      throw new ExpressionError(
        `The language expression array index '${index}' is out of bounds: the array has ${target.length} item(s).`
      );
    }
    return target[index];
  }
  if (isObject(target) && !(target instanceof Lambda)) {
    if (typeof index !== 'string') {
      throw new ExpressionError(`An object can only be indexed by a property name, not ${describeType(index)}.`);
    }
    return getProperty(target, index);
  }
  throw new ExpressionError(`Only arrays and objects can be indexed, not ${describeType(target)}.`);
}

/** Type names as ARM's messages use them. */
export function describeType(value: Value | Lambda): string {
  if (value === null) return 'null';
  if (value instanceof Unknown) return 'an unknown value';
  if (value instanceof Lambda) return 'a lambda';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}
