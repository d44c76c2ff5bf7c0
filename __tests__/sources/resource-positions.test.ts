import fc from 'fast-check';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';
import type { Json, Value } from '../../src/model/value.js';
import { joinPointer } from '../../src/model/pointer.js';
import type { Resource } from '../../src/model/resource.js';

/**
 * A resource's positions are found when a finding asks for them, for the members written out as
 * declared; recording every value's position as it is written (`recordAllPositions`) is the
 * reference. Both must give the same position for every pointer, in any case, through copy
 * arrays, expression keys, values an expression gives and pointers that name nothing. (Two keys of
 * one object that differ only in case are refused before positions are asked: security/arm-names.)
 */

/** The members of `members` whose names no earlier member has in another case. */
function caseUnique<T>(members: { [key: string]: T }): { [key: string]: T } {
  const seen = new Set<string>();
  return Object.fromEntries(
    Object.entries(members).filter(([key]) => !seen.has(key.toLowerCase()) && seen.add(key.toLowerCase()))
  );
}

// No 'A': "[concat('a')]" makes 'a', and two names that differ only in case are refused.
const keys = fc.constantFrom(
  'a',
  'b',
  'x/y',
  't~0',
  'ǅ',
  'ΑΣ',
  'ας',
  "[concat('a')]",
  "[concat('k', string(copyIndex()))]",
  '[[literal]',
  'name',
  '0'
);

const value: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Json>(
      null,
      true,
      3,
      'plain',
      "[parameters('obj')]",
      "[parameters('list')]",
      '[copyIndex()]',
      '[[not an expression]',
      "[json('null')]"
    ),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 4 }).map(caseUnique),
    fc
      .array(
        fc.record({
          name: fc.constantFrom('a', 'items', 'b'),
          count: fc.nat({ max: 3 }),
          input: tie('value')
        }),
        { minLength: 1, maxLength: 2 }
      )
      .chain(copy =>
        fc
          .tuple(fc.dictionary(keys, tie('value'), { maxKeys: 2 }), fc.constantFrom('copy', 'Copy'))
          .map(([rest, key]) => {
            // A property copy loop makes a member named after it: leave out members of that name in any case.
            const made = new Set(copy.map(loop => loop.name.toLowerCase()));
            const others = Object.entries(caseUnique(rest)).filter(([name]) => !made.has(name.toLowerCase()));
            return { ...Object.fromEntries(others), [key]: copy };
          })
      )
  )
})).value;

const resource = fc.record({
  members: fc.dictionary(fc.constantFrom('properties', 'tags', 'sku', 'identity', 'kind', 'zones'), value, {
    maxKeys: 4
  })
});

const template = fc.array(resource, { minLength: 1, maxLength: 3 }).map(resources => ({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: {
    obj: { type: 'object', defaultValue: { p: { q: 1 }, r: [1, 2] } },
    list: { type: 'array', defaultValue: [{ a: 1 }, 'two'] }
  },
  resources: resources.map((r, i) => ({
    type: 'Microsoft.Test/things',
    apiVersion: '2024-01-01',
    // In a copy loop, so that `copyIndex()` is valid anywhere in it.
    name: `[concat('r${i}-', copyIndex())]`,
    copy: { name: `loop${i}`, count: 2 },
    ...r.members
  }))
}));

/** Every pointer into a value, in its own spelling. */
function pointersOf(v: Value, base = '', into: string[] = []): string[] {
  into.push(base);
  if (Array.isArray(v)) v.forEach((item, i) => pointersOf(item, joinPointer(base, i), into));
  else if (v !== null && typeof v === 'object' && !('reason' in v))
    for (const [k, inner] of Object.entries(v)) pointersOf(inner as Value, joinPointer(base, k), into);
  return into;
}

function targetsOf(r: Resource, declared: Json): string[] {
  const more = new Set<string>(['', 'properties', '/', '//', '/name/x', '/type']);
  for (const p of new Set([...pointersOf(r.json), ...pointersOf(declared)])) {
    for (const variant of [p, p.toUpperCase(), p + '/0', p + '/zz']) more.add(variant);
  }
  return [...more];
}

describe('resource positions found when asked equal those recorded as values are written', () => {
  test('for every pointer of random resources (copy arrays, expression keys, case variants)', () => {
    fc.assert(
      fc.property(template, fc.constantFrom(0, 2, '\t'), (doc, indent) => {
        const text = JSON.stringify(doc, null, indent);
        const expand = (recordAllPositions: boolean) =>
          expandTemplateDocument(parseJsonWithPositions(text, '/repo/main.json'), { recordAllPositions });
        const lazy = expand(false);
        const eager = expand(true);
        expect(lazy.errors).toEqual(eager.errors);
        expect(lazy.resources.map(r => r.json)).toEqual(eager.resources.map(r => r.json));
        lazy.resources.forEach((r, i) => {
          const declared = doc.resources[Math.min(Number(/^r(\d+)/.exec(r.name)![1]), doc.resources.length - 1)];
          for (const target of targetsOf(r, declared as unknown as Json)) {
            expect([target, r.positionOf!(target)]).toEqual([target, eager.resources[i].positionOf!(target)]);
          }
        });
      }),
      { numRuns: 100 }
    );
  });
});
