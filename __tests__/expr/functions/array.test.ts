import { describe, expect, it } from '@jest/globals';
import { ev } from '../support.js';

// Examples from https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array
// and https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object
describe('array and object functions', () => {
  it('array wraps values', () => {
    expect(ev('[array(1)]')).toEqual([1]);
    expect(ev("[array('efgh')]")).toEqual(['efgh']);
    expect(ev("[array(createObject('a', 'b'))]")).toEqual([{ a: 'b' }]);
  });

  it('concat joins strings or arrays, never both', () => {
    expect(ev("[concat('prefix', '-', 'x')]")).toBe('prefix-x');
    expect(ev("[concat(createArray('1-1', '1-2'), createArray('2-1'))]")).toEqual(['1-1', '1-2', '2-1']);
    expect(() => ev("[concat(createArray(1), 'a')]")).toThrow(/must be arrays/);
  });

  it('contains: strings case-sensitive, object keys case-insensitive', () => {
    expect(ev("[contains('OneTwoThree', 'e')]")).toBe(true);
    expect(ev("[contains('OneTwoThree', 'z')]")).toBe(false);
    expect(ev("[contains('OneTwoThree', 'one')]")).toBe(false);
    expect(ev("[contains(createObject('one', 'a'), 'ONE')]")).toBe(true);
    expect(ev("[contains(createArray('one', 'two'), 'two')]")).toBe(true);
    expect(ev("[contains(createArray('one', 'two'), 'four')]")).toBe(false);
  });

  it('createObject, empty, first, last, length', () => {
    expect(ev("[createObject('intProp', 1, 'arrayProp', createArray('a'))]")).toEqual({ intProp: 1, arrayProp: ['a'] });
    expect(() => ev("[createObject('a')]")).toThrow(/even number/);
    expect(ev('[empty(createArray())]')).toBe(true);
    expect(ev('[empty(createObject())]')).toBe(true);
    expect(ev("[empty('')]")).toBe(true);
    expect(ev("[first(createArray('one', 'two', 'three'))]")).toBe('one');
    expect(ev("[first('One Two Three')]")).toBe('O');
    expect(ev("[last(createArray('one', 'two', 'three'))]")).toBe('three');
    expect(ev("[last('One Two Three')]")).toBe('e');
    expect(ev("[length(createArray('one', 'two', 'three'))]")).toBe(3);
    expect(ev("[length('One Two Three')]")).toBe(13);
    expect(ev("[length(createObject('a', 1, 'b', 2, 'c', 3, 'd', 4))]")).toBe(4);
  });

  it('flatten, intersection, union', () => {
    expect(
      ev("[flatten(createArray(createArray('one', 'two'), createArray('three'), createArray('four', 'five')))]")
    ).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(
      ev(
        "[intersection(createObject('one', 'a', 'two', 'b', 'three', 'c'), createObject('one', 'a', 'two', 'z', 'three', 'c'))]"
      )
    ).toEqual({ one: 'a', three: 'c' });
    expect(ev("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]")).toEqual([
      'two',
      'three'
    ]);
    expect(ev("[union(createArray('one', 'two', 'three'), createArray('three', 'four'))]")).toEqual([
      'one',
      'two',
      'three',
      'four'
    ]);
    expect(
      ev(
        "[union(createObject('one', 'a', 'two', 'b', 'three', 'c1'), createObject('three', 'c2', 'four', 'd', 'five', 'e'))]"
      )
    ).toEqual({ one: 'a', two: 'b', three: 'c2', four: 'd', five: 'e' });
    // Nested objects are merged; nested arrays are not.
    expect(
      ev(
        "[union(createObject('p', createObject('a', 1, 'l', createArray(1))), createObject('p', createObject('b', 2, 'l', createArray(2))))]"
      )
    ).toEqual({ p: { a: 1, b: 2, l: [2] } });
  });

  it('indexOf and lastIndexOf on arrays compare whole items', () => {
    expect(ev("[indexOf(createArray('abc', 'def'), 'def')]")).toBe(1);
    expect(ev("[indexOf(createArray('abc', 'def'), 'DEF')]")).toBe(-1);
    expect(ev('[lastIndexOf(createArray(1, 2, 1), 1)]')).toBe(2);
    expect(ev("[indexOf(createArray(createArray('a')), createArray('a'))]")).toBe(0);
  });

  it('items sorts by key; objectKeys keeps order', () => {
    expect(ev("[items(createObject('item002', 'b', 'item001', 'a'))]")).toEqual([
      { key: 'item001', value: 'a' },
      { key: 'item002', value: 'b' }
    ]);
    expect(ev("[objectKeys(createObject('a', 1, 'b', 2))]")).toEqual(['a', 'b']);
  });

  it('join, range, skip, take', () => {
    expect(ev("[join(createArray('one', 'two', 'three'), ',')]")).toBe('one,two,three');
    expect(ev('[range(1, 5)]')).toEqual([1, 2, 3, 4, 5]);
    expect(() => ev('[range(0, 10001)]')).toThrow(/0 to 10000/);
    expect(ev("[skip(createArray('one', 'two', 'three'), 2)]")).toEqual(['three']);
    expect(ev("[skip('one two three', 4)]")).toBe('two three');
    expect(ev("[take(createArray('one', 'two', 'three'), 2)]")).toEqual(['one', 'two']);
    expect(ev("[take('on two three', 2)]")).toBe('on');
    expect(ev("[take('abc', -1)]")).toBe('');
  });

  it('shallowMerge, tryGet, tryIndexFromEnd', () => {
    expect(
      ev(
        "[shallowMerge(createArray(createObject('one', 'a', 'n', createObject('x', 1)), createObject('two', 'b', 'n', createObject('y', 2))))]"
      )
    ).toEqual({
      one: 'a',
      two: 'b',
      n: { y: 2 }
    });
    expect(ev("[tryGet(createObject('a', createObject('b', 1)), 'a', 'b')]")).toBe(1);
    expect(ev("[tryGet(createObject('a', 1), 'missing')]")).toBeNull();
    expect(ev('[tryGet(createArray(1, 2), 5)]')).toBeNull();
    expect(ev("[tryIndexFromEnd(createArray('a', 'b', 'c'), 1)]")).toBe('c');
    expect(ev("[tryIndexFromEnd(createArray('a'), 3)]")).toBeNull();
  });

  it('max and min take integers or an array', () => {
    expect(ev('[max(0, 3, 2, 5, 4)]')).toBe(5);
    expect(ev('[min(createArray(0, 3, 2, 5, 4))]')).toBe(0);
  });
});
