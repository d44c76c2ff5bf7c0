import { describe, expect, it } from '@jest/globals';
import { ev } from '../support.js';

// Documented examples not covered by the per-family suites; each names the page it comes from.

describe('date functions (documented month and year arithmetic)', () => {
  // https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions-date#datetimeadd
  // "dateTimeAdd('2023-01-31 00:00:00Z', 'P1M') returns 2023-03-02T00:00:00Z, not 2023-02-28";
  // from 2024-01-31 it is 2024-03-01 because 2024 is a leap year.
  it('adds one month to January 31 as the documentation shows', () => {
    const iso = `'yyyy-MM-ddTHH:mm:ssZ'`;
    expect(ev(`[dateTimeAdd('2023-01-31 00:00:00Z', 'P1M', ${iso})]`)).toBe('2023-03-02T00:00:00Z');
    expect(ev(`[dateTimeAdd('2024-01-31 00:00:00Z', 'P1M', ${iso})]`)).toBe('2024-03-01T00:00:00Z');
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#datetimeadd
  // (deployed with a base time of 2020-04-07 14:53:14Z). The page shows the values as the portal
  // renders them ("4/7/2023 2:53:14 PM", and "07.04.2023 14:53:14" in German), so the layout
  // of the answer is not documented there; the instants are.
  it('gives the documented instants for P3Y, -P9D and PT1H', () => {
    const base = '2020-04-07 14:53:14Z';
    const at = (duration: string) => ev(`[dateTimeAdd('${base}', '${duration}', 'o')]`);
    expect(at('P3Y')).toBe('2023-04-07T14:53:14.0000000Z');
    expect(at('-P9D')).toBe('2020-03-29T14:53:14.0000000Z');
    expect(at('PT1H')).toBe('2020-04-07T15:53:14.0000000Z');
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#datetimefromepoch
  it('round-trips the documented epoch example', () => {
    expect(ev("[dateTimeFromEpoch(dateTimeToEpoch('2023-05-02T15:16:13Z'))]")).toBe('2023-05-02T15:16:13Z');
  });
});

describe('json and base64ToJson read JSON as ARM does', () => {
  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#base64tojson
  // The example encodes "{'one': 'a', 'two': 'b'}" and documents {"one": "a", "two": "b"}.
  it('accepts single-quoted strings, as the documented base64ToJson example does', () => {
    expect(ev("[base64ToJson(base64('{''one'': ''a'', ''two'': ''b''}'))]")).toEqual({ one: 'a', two: 'b' });
    expect(ev(`[json('{''a'': ''it\\''s "quoted"'', "b": [''x'']}')]`)).toEqual({ a: `it's "quoted"`, b: ['x'] });
    expect(() => ev("[json('{''a'': ''open}')]")).toThrow(/not valid JSON/);
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#json
  it('gives the documented outputs for null, objects, strings, booleans, integers and arrays', () => {
    expect(ev("[empty(json('null'))]")).toBe(true);
    expect(ev(`[json('{"a": "b"}')]`)).toEqual({ a: 'b' });
    expect(ev(`[json('"test"')]`)).toBe('test');
    expect(ev("[json('true')]")).toBe(true);
    expect(ev("[json('3')]")).toBe(3);
    expect(ev("[json('[1,2,3 ]')]")).toEqual([1, 2, 3]);
    expect(ev(`[json(concat('{"a": "', 'demo value', '"}'))]`)).toEqual({ a: 'demo value' });
  });
});

describe('union merges objects deeply but not arrays', () => {
  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#union
  // (the "deep merge capability" example).
  it('gives the documented objectOutput and arrayOutput', () => {
    const first =
      "createObject('property', createObject('one', 'a', 'two', 'b', 'three', 'c1'), 'nestedArray', createArray(1, 2))";
    const second =
      "createObject('property', createObject('three', 'c2', 'four', 'd', 'five', 'e'), 'nestedArray', createArray(3, 4))";
    expect(ev(`[union(${first}, ${second})]`)).toEqual({
      property: { one: 'a', two: 'b', three: 'c2', four: 'd', five: 'e' },
      nestedArray: [3, 4]
    });
    expect(
      ev(
        "[union(createArray(createArray('one', 'two'), createArray('three')), createArray(createArray('three'), createArray('four', 'two')))]"
      )
    ).toEqual([['one', 'two'], ['three'], ['four', 'two']]);
  });
});

describe('lambda functions (documented examples)', () => {
  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#filter
  it('filter: isEven', () => {
    expect(ev("[filter(range(0, 10), lambda('i', equals(0, mod(lambdaVariables('i'), 2))))]")).toEqual([0, 2, 4, 6, 8]);
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#reduce
  it('reduce: totalAgeAdd1 and reduceObjectUnion', () => {
    expect(
      ev(
        "[reduce(createArray(5, 3, 2, 8), 1, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]"
      )
    ).toBe(19);
    expect(
      ev(
        "[reduce(createArray(createObject('foo', 123), createObject('bar', 456), createObject('baz', 789)), createObject(), lambda('cur', 'next', union(lambdaVariables('cur'), lambdaVariables('next'))))]"
      )
    ).toEqual({ foo: 123, bar: 456, baz: 789 });
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#map
  it('map: sayHi', () => {
    expect(
      ev("[map(createArray('Evie', 'Casper'), lambda('dog', format('Hello {0}!', lambdaVariables('dog'))))]")
    ).toEqual(['Hello Evie!', 'Hello Casper!']);
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#toobject
  it('toObject with the key lambda only keeps the whole item as the value', () => {
    expect(
      ev(
        "[toObject(createArray(createObject('name', 'Evie', 'age', 5), createObject('name', 'Kira', 'age', 8)), lambda('entry', lambdaVariables('entry').name))]"
      )
    ).toEqual({ Evie: { name: 'Evie', age: 5 }, Kira: { name: 'Kira', age: 8 } });
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
describe('expression syntax (documented)', () => {
  it('property access is case-insensitive and bracket access reads names with hyphens', () => {
    expect(ev("[parameters('user')['user-name']]", { user: { 'user-name': 'Test Person' } })).toBe('Test Person');
    expect(ev("[parameters('user').DisplayName]", { user: { displayName: 'Test Person' } })).toBe('Test Person');
  });

  it('an escaped double quote inside an expression is an ordinary character', () => {
    expect(ev(`[concat('{"abc":"', parameters('demoParam1'), '"}')]`, { demoParam1: 'x' })).toBe('{"abc":"x"}');
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#tryget
// "Returns the value at the key/index if it exists. Returns null if the key/index is missing or
// out of bounds." Bicep's safe dereference (`a.?b[^1]`) compiles to tryGet and tryIndexFromEnd
// with path arguments, an index from the end written as createObject('value', n, 'fromEnd', true()):
// https://learn.microsoft.com/azure/azure-resource-manager/bicep/operator-safe-dereference
describe('tryGet, tryIndexFromEnd and indexFromEnd with the paths Bicep writes', () => {
  const z = "createObject('y', createObject('array', createArray('a', 'b', createObject('foo', 'c'))))";

  it('tryGet follows a path of names and indexes, giving null for a missing step', () => {
    expect(ev(`[tryGet(${z}, 'y', 'array', 1)]`)).toBe('b');
    expect(ev(`[tryGet(${z}, 'y', 'missing', 'deeper')]`)).toBeNull();
    expect(ev(`[tryGet(${z}, 'y', 'array', 7)]`)).toBeNull();
  });

  it('a {value, fromEnd} step counts from the end; {value} alone is a plain index', () => {
    expect(ev(`[tryGet(${z}, 'y', 'array', createObject('value', 1, 'fromEnd', true()), 'foo')]`)).toBe('c');
    expect(ev(`[tryGet(${z}, 'y', 'array', createObject('value', 2, 'fromEnd', true()))]`)).toBe('b');
    expect(ev(`[tryGet(${z}, 'y', 'array', createObject('value', 0))]`)).toBe('a');
    expect(ev(`[tryGet(${z}, 'y', 'array', createObject('value', 4, 'fromEnd', true()))]`)).toBeNull();
  });

  it('tryIndexFromEnd and indexFromEnd take a path after the index', () => {
    expect(ev(`[tryIndexFromEnd(tryGet(${z}, 'y', 'array'), 1, 'foo')]`)).toBe('c');
    expect(ev(`[tryIndexFromEnd(tryGet(${z}, 'y', 'array'), 1, 'bar')]`)).toBeNull();
    expect(ev(`[tryIndexFromEnd(tryGet(${z}, 'y', 'array'), 9, 'foo')]`)).toBeNull();
    expect(ev(`[indexFromEnd(tryGet(${z}, 'y', 'array'), 1, 'foo')]`)).toBe('c');
    // indexFromEnd is a plain access: a missing index or property is an error, as `a[^n].b` is.
    expect(() => ev(`[indexFromEnd(tryGet(${z}, 'y', 'array'), 4)]`)).toThrow(/out of bounds/);
    expect(() => ev(`[indexFromEnd(tryGet(${z}, 'y', 'array'), 1, 'bar')]`)).toThrow(/'bar' doesn't exist/);
  });
});
