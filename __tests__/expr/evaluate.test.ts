import { describe, expect, it } from '@jest/globals';
import { Unknown, isUnknown } from '../../src/model/value.js';
import { isUserError } from '../../src/model/errors.js';
import {
  ExpressionError,
  defineFunction,
  evaluate,
  evaluateString,
  getProperty,
  library
} from '../../src/expr/evaluate.js';
import { parseExpression } from '../../src/expr/parse.js';
import { standardFunctions } from '../../src/expr/functions/index.js';
import { ev } from './support.js';

function errorOf(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
}

describe('evaluate', () => {
  it('returns literal strings as-is and unescapes [[', () => {
    const ctx = { functions: library(standardFunctions) };
    expect(evaluateString('no expression here', ctx)).toBe('no expression here');
    expect(evaluateString("[[concat('a')]", ctx)).toBe("[concat('a')]");
  });

  it('looks functions up case-insensitively', () => {
    expect(ev("[TOLOWER('ABC')]")).toBe('abc');
    expect(ev("[ToUpper('abc')]")).toBe('ABC');
  });

  it('reads properties and indexes case-insensitively', () => {
    const parameters = { settings: { KeySource: 'Microsoft.KeyVault', list: [10, 20] } };
    expect(ev("[parameters('settings').keySource]", parameters)).toBe('Microsoft.KeyVault');
    expect(ev("[parameters('settings')['KEYSOURCE']]", parameters)).toBe('Microsoft.KeyVault');
    expect(ev("[parameters('settings').list[1]]", parameters)).toBe(20);
  });

  it('reports a missing property as ARM does, pointing at the access', () => {
    const error = errorOf(() => ev("[parameters('o').missing]", { o: { a: 1 } }));
    expect(error.reason).toMatch(/The language expression property 'missing' doesn't exist/);
    expect(error.expression).toBe("[parameters('o').missing]");
    expect(error.offset).toBe(1);
    expect(isUserError(error)).toBe(true);
  });

  it('reports an unknown function with its offset', () => {
    const error = errorOf(() => ev("[concat('a', foo('b'))]"));
    expect(error.reason).toBe("The template function 'foo' is not valid.");
    expect(error.offset).toBe(13);
    expect(error.message).toContain("[concat('a', foo('b'))]");
  });

  it('reports wrong argument counts', () => {
    expect(errorOf(() => ev("[toLower('a', 'b')]")).reason).toBe(
      "The template function 'toLower' takes 1 argument(s) but is given 2."
    );
    expect(errorOf(() => ev('[substring()]')).reason).toMatch(/takes 1 to 3 argument\(s\) but is given 0/);
    expect(errorOf(() => ev('[guid()]')).reason).toMatch(/takes at least 1 argument/);
  });

  it('reports wrong argument types at the call', () => {
    const error = errorOf(() => ev("[concat('a', toLower(1))]"));
    expect(error.reason).toBe(
      "The template function 'toLower' expects its first argument to be a string, but it is an integer."
    );
    expect(error.offset).toBe(13);
  });

  it('reports out-of-range indexes', () => {
    expect(errorOf(() => ev('[createArray(1, 2)[2]]')).reason).toMatch(/index '2' is out of bounds/);
  });

  it('places an error in a file with at()', () => {
    const error = errorOf(() => ev('[foo()]')).at({ file: 'main.json', line: 3, column: 5 });
    expect(error.describe()).toMatch(/^main\.json:3:5: The template function 'foo' is not valid\./);
  });

  it('evaluates a parsed tree many times without re-parsing', () => {
    const expr = parseExpression("[concat(parameters('p'), '-', string(add(1, 2)))]");
    const functions = library(standardFunctions, [
      defineFunction({ name: 'parameters', minArgs: 1, maxArgs: 1, call: (_args, ctx) => ctx.data as string })
    ]);
    for (const name of ['a', 'b']) expect(evaluate(expr, { functions, data: name })).toBe(`${name}-3`);
  });

  it('lets later library parts override earlier ones', () => {
    const functions = library(standardFunctions, [
      defineFunction({ name: 'toLower', minArgs: 1, maxArgs: 1, call: () => 'overridden' })
    ]);
    expect(evaluateString("[tolower('A')]", { functions })).toBe('overridden');
  });
});

describe('unknown values', () => {
  const missing = "parameters('keySource')";

  it('propagates through eager functions, naming the function and the reason', () => {
    const value = ev(`[toLower(${missing})]`);
    expect(isUnknown(value)).toBe(true);
    expect((value as Unknown).reason).toBe("parameter 'keySource' has no value (via toLower)");
    const nested = ev(`[concat('x', toLower(${missing}))]`) as Unknown;
    expect(nested.reason).toBe("parameter 'keySource' has no value (via toLower, concat)");
  });

  it('gives equal keys to equal computations and different keys to different ones', () => {
    const a = ev(`[toLower(${missing})]`) as Unknown;
    const b = ev(`[toLower(${missing})]`) as Unknown;
    const c = ev(`[toUpper(${missing})]`) as Unknown;
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(c.key);
    expect((ev(`[concat('a', ${missing})]`) as Unknown).key).not.toBe((ev(`[concat('b', ${missing})]`) as Unknown).key);
  });

  it('extends the key on property access of an unknown', () => {
    const first = ev("[parameters('ref').identity.principalId]") as Unknown;
    const second = ev("[parameters('ref')['identity'].principalId]") as Unknown;
    expect(first.key).toBe("parameters('ref').identity.principalId");
    expect(second.key).toBe(first.key);
    expect(first.reason).toBe("parameter 'ref' has no value");
    expect(getProperty(new Unknown('r', 'k'), 'x')).toEqual(new Unknown('r', 'k.x'));
  });

  it('reads known parts of containers holding unknowns', () => {
    const parameters = { o: { known: 'yes', hidden: new Unknown('secret', 's') } };
    expect(ev("[parameters('o').known]", parameters)).toBe('yes');
    expect(ev("[length(createArray(1, parameters('x')))]")).toBe(2);
    expect(ev("[empty(createArray(parameters('x')))]")).toBe(false);
    expect(ev("[contains(createObject('a', parameters('x')), 'A')]")).toBe(true);
    expect(ev("[contains(createArray('a', parameters('x')), 'a')]")).toBe(true);
    expect(isUnknown(ev("[contains(createArray('a', parameters('x')), 'b')]"))).toBe(true);
  });

  it('builds structures holding unknowns', () => {
    const array = ev("[concat(createArray(1), createArray(parameters('x')))]") as unknown[];
    expect(array[0]).toBe(1);
    expect(isUnknown(array[1])).toBe(true);
    const merged = ev("[union(createObject('a', 1), createObject('b', parameters('x')))]") as Record<string, unknown>;
    expect(merged.a).toBe(1);
    expect(isUnknown(merged.b)).toBe(true);
  });

  it('and/or decide when a known argument settles them', () => {
    expect(ev(`[and(equals(${missing}, 'x'), false())]`)).toBe(false);
    expect(ev(`[or(true(), equals(${missing}, 'x'))]`)).toBe(true);
    expect(isUnknown(ev(`[and(equals(${missing}, 'x'), true())]`))).toBe(true);
  });

  it('if with an unknown condition is known only when both branches agree', () => {
    expect(ev(`[if(equals(${missing}, 'a'), 'same', 'same')]`)).toBe('same');
    const value = ev(`[if(equals(${missing}, 'a'), 'one', 'two')]`) as Unknown;
    expect(isUnknown(value)).toBe(true);
    expect(value.reason).toBe("parameter 'keySource' has no value (via equals, if)");
  });

  it('coalesce returns a known non-null first value, and is unknown when an unknown comes first', () => {
    expect(ev(`[coalesce(null(), 'x', ${missing})]`)).toBe('x');
    expect(isUnknown(ev(`[coalesce(${missing}, 'x')]`))).toBe(true);
  });

  it('never turns an unknown into a concrete string', () => {
    expect(isUnknown(ev("[join(createArray('a', parameters('x')), ',')]"))).toBe(true);
    expect(isUnknown(ev("[string(createObject('a', parameters('x')))]"))).toBe(true);
    expect(isUnknown(ev("[concat('a', parameters('x'))]"))).toBe(true);
  });

  it('equals is false when a known part already differs', () => {
    expect(ev("[equals(createArray(1, parameters('x')), createArray(2, parameters('x')))]")).toBe(false);
    expect(isUnknown(ev("[equals(createArray(1, parameters('x')), createArray(1, 2))]"))).toBe(true);
  });
});
