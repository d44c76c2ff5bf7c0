/**
 * One reading of a resource id's provider chain (src/model/resourceId.ts) serves both `nameChainOf` (the engine's
 * `fullName`) and `resourceTypeOf` (publish's exemption check), which each read the id their own way before. The
 * references below are those two readings as they were, kept here only to check the new one against them.
 */
import fc from 'fast-check';
import { parseResourceIdChain } from '../../src/model/resourceId.js';
import { nameChainOf } from '../../src/engine/fields.js';
import { resourceTypeOf } from '../../src/azure/publish.js';
import { foldCase } from '../../src/model/foldCase.js';

/** nameChainOf before it read the id with parseResourceIdChain. */
function referenceNameChain(id: string): string[] | undefined {
  const segments = id.split('/');
  if (segments[0] !== '') return undefined;
  let chain: string[] | undefined;
  let i = 1;
  while (i < segments.length) {
    if (foldCase(segments[i]) === 'providers') {
      if (i + 3 >= segments.length) return undefined;
      chain = [];
      i += 2;
      continue;
    }
    if (i + 1 >= segments.length || segments[i] === '' || segments[i + 1] === '') return undefined;
    chain?.push(segments[i + 1]);
    i += 2;
  }
  return chain && chain.length > 0 ? chain : undefined;
}

/** resourceTypeOf before it read the id with parseResourceIdChain. */
function referenceType(id: string): string | undefined {
  const found = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/([^/]+)\/(.+)$/i.exec(id);
  if (found === null || /\/providers\//i.test(found[2])) return undefined;
  const steps = found[2].split('/');
  if (steps.length % 2 !== 0 || steps.some(step => step === '')) return undefined;
  return [found[1], ...steps.filter((_, i) => i % 2 === 0)].join('/');
}

const word = fc.constantFrom('a', 'srv1', 'db-1', 'servers', 'databases', 'vaults', 'x.y', 'ſubscriptions', 'İ');
const keyword = (text: string) => fc.constantFrom(text, text.toUpperCase(), text[0].toUpperCase() + text.slice(1));
/** Mostly `usual`, sometimes `odd`. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: odd, weight: 1 });
const namespace = mostly(
  fc.constantFrom('Microsoft.Sql', 'microsoft.keyvault', 'MICROSOFT.AUTHORIZATION'),
  fc.constant('')
);
const pairs = fc.array(fc.tuple(word, word), { minLength: 0, maxLength: 3 });
const provider = fc
  .tuple(keyword('providers'), namespace, pairs)
  .map(([p, ns, ps]) => [p, ns, ...ps.flatMap(([t, n]) => [t, n])]);
const resourceGroup = fc.tuple(keyword('subscriptions'), word, keyword('resourceGroups'), word).map(s => [...s]);
const scope = fc.oneof(
  fc.constant<string[]>([]),
  fc.tuple(keyword('subscriptions'), word).map(s => [...s]),
  resourceGroup,
  resourceGroup,
  fc.tuple(keyword('resourcegroups'), word).map(s => [...s]),
  fc.constant(['providers', 'Microsoft.Management', 'managementGroups', 'mg1'])
);
/** Ids as ARM writes them (scopes, provider chains with children, extension resources), and broken ones. */
const id = fc
  .tuple(
    scope,
    fc.array(provider, { minLength: 0, maxLength: 2 }),
    mostly(fc.constant(''), fc.constantFrom('/', '//')),
    mostly(fc.constant(true), fc.constant(false)),
    mostly(
      fc.constant<string[]>([]),
      fc.array(fc.constantFrom('', 'providers', 'a', 'resourceGroups'), { maxLength: 4 })
    )
  )
  .map(
    ([s, chains, trailing, rooted, noise]) =>
      (rooted ? '/' : '') + [...s, ...chains.flat(), ...noise].join('/') + trailing
  );

describe('parseResourceIdChain', () => {
  it('gives the names nameChainOf gave', () => {
    fc.assert(
      fc.property(id, text => {
        expect(nameChainOf(text)).toEqual(referenceNameChain(text));
        expect(parseResourceIdChain(text)?.names).toEqual(referenceNameChain(text));
      }),
      { numRuns: 5000 }
    );
  });

  it('gives the type resourceTypeOf gave, but where it took `providers` for a type or a parent’s name', () => {
    fc.assert(
      fc.property(id, text => {
        // The old reading took any `providers` after the namespace but the first and the last for a type or a name.
        const rest = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/(.+)$/i.exec(text)?.[1];
        fc.pre(
          !rest
            ?.split('/')
            .slice(0, -1)
            .some(step => foldCase(step) === 'providers')
        );
        expect(resourceTypeOf(text)).toEqual(referenceType(text));
      }),
      { numRuns: 5000 }
    );
  });

  it('reads `providers` by position, as ARM does: a parent’s name, or a provider where a type is', () => {
    const child =
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/providers/blobServices/default';
    expect(resourceTypeOf(child)).toBe('Microsoft.Storage/storageAccounts/blobServices');
    expect(nameChainOf(child)).toEqual(['providers', 'default']);
    // Not `Microsoft.Sql/providers/servers`: a provider's chain right after a namespace is no id ARM writes.
    expect(resourceTypeOf('/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/providers/X/servers/a')).toBe(
      undefined
    );
  });

  it('splits a provider-nested child, an extension resource and a management group resource', () => {
    expect(
      parseResourceIdChain('/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/srv1/databases/db1')
    ).toEqual({
      scope: ['subscriptions', 's', 'resourceGroups', 'g'],
      namespace: 'Microsoft.Sql',
      types: ['servers', 'databases'],
      names: ['srv1', 'db1']
    });
    const extension =
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Authorization/locks/l';
    expect(parseResourceIdChain(extension)).toMatchObject({
      scope: ['subscriptions', 's', 'resourceGroups', 'g', 'providers', 'Microsoft.KeyVault', 'vaults', 'kv'],
      namespace: 'Microsoft.Authorization',
      types: ['locks'],
      names: ['l']
    });
    expect(resourceTypeOf(extension)).toBeUndefined();
    expect(parseResourceIdChain('/providers/Microsoft.Management/managementGroups/mg')).toMatchObject({
      scope: [],
      types: ['managementGroups'],
      names: ['mg']
    });
    expect(parseResourceIdChain('/subscriptions/s/resourceGroups/g')).toBeUndefined();
    expect(
      parseResourceIdChain('/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/srv1/')
    ).toBeUndefined();
  });
});
