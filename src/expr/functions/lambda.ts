/**
 * Lambda functions: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda
 * `lambda('x', body)` is lazy and yields a `Lambda` (see evaluate.ts); the functions taking one
 * are eager and run it per item with `invokeLambda`. An item or result that is unknown makes
 * the result unknown only where it has to (map keeps unknown items; filter cannot decide).
 */
import { Unknown, own, setOwn, type Value } from '../../model/value.js';
import { ExpressionError } from '../errors.js';
import {
  Lambda,
  defineFunction,
  invokeLambda,
  isLambda,
  unknownResult,
  type EvalContext,
  type FunctionDefinition
} from '../evaluate.js';
import { anyUnknown, arrayArg, objectArg, typeError } from './args.js';

type JsonObject = { [key: string]: Value };

function lambdaArg(fn: string, args: Value[], index: number, arities: number[]): Lambda {
  const value = args[index] as unknown;
  if (!isLambda(value)) throw typeError(fn, index, 'a lambda', args[index]);
  if (!arities.includes(value.parameters.length)) {
    throw new ExpressionError(
      `The lambda given to '${fn}' must take ${arities.join(' or ')} parameter(s), not ${value.parameters.length}.`
    );
  }
  return value;
}

/** Runs the lambda with (item) or (item, index), as many as it declares. */
function apply(fn: Lambda, ctx: EvalContext, item: Value, index: number): Value {
  return invokeLambda(fn, fn.parameters.length === 2 ? [item, index] : [item], ctx);
}

function keyOf(fn: string, key: Value): string | Unknown {
  if (key instanceof Unknown) return key;
  if (typeof key !== 'string')
    throw new ExpressionError(`The key lambda of '${fn}' must give strings, not ${JSON.stringify(key)}.`);
  return key;
}

function withLambda(def: Omit<FunctionDefinition, 'acceptsLambda' | 'acceptsUnknown'>): FunctionDefinition {
  const call = def.call;
  return defineFunction({
    ...def,
    acceptsLambda: true,
    acceptsUnknown: true,
    call: (args, ctx) => (anyUnknown(args) ? unknownResult(def.name, args) : call(args, ctx))
  });
}

