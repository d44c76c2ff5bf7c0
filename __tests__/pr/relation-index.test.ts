/**
 * Relation rules look their targets up in indexes instead of scanning every candidate per
 * subject. The indexes must answer exactly what the scan answered: the first candidate that
 * `names` accepts, and the role assignments whose scope the target's id starts with, in order.
 */
import fc from 'fast-check';
import type { Resource } from '../../src/model/resource.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { lookup, names, RoleAssignments, skeleton, TargetIndex } from '../../src/pr/relation.js';

const POINTERS = ['/properties/vaultUri', '/id', '/properties/keyUri'];

/** Ids that collide in every way `names` compares: case, scope before `/providers/`, a `)` inside. */
const idArb = fc
  .tuple(
    fc.constantFrom('/subscriptions/s/resourceGroups/rg', '/subscriptions/S/resourcegroups/other', ''),
    fc.constantFrom('/providers/Microsoft.KeyVault/vaults/', '/PROVIDERS/microsoft.keyvault/VAULTS/'),
    fc.constantFrom('kv1', 'KV1', 'kv2', 'kv)1', 'kv')
  )
  .map(([scope, provider, name]) => `${scope}${provider}${name}`);

const textArb = fc.constantFrom(
  'https://kv1.vault.azure.net',
  'https://KV1.vault.azure.net/',
  'https://kv1.vault.azure.net//',
  'https://kv2.vault.azure.net/',
  ''
);

/** What a subject or a target may hold at a pointer: text, nothing, an object, or values unknown before deployment. */
function valueArb(ids: string[]): fc.Arbitrary<Value | undefined> {
  const id = ids.length ? fc.constantFrom(...ids) : idArb;
  return fc.oneof(
    textArb,
    fc.constant(undefined),
    fc.constant(null),
    fc.constant({ a: 1 }),
    fc.constant(7),
    fc
      .tuple(id, fc.constantFrom('vaultUri', 'properties.vaultUri', 'id', 'keyUri'))
      .map(([ref, path]) => new Unknown('a reference', `reference(${ref}, '2023-07-01').${path}`)),
    fc
      .tuple(id, fc.constantFrom('', '.vaultUri'))
      .map(
        ([ref, path]) => new Unknown('computed', `if(endsWith(reference(${ref.toLowerCase()})${path}, '/'), 'x', 'y')`)
      ),
    fc.constantFrom(new Unknown('a parameter', 'parameters(vaultUri)'), new Unknown('other', 'PARAMETERS(vaultUri)'))
  );
}

function vaultArb(): fc.Arbitrary<Resource> {
  return fc
    .tuple(idArb, fc.constantFrom('Microsoft.KeyVault/vaults', 'microsoft.keyvault/vaults'), valueArb([]), valueArb([]))
    .map(([id, type, vaultUri, keyUri]) => {
      const properties: Record<string, Value> = {};
      if (vaultUri !== undefined) properties.vaultUri = vaultUri;
      if (keyUri !== undefined) properties.keyUri = keyUri;
      const name = id.slice(id.lastIndexOf('/') + 1);
      return { id, type, name, json: { name, type, properties }, source: null, origin: 'template' as const };
    });
}

