/**
 * Relation rules look their targets up in indexes instead of scanning every candidate per
 * subject. The indexes must answer exactly what the scan answered: the first candidate that
 * `names` accepts, and the role assignments whose scope the target's id starts with, in order. They keep
 * their texts in hash tables of their own (src/pr/texts.ts): the same answers when every text has one hash
 * and every table starts at two slots, and for names that only ARM's case folding (foldCase) makes equal.
 */
import fc from 'fast-check';
import { foldCase } from '../../src/model/foldCase.js';
import type { Resource } from '../../src/model/resource.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { lookup, names, RoleAssignments, TargetIndex, type TextOptions } from '../../src/pr/relation.js';

/** The tables as they are, and tables where every text collides and that grow from two slots. */
const TABLES: [string, TextOptions | undefined][] = [
  ['hash tables as they are', undefined],
  ['every text of one hash, from two slots, in the arena from the first', { hash: () => 3, capacity: 2, smallTexts: 0 }]
];

const POINTERS = ['/properties/vaultUri', '/id', '/properties/keyUri'];

/** Ids that collide in every way `names` compares: case, scope before `/providers/`, a `)` inside. */
const idArb = fc
  .tuple(
    fc.constantFrom('/subscriptions/s/resourceGroups/rg', '/subscriptions/S/resourcegroups/other', ''),
    fc.constantFrom('/providers/Microsoft.KeyVault/vaults/', '/PROVIDERS/microsoft.keyvault/VAULTS/'),
    // The Kelvin sign and the long s are not k and s to ARM; ω and Ω are one letter; é is Latin-1, ω is not.
    fc.constantFrom(
      'kv1',
      'KV1',
      'kv2',
      'kv)1',
      'kv',
      'kv\u212a',
      'KVK',
      'kvk',
      'kv\u017f',
      'kvs',
      'kv\u03c9',
      'KV\u03a9',
      'kv\u00e9',
      'KV\u00c9'
    )
  )
  .map(([scope, provider, name]) => `${scope}${provider}${name}`);

const textArb = fc.constantFrom(
  'https://kv1.vault.azure.net',
  'https://KV1.vault.azure.net/',
  'https://kv1.vault.azure.net//',
  'https://kv2.vault.azure.net/',
  'https://kv\u212a.vault.azure.net/',
  'https://KVK.vault.azure.net',
  'https://kv\u03c9.vault.azure.net',
  'https://KV\u03a9.vault.azure.net/',
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

describe.each(TABLES)('TargetIndex (%s)', (_, options) => {
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
          const index = new TargetIndex(pointer, candidates, options);
          for (const value of values) {
            expect(index.find(value)).toBe(candidates.find(c => names(value, c, pointer)));
          }
        }
      ),
      { numRuns: 400 }
    );
  });

  it('answers the same when candidates are added between lookups (its maps by id made at the first unknown value)', () => {
    fc.assert(
      fc.property(
        fc
          .array(vaultArb(), { maxLength: 8 })
          .chain(candidates =>
            fc.tuple(
              fc.constant(candidates),
              fc.nat(candidates.length),
              fc.constantFrom(...POINTERS),
              fc.array(valueArb(candidates.map(c => c.id)), { minLength: 1, maxLength: 6 })
            )
          ),
        ([candidates, split, pointer, values]) => {
          // Added with the value at the pointer alone: the index keeps the candidate, not reads it again.
          const index = new TargetIndex<{ id: string }>(pointer, [], options);
          const added: { id: string }[] = [];
          const add = (c: Resource) => {
            added.push({ id: c.id });
            index.add(added[added.length - 1], lookup(c, pointer));
          };
          candidates.slice(0, split).forEach(add);
          const found = (value: Value | undefined, among: Resource[]) => among.findIndex(c => names(value, c, pointer));
          const at = (value: Value | undefined) => {
            const hit = index.find(value);
            return hit === undefined ? -1 : added.indexOf(hit);
          };
          for (const value of values) expect(at(value)).toBe(found(value, candidates.slice(0, split)));
          candidates.slice(split).forEach(add);
          for (const value of values) expect(at(value)).toBe(found(value, candidates));
        }
      ),
      { numRuns: 300 }
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
    expect(new TargetIndex('/properties/vaultUri', candidates, options).find('https://B.vault.azure.net')).toBe(
      candidates[1]
    );
    expect(new TargetIndex('/id', candidates, options).find(candidates[0].id.toUpperCase())).toBe(candidates[0]);
    expect(new TargetIndex('/id', candidates, options).find('https://c.vault.azure.net')).toBeUndefined();
  });
});

describe.each(TABLES)('RoleAssignments (%s)', (_, options) => {
  it('gives the assignments whose scope the id starts with, in the order they were given', () => {
    const scopeArb = fc.constantFrom(
      '/subscriptions/s',
      '/subscriptions/S/resourceGroups/rg',
      '/subscriptions/s/resourcegroups/rg2',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv\u212a',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/KV\u03a9'
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
        const id = foldCase(target);
        const scanned = assignments.filter(a =>
          id.startsWith(foldCase(a.id.replace(/\/providers\/microsoft\.authorization\/roleassignments\/[^/]+$/i, '')))
        );
        expect(new RoleAssignments(assignments, options).over(id)).toEqual(scanned);
      }),
      { numRuns: 300 }
    );
  });
});

describe('lookup', () => {
  it('reads a pointer whatever the case of the keys, taking the first of two keys that spell alike', () => {
    const resource = {
      id: '/subscriptions/s/providers/Microsoft.KeyVault/vaults/kv',
      type: 'Microsoft.KeyVault/vaults',
      name: 'kv',
      json: { Properties: { enableRbacAuthorization: true, EnableRbacAuthorization: false, İd: 'dotted' }, identity: 7 }
    } as unknown as Resource;
    expect(lookup(resource, '/properties/enableRbacAuthorization')).toBe(true);
    expect(lookup(resource, '/PROPERTIES/ENABLERBACAUTHORIZATION')).toBe(true);
    expect(lookup(resource, '/properties/İd')).toBe('dotted');
    expect(lookup(resource, '/identity/principalId')).toBeUndefined();
    expect(lookup(resource, '/id')).toBe(resource.id);
    expect(lookup(resource, '/properties/vaultUri')).toBe('https://kv.vault.azure.net/');
  });

  it('compares the keys with the name it looks for without folding them into new strings', () => {
    const resource = {
      id: '/subscriptions/s/providers/Microsoft.CognitiveServices/accounts/a',
      type: 'Microsoft.CognitiveServices/accounts',
      name: 'a',
      json: { name: 'a', sku: {}, kind: 'OpenAI', location: 'x', identity: {}, Properties: { Encryption: 1 } }
    } as unknown as Resource;
    lookup(resource, '/properties/encryption');
    const toLowerCase = String.prototype.toLowerCase;
    const folded: string[] = [];
    String.prototype.toLowerCase = function (this: string) {
      folded.push(String(this));
      return toLowerCase.call(this);
    };
    let found: Value | undefined;
    try {
      found = lookup(resource, '/properties/encryption');
    } finally {
      String.prototype.toLowerCase = toLowerCase;
    }
    expect(found).toBe(1);
    expect(folded).toEqual([]);
  });
});