export const lambdaFunctions: FunctionDefinition[] = [
  defineFunction({
    name: 'lambda',
    minArgs: 1,
    maxArgs: Infinity,
    lazy: true,
    call: () => null,
    callLazy: (args, ctx, evaluate) => {
      const parameters = args.slice(0, -1).map((arg, i) => {
        const name = evaluate(arg);
        if (typeof name !== 'string') throw typeError('lambda', i, 'a string (a lambda variable name)', name);
        return name;
      });
      return new Lambda(parameters, args[args.length - 1], ctx.variables) as unknown as Value;
    }
  }),
  defineFunction({
    name: 'lambdaVariables',
    minArgs: 1,
    maxArgs: 1,
    acceptsUnknown: true,
    call: (args, ctx) => {
      const name = args[0];
      if (typeof name !== 'string') throw typeError('lambdaVariables', 0, 'a string', name);
      if (!ctx.variables?.has(name)) {
        throw new ExpressionError(
          `The lambda variable '${name}' is not defined here: it can only be used in the body of a lambda that declares it.`
        );
      }
      return ctx.variables.get(name)!;
    }
  }),
  withLambda({
    name: 'filter',
    minArgs: 2,
    maxArgs: 2,
    call: (args, ctx) => {
      const items = arrayArg('filter', args, 0);
      const fn = lambdaArg('filter', args, 1, [1, 2]);
      const out: Value[] = [];
      for (let i = 0; i < items.length; i++) {
        const keep = apply(fn, ctx, items[i], i);
        if (keep instanceof Unknown) return unknownResult('filter', [keep]);
        if (typeof keep !== 'boolean') throw new ExpressionError("The lambda given to 'filter' must give a boolean.");
        if (keep) out.push(items[i]);
      }
      return out;
    }
  }),
  withLambda({
    name: 'map',
    minArgs: 2,
    maxArgs: 2,
    call: (args, ctx) => {
      const fn = lambdaArg('map', args, 1, [1, 2]);
      return arrayArg('map', args, 0).map((item, i) => apply(fn, ctx, item, i));
    }
  }),
  withLambda({
    name: 'reduce',
    minArgs: 3,
    maxArgs: 3,
    call: (args, ctx) => {
      const fn = lambdaArg('reduce', args, 2, [2, 3]);
      let acc = args[1];
      arrayArg('reduce', args, 0).forEach((item, i) => {
        acc = invokeLambda(fn, fn.parameters.length === 3 ? [acc, item, i] : [acc, item], ctx);
      });
      return acc;
    }
  }),
  withLambda({
    name: 'sort',
    minArgs: 2,
    maxArgs: 2,
    call: (args, ctx) => {
      const items = arrayArg('sort', args, 0);
      const fn = lambdaArg('sort', args, 1, [2]);
      let unknown: Unknown | undefined;
      const sorted = [...items].sort((a, b) => {
        if (unknown) return 0;
        const less = invokeLambda(fn, [a, b], ctx);
        if (less instanceof Unknown) {
          unknown = less;
          return 0;
        }
        if (less === true) return -1;
        const greater = invokeLambda(fn, [b, a], ctx);
        if (greater instanceof Unknown) unknown = greater;
        return greater === true ? 1 : 0;
      });
      return unknown ? unknownResult('sort', [unknown]) : sorted;
    }
  }),
  withLambda({
    name: 'toObject',
    minArgs: 2,
    maxArgs: 3,
    call: (args, ctx) => {
      const items = arrayArg('toObject', args, 0);
      const keyFn = lambdaArg('toObject', args, 1, [1]);
      const valueFn = args.length > 2 ? lambdaArg('toObject', args, 2, [1]) : undefined;
      const out: JsonObject = {};
      for (const item of items) {
        const key = keyOf('toObject', invokeLambda(keyFn, [item], ctx));
        if (key instanceof Unknown) return unknownResult('toObject', [key]);
        setOwn(out, key, valueFn ? invokeLambda(valueFn, [item], ctx) : item);
      }
      return out;
    }
  }),
  withLambda({
    name: 'groupBy',
    minArgs: 2,
    // An optional third lambda maps each item to the value grouped (ARM's engine groups
    // groupBy(items, arg => arg.type, arg => arg.value) into { a: [123, 789], b: [456] }:
    // Azure/bicep, src/Bicep.Core.IntegrationTests/EvaluationTests.cs, "New_functions_are_evaluated_correctly").
    maxArgs: 3,
    call: (args, ctx) => {
      const fn = lambdaArg('groupBy', args, 1, [1]);
      const valueFn = args.length > 2 ? lambdaArg('groupBy', args, 2, [1]) : undefined;
      const out: { [key: string]: Value[] } = {};
      for (const item of arrayArg('groupBy', args, 0)) {
        const key = keyOf('groupBy', invokeLambda(fn, [item], ctx));
        if (key instanceof Unknown) return unknownResult('groupBy', [key]);
        const value = valueFn ? invokeLambda(valueFn, [item], ctx) : item;
        const group = own(out, key);
        if (group) group.push(value);
        else setOwn(out, key, [value]);
      }
      return out;
    }
  }),
  withLambda({
    name: 'mapValues',
    minArgs: 2,
    maxArgs: 2,
    call: (args, ctx) => {
      const object = objectArg('mapValues', args, 0);
      const fn = lambdaArg('mapValues', args, 1, [1]);
      const out: JsonObject = {};
      for (const key of Object.keys(object)) setOwn(out, key, invokeLambda(fn, [object[key]], ctx));
      return out;
    }
  })
];
