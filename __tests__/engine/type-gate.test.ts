/**
 * The type gate: a resource of a type the `if` never holds for is answered from its type alone,
 * with the same evaluation the whole condition gives; property names still match case-insensitively
 * when a lookup skips keys by length.
 */
import fc from 'fast-check';
import { loadDefinition, typeGate } from '../../src/engine/definition.js';
import { getKey } from '../../src/engine/values.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

describe('typeGate', () => {
  it('reads literal type conditions through allOf and anyOf', () => {
    expect(typeGate({ field: 'type', equals: 'Microsoft.KeyVault/vaults' })).toEqual(
      new Set(['microsoft.keyvault/vaults'])
    );
    expect(
      typeGate({
        allOf: [
          { field: 'kind', equals: 'OpenAI' },
          { field: 'Type', in: ['A/b', 'C/d'] }
        ]
      })
    ).toEqual(new Set(['a/b', 'c/d']));
    expect(
      typeGate({
        anyOf: [
          { field: 'type', equals: 'A/b' },
          {
            allOf: [
              { field: 'type', equals: 'C/d' },
              { field: 'name', like: 'x*' }
            ]
          }
        ]
      })
    ).toEqual(new Set(['a/b', 'c/d']));
  });
  it('decides nothing where the shape does not say (not, expressions, a branch without a type, other operators)', () => {
    expect(typeGate({ not: { field: 'type', equals: 'A/b' } })).toBeNull();
    expect(typeGate({ field: 'type', equals: "[parameters('type')]" })).toBeNull();
    expect(
      typeGate({
        anyOf: [
          { field: 'type', equals: 'A/b' },
          { field: 'kind', equals: 'x' }
        ]
      })
    ).toBeNull();
    expect(typeGate({ field: 'type', like: 'A/*' })).toBeNull();
    expect(typeGate({ field: 'type', in: [] })).toBeNull();
    expect(typeGate({ allOf: [] })).toBeNull();
  });
});

// Also a type that lower-cases longer (İ is i and a combining dot): a gate lets it through where its
// `equals` compares lengths first.
const types = [
  'Microsoft.KeyVault/vaults',
  'microsoft.keyvault/VAULTS',
  'Microsoft.Storage/storageAccounts',
  'A/b',
  'A/bİ',
  'a/bi\u0307'
];
const typeCondition = fc.oneof(
  fc.constantFrom(...types).map(t => ({ field: 'type', equals: t })),
  fc.subarray(types, { minLength: 1 }).map(list => ({ field: 'type', in: list }))
);
const otherCondition = fc.oneof(
  fc.constantFrom('OpenAI', 'x').map(k => ({ field: 'kind', equals: k })),
  fc.constantFrom(true, false).map(e => ({ field: 'tags.env', exists: e }))
);
type Condition = { [key: string]: Value };
const condition: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>(tie => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    typeCondition,
    otherCondition,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map(items => ({ allOf: items })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map(items => ({ anyOf: items })),
    tie('node').map(inner => ({ not: inner }))
  )
})).node;

describe('a gated definition', () => {
  it('evaluates every resource as the same condition without a gate does', () => {
    const definition = (rule: Condition, effect: string) =>
      loadDefinition({
        file: null,
        json: {
          properties: {
            mode: 'All',
            policyRule: { if: rule, then: effect === 'Audit' ? { effect } : { effect, details: { type: 'A/b' } } }
          }
        }
      });
    fc.assert(
      fc.property(
        condition,
        fc.constantFrom('Audit', 'AuditIfNotExists'),
        fc.constantFrom(...types, 'Microsoft.Web/sites'),
        fc.constantFrom('OpenAI', 'x', undefined),
        fc.boolean(),
        (rule, effect, type, kind, enabled) => {
          const gated = definition(rule, effect);
          // `not` twice means the same and hides the type conditions from the gate.
          const ungated = definition({ not: { not: rule } }, effect);
          const resource = armResource({
            name: 'r',
            type,
            ...(kind ? { kind } : {}),
            location: 'westeurope',
            ...(enabled ? { tags: { env: 'prod' } } : {})
          });
          const strip = (e: ReturnType<typeof gated.evaluate>) => ({
            applicable: e.applicable,
            verdict: e.verdict,
            effect: e.effect,
            message: e.message
          });
          expect(strip(gated.evaluate(resource))).toEqual(strip(ungated.evaluate(resource)));
        }
      ),
      { numRuns: 300 }
    );
  });
});

describe('getKey', () => {
  it("finds a property whatever its case, as .NET's ordinal ignore-case comparison does", () => {
    // The Kelvin sign (U+212A) is not k to .NET, though it lower-cases to k; İ keeps its length.
    const letters = fc.constantFrom('a', 'B', 'k', 'K', '\u212a', 'İ', 'i', '\u0307', 'ß', 'ı', 'I');
    const key = fc.array(letters, { minLength: 1, maxLength: 4 }).map(a => a.join(''));
    const upper = (c: string) => (c === 'ı' || c.toUpperCase().length !== 1 ? c : c.toUpperCase());
    const ordinalIgnoreCase = (a: string, b: string) =>
      a.length === b.length && [...a].every((c, i) => upper(c) === upper(b[i]));
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 5 }), key, (keys, wanted) => {
        const obj: { [key: string]: Value } = {};
        keys.forEach((k, i) => (obj[k] = i));
        const found = Object.prototype.hasOwnProperty.call(obj, wanted)
          ? wanted
          : Object.keys(obj).find(k => ordinalIgnoreCase(k, wanted));
        const expected = found === undefined ? undefined : obj[found];
        expect(getKey(obj, wanted)).toEqual(expected);
      }),
      { numRuns: 300 }
    );
  });
});
