import { describe, expect, it } from '@jest/globals';
import { isUnknown } from '../../../src/model/value.js';
import { ev } from '../support.js';

// Functions Bicep compiles to that ARM's documentation of template functions does not list yet; their
// meaning is the description Bicep gives them (Bicep.Core/Semantics/Namespaces/SystemNamespaceType.cs).
// Found in Azure/bicep's compiled sample baselines (Functions_LF) and in Azure Verified Modules.
describe('functions Bicep compiles to', () => {
  it('like matches a whole string with * for any run of characters, ignoring case', () => {
    expect(ev("[like('abc', 'abc')]")).toBe(true);
    expect(ev("[like('abcdef', 'a*c*')]")).toBe(true);
    expect(ev("[like('aXbYa', 'a*b*a')]")).toBe(true);
    expect(ev("[like('ABCDEF', 'abc*')]")).toBe(true);
    expect(ev("[like('abcdef', 'abc')]")).toBe(false);
    expect(ev("[like('abc', 'a*d')]")).toBe(false);
    expect(ev("[like('', '*')]")).toBe(true);
    // Only * is a wildcard: ? and . stand for themselves.
    expect(ev("[like('a.c', 'a.c')]")).toBe(true);
    expect(ev("[like('abc', 'a.c')]")).toBe(false);
    expect(ev("[like('abc', 'a?c')]")).toBe(false);
    expect(() => ev("[like(1, 'a')]")).toThrow(/like/);
  });

  it('like on a long input with many wildcards does as much work as input × pattern', () => {
    const input = 'a'.repeat(20_000);
    expect(ev(`[like('${input}', '${'*a'.repeat(30)}*b')]`)).toBe(false);
  });

  it('distinct removes repeated items, keeping the first of each in order', () => {
    expect(ev("[distinct(createArray('a', 'b', 'a', 'c', 'b'))]")).toEqual(['a', 'b', 'c']);
    expect(ev("[distinct(createArray(createObject('k', 1), createObject('k', 1), 1, 1))]")).toEqual([{ k: 1 }, 1]);
    expect(ev('[distinct(createArray())]')).toEqual([]);
    // An unknown item could equal any other.
    expect(isUnknown(ev("[distinct(createArray('a', parameters('x')))]"))).toBe(true);
  });

  it('fail fails the expression with its message, only where it is evaluated', () => {
    expect(() => ev("[fail('Managed HSM CMK encryption requires a key version.')]")).toThrow(
      /The template fails the deployment here: Managed HSM CMK encryption requires a key version\./
    );
    expect(ev("[coalesce('kv-1', fail('give a key vault'))]")).toBe('kv-1');
    expect(ev("[if(true(), 'fine', fail('never'))]")).toBe('fine');
    expect(() => ev("[if(false(), 'fine', fail('wrong'))]")).toThrow(/fails the deployment here: wrong/);
  });
});
