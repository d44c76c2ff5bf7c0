/**
 * The generated condition (src/engine/generate.ts) against the compiled closures it replaces on the
 * hot path: the same truth (unknowns by class, reason and key), the same applicability, the same
 * evaluation; and no text from a definition in the generated source.
 */
import { applicabilityCondition } from '../../src/engine/applicability.js';
import { generatedSource } from '../../src/engine/generate.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';
import {
  bothWays,
  checkEvaluations,
  checkTruths,
  compilerFor,
  definitionOf,
  evaluationData,
  hostile
} from './generate-cases.js';

describe('a generated condition', () => {
  it('gives the closures’ truth and applicability for random conditions and resources', () => {
    checkTruths(300, 4);
  });

  it('gives the same evaluations as the closures, in a loaded definition', () => {
    checkEvaluations(300, 4, ['Audit', 'Deny', 'AuditIfNotExists']);
  });

  it('reads a shared prefix once and still tells missing, null and empty apart', () => {
    const rule = {
      anyOf: [
        { field: 'Test.P/things/a', exists: false },
        { field: 'Test.P/things/A.b', equals: '' },
        { field: 'Test.P/things/a.b.c', equals: 'x' },
        { field: 'Test.P/things/a.b.c', exists: false }
      ]
    };
    const cases: [unknown, boolean | string][] = [
      [undefined, true],
      [null, true],
      [{}, true],
      ['', true],
      [{ b: '' }, true],
      [{ B: { c: 'X' } }, true],
      [{ b: { c: 'y' } }, false],
      [{ b: { c: null } }, true],
      [{ b: { C: 'x' } }, true],
      [{ b: { c: new Unknown('reference(k)') } }, 'reference(k)'],
      [new Unknown('reference(a)'), 'reference(a)']
    ];
    for (const [a, expected] of cases) {
      const json = { type: 'Test.P/things', name: 'r', properties: a === undefined ? {} : { a } };
      const both = bothWays(rule, armResource(json as never));
      expect(both).not.toBeNull();
      expect(both?.generated).toEqual(both?.interpreted);
      const truth = both?.generated[0];
      expect(typeof truth === 'boolean' ? truth : (truth as { reason: string }).reason).toEqual(expected);
    }
  });

  it('reads a field after a block that was left before reading it', () => {
    // The anyOf is true at its first branch, so its second never reads `a`; the allOf's second branch must.
    const rule = {
      allOf: [
        {
          anyOf: [
            { field: 'kind', exists: true },
            { field: 'Test.P/things/a', equals: 'x' }
          ]
        },
        { field: 'Test.P/things/a', equals: 'y' }
      ]
    };
    const r = armResource({ type: 'Test.P/things', name: 'r', kind: 'k', properties: { a: 'y' } });
    const both = bothWays(rule, r);
    expect(both?.interpreted).toEqual([true, true, true, true]);
    expect(both?.generated).toEqual(both?.interpreted);
  });

  it('does not apply where the condition is false and whether it applies is unknown', () => {
    // The kind's condition is unknown (a parameter without a value), the other one false.
    const rule = {
      allOf: [
        { field: 'type', equals: 'Test.P/things' },
        { field: 'kind', equals: "[parameters('notGiven')]" },
        { field: 'Test.P/things/a', equals: 'never' }
      ]
    };
    const r = armResource({ type: 'Test.P/things', name: 'r', kind: 'k', properties: { a: 'y' } });
    const both = bothWays(rule, r);
    expect(both?.interpreted).toEqual([
      false,
      { unknown: 'Unknown', reason: 'parameter `notGiven`', key: 'parameter:notGiven' },
      false,
      'not applicable'
    ]);
    expect(both?.generated).toEqual(both?.interpreted);
    const generated = definitionOf(rule, 'Audit', false);
    const interpreted = definitionOf(rule, 'Audit', true);
    expect(evaluationData(generated!.evaluate(r))).toEqual(evaluationData(interpreted!.evaluate(r)));
    expect(generated!.evaluate(r).applicable).toBe(false);
  });

  it('shares a prefix by its exact key: two spellings of one key are two reads', () => {
    const rule = {
      anyOf: [
        { field: 'Test.P/things/a.b.c', equals: 'x' },
        { field: 'Test.P/things/upper', equals: 'y' }
      ]
    };
    const json = { type: 'Test.P/things', name: 'r', properties: { a: { b: { c: 'no' } }, A: { B: 'y' } } };
    const both = bothWays(rule, armResource(json));
    expect(both?.interpreted[0]).toBe(true);
    expect(both?.generated).toEqual(both?.interpreted);
  });
});

describe('generated source', () => {
  const rule = {
    allOf: [
      { field: 'type', equals: 'Test.P/things' },
      ...hostile.map(text => ({ field: 'Test.P/things/a', notEquals: text })),
      { field: 'Test.P/things/a', notIn: hostile },
      { field: 'Test.P/things/odd', like: hostile[2] },
      { field: `tags['${hostile[3].replace(/'/g, "''")}']`, exists: false },
      { field: 'Test.P/things/list[*].x', notEquals: hostile[3] },
      { value: hostile[2], notEquals: hostile[1] },
      {
        count: { field: 'Test.P/things/list[*]', where: { field: 'Test.P/things/list[*].x', equals: hostile[5] } },
        equals: 0
      }
    ]
  };

  it('holds no text of the definition: every constant is passed in, not written', () => {
    // The condition with its applicability, as definitions are evaluated.
    const source = generatedSource(rule, 'if', compilerFor(), applicabilityCondition(rule));
    expect(source).toContain('return NA;');
    // The only string literals are the generator's own.
    const literals = source.match(/'[^']*'/g) ?? [];
    const own = ["'use strict'", "'string'", "'object'", "'boolean'", "'number'"];
    for (const literal of literals) expect(own).toContain(literal);
    expect(source.replace(/'(use strict|string|object|boolean|number)'/g, '')).not.toMatch(/["'`\\\u2028\u2029]|\/\*/);
    for (const text of hostile.filter(t => t.length > 2)) expect(source.includes(text)).toBe(false);
  });

  it('evaluates a definition of hostile strings as the closures do, and runs none of them', () => {
    const g = globalThis as { generatedRan?: number };
    delete g.generatedRan;
    const generated = definitionOf(rule, 'Audit', false);
    const interpreted = definitionOf(rule, 'Audit', true);
    expect(generated).not.toBeNull();
    const bodies: { [key: string]: Value }[] = [
      { type: 'Test.P/things', name: 'r', properties: { a: 'y', list: [{ x: 'z' }] } },
      { type: 'Test.P/things', name: 'r', properties: { a: hostile[0] } },
      { type: 'Test.P/things', name: 'r', tags: { [hostile[3]]: 'v' }, properties: { list: [{ x: hostile[5] }] } },
      { type: 'Test.P/things', name: hostile[2], properties: { 'x\u2028y': { z: hostile[2] } } }
    ];
    const resources = bodies.map(json => armResource(json));
    const verdicts = resources.map(r => {
      const e = evaluationData(generated!.evaluate(r));
      expect(e).toEqual(evaluationData(interpreted!.evaluate(r)));
      return (e as { verdict: string }).verdict;
    });
    expect(verdicts).toEqual(['compliant', 'compliant', 'compliant', 'noncompliant']);
    expect(g.generatedRan).toBeUndefined();
  });
});