describe('TargetIndex', () => {
  it('finds the first candidate that names() accepts, for any value and pointer', () => {
    fc.assert(
      fc.property(
        fc
          .array(vaultArb(), { maxLength: 8 })
          .chain(candidates =>
            fc.tuple(
              fc.constant(candidates),
              fc.constantFrom(...POINTERS),
              fc.array(valueArb(candidates.map(c => c.id)), { minLength: 1, maxLength: 6 })
            )
          ),
        ([candidates, pointer, values]) => {
          const index = new TargetIndex(candidates, pointer);
          for (const value of values) {
            expect(index.find(value)).toBe(candidates.find(c => names(value, c, pointer)));
          }
        }
      ),
      { numRuns: 400 }
    );
  });

  it('finds vaults by their derived vaultUri and by id, as the scan did', () => {
    const vault = (name: string): Resource => ({
      id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/${name}`,
      type: 'Microsoft.KeyVault/vaults',
      name,
      json: { properties: {} },
      source: null,
      origin: 'template'
    });
    const candidates = [vault('a'), vault('b')];
    expect(new TargetIndex(candidates, '/properties/vaultUri').find('https://B.vault.azure.net')).toBe(candidates[1]);
    expect(new TargetIndex(candidates, '/id').find(candidates[0].id.toUpperCase())).toBe(candidates[0]);
    expect(new TargetIndex(candidates, '/id').find('https://c.vault.azure.net')).toBeUndefined();
  });
});

describe('RoleAssignments', () => {
  it('gives the assignments whose scope the id starts with, in the order they were given', () => {
    const scopeArb = fc.constantFrom(
      '/subscriptions/s',
      '/subscriptions/S/resourceGroups/rg',
      '/subscriptions/s/resourcegroups/rg2',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv'
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(scopeArb, fc.nat(9)), { maxLength: 12 }), scopeArb, (made, target) => {
        const assignments: Resource[] = made.map(([scope, n]) => ({
          id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${n}`,
          type: 'Microsoft.Authorization/roleAssignments',
          name: String(n),
          json: {},
          source: null,
          origin: 'template'
        }));
        const id = target.toLowerCase();
        const scanned = assignments.filter(a =>
          id.startsWith(
            a.id.replace(/\/providers\/microsoft\.authorization\/roleassignments\/[^/]+$/i, '').toLowerCase()
          )
        );
        expect(new RoleAssignments(assignments).over(id)).toEqual(scanned);
      }),
      { numRuns: 300 }
    );
  });
});

describe('skeleton', () => {
  /** Keys that collide in case, objects, arrays, unknowns and scalars, nested a few levels. */
  const keyArb = fc.constantFrom('properties', 'Properties', 'vaultUri', 'VAULTURI', 'a', 'b', 'id');
  const leafArb: fc.Arbitrary<Value> = fc.oneof(
    fc.constantFrom('x', '', 'https://kv1.vault.azure.net/', null, 3, true, [1, 2], []),
    fc.constant(new Unknown('a parameter', 'parameters(p)'))
  );
  const jsonArb = fc.letrec<{ node: Value }>(tie => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb,
      fc.dictionary(keyArb, tie('node'), { maxKeys: 4 }).map(entries => entries as Value)
    )
  })).node;
  const pointerArb = fc
    .array(fc.constantFrom('properties', 'vaultUri', 'vaulturi', 'a', 'b', 'id', '0'), { minLength: 1, maxLength: 4 })
    .map(segments => `/${segments.join('/')}`);

  it('answers every pointer it was made for as the resource does, without changing the resource', () => {
    fc.assert(
      fc.property(
        jsonArb,
        fc.array(pointerArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('Microsoft.KeyVault/vaults', 'Microsoft.Storage/storageAccounts'),
        (json, pointers, type) => {
          const resource: Resource = {
            id: '/subscriptions/s/providers/x/kv1',
            type,
            name: 'kv1',
            json: (json !== null && typeof json === 'object' && !Array.isArray(json) && !(json instanceof Unknown)
              ? json
              : { value: json }) as { [key: string]: Value },
            source: null,
            origin: 'snapshot'
          };
          const before = JSON.stringify(resource.json);
          const kept = skeleton(resource, pointers);
          for (const pointer of pointers) expect(lookup(kept, pointer)).toEqual(lookup(resource, pointer));
          // Made without writing into the resource.
          expect(JSON.stringify(resource.json)).toBe(before);
          expect([kept.id, kept.type, kept.name]).toEqual([resource.id, resource.type, resource.name]);
        }
      ),
      {
        numRuns: 300,
        // A deeper pointer first, then the value it goes through: the value is kept whole, not as the part.
        examples: [[{ vaultUri: { properties: 'x' } }, ['/vaulturi/a', '/vaultUri'], 'Microsoft.KeyVault/vaults']]
      }
    );
  });
});
