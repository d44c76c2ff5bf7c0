import { describe, expect, it } from '@jest/globals';
import { ev } from '../support.js';

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison
describe('comparison functions', () => {
  it('coalesce returns the first non-null value', () => {
    expect(ev("[coalesce(null(), null(), 'default')]")).toBe('default');
    expect(ev('[coalesce(null(), createArray(1))]')).toEqual([1]);
    expect(ev('[empty(coalesce(null(), null()))]')).toBe(true);
  });

  it('equals compares deeply and case-sensitively', () => {
    expect(ev('[equals(1, 1)]')).toBe(true);
    expect(ev("[equals(createArray('a', 'b'), createArray('a', 'b'))]")).toBe(true);
    expect(ev("[equals(createObject('a', 'b'), createObject('a', 'b'))]")).toBe(true);
    expect(ev("[equals('a', 'A')]")).toBe(false);
    expect(ev('[not(equals(1, 2))]')).toBe(true);
  });

  it("greater/less compare integers, and strings in culture order (greater('A', 'a') is True)", () => {
    expect(ev('[greater(1, 2)]')).toBe(false);
    expect(ev("[greater('A', 'a')]")).toBe(true);
    expect(ev('[greaterOrEquals(1, 2)]')).toBe(false);
    expect(ev("[greaterOrEquals('A', 'a')]")).toBe(true);
    expect(ev('[less(1, 2)]')).toBe(true);
    expect(ev("[less('A', 'a')]")).toBe(false);
    expect(ev('[lessOrEquals(1, 2)]')).toBe(true);
    expect(ev("[lessOrEquals('A', 'a')]")).toBe(false);
    expect(() => ev("[less(1, 'a')]")).toThrow(/second argument to be an integer/);
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical
describe('logical functions', () => {
  it('and, or, not, bool, true, false', () => {
    expect(ev('[and(bool(1), bool(0))]')).toBe(false);
    expect(ev('[or(bool(1), bool(0))]')).toBe(true);
    expect(ev('[not(bool(1))]')).toBe(false);
    expect(ev("[bool('true')]")).toBe(true);
    expect(ev("[bool('False')]")).toBe(false);
    expect(ev('[true()]')).toBe(true);
    expect(ev('[false()]')).toBe(false);
    expect(() => ev("[and(true(), 'x')]")).toThrow(/second argument to be a boolean/);
  });

  it('if evaluates only the chosen branch', () => {
    expect(ev("[if(equals('a', 'a'), 'yes', 'no')]")).toBe('yes');
    expect(ev("[if(true(), 'fine', noSuchFunction())]")).toBe('fine');
    expect(() => ev("[if(false(), 'fine', noSuchFunction())]")).toThrow(/'noSuchFunction' is not valid/);
    expect(() => ev("[if('x', 1, 2)]")).toThrow(/to be a boolean/);
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric
describe('numeric functions', () => {
  it('add, sub, mul, div, mod', () => {
    expect(ev('[add(5, 3)]')).toBe(8);
    expect(ev('[sub(7, 3)]')).toBe(4);
    expect(ev('[mul(5, 3)]')).toBe(15);
    expect(ev('[div(8, 3)]')).toBe(2);
    expect(ev('[div(-8, 3)]')).toBe(-2);
    expect(ev('[mod(7, 3)]')).toBe(1);
    expect(() => ev('[div(1, 0)]')).toThrow(/divide by zero/);
  });

  it('int and float convert', () => {
    expect(ev("[int('4')]")).toBe(4);
    expect(ev("[float('1.5')]")).toBe(1.5);
    expect(() => ev("[int('x')]")).toThrow(/cannot convert 'x'/);
  });
});
