import * as fs from 'node:fs';
import { expandTemplateFile, TemplateError } from '../../src/sources/index.js';
import { Unknown, isUnknown } from '../../src/model/value.js';
import { UserError } from '../../src/model/errors.js';
import { at, byName, fixture, lineOf } from './helpers.js';

const RG = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers';

function expectTemplateError(run: () => unknown, file: string, line: number, message: RegExp): TemplateError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const e = error as TemplateError;
    expect(e.location?.file).toBe(file);
    expect(e.location?.line).toBe(line);
    expect(e.message).toMatch(message);
    return e;
  }
  throw new Error('expected a template error');
}

// https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-resources
// https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-properties
// https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-variables
describe('copy loops', () => {
  const file = fixture('copy', 'main.json');
  const { resources } = expandTemplateFile(file);

  test('a resource copy loop gives one resource per index, each at the declaration', () => {
    expect(resources.map(r => r.name)).toEqual(['stalpha', 'stbeta']);
    expect(resources.map(r => r.id)).toEqual([
      `${RG}/Microsoft.Storage/storageAccounts/stalpha`,
      `${RG}/Microsoft.Storage/storageAccounts/stbeta`
    ]);
    const line = lineOf('"type": "Microsoft.Storage/storageAccounts"', fs.readFileSync(file, 'utf8')) - 1;
    expect(resources.map(r => r.source?.line)).toEqual([line, line]);
    expect(resources.map(r => at(r.json, '/properties/index'))).toEqual([0, 1]);
  });

  test('property copy builds the array with copyIndex of both loops, positioned at the copy element', () => {
    const beta = byName(resources, 'stbeta');
    expect(at(beta.json, '/properties/containers')).toEqual([{ name: 'c1-0' }, { name: 'c1-1' }]);
    expect(beta.json.properties).not.toHaveProperty('copy');
    const text = fs.readFileSync(file, 'utf8');
    expect(beta.positionOf!('/properties/containers/1')?.line).toBe(lineOf('"name": "containers"', text) - 1);
    expect(beta.positionOf!('/properties/containers/1/name')?.line).toBe(lineOf('c{0}-{1}', text));
  });

  test('a variables copy element defines an array variable (copyIndex with offset)', () => {
    expect(at(resources[0].json, '/properties/rules')).toEqual(['rule-1', 'rule-2', 'rule-3']);
  });

  test('template-only keys are not part of the body', () => {
    for (const key of ['copy', 'apiVersion', 'dependsOn', 'condition', 'comments']) {
      expect(resources[0].json).not.toHaveProperty(key);
    }
    expect(resources[0].apiVersion).toBe('2023-01-01');
    expect(resources[0].origin).toBe('template');
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/conditional-resource-deployment
describe('conditions', () => {
  test('false: not deployed and not evaluated; true: deployed; unknown: deployed with the reason', () => {
    const { resources } = expandTemplateFile(fixture('condition', 'main.json'));
    expect(resources.map(r => r.name)).toEqual(['kv-yes', 'ai-maybe']);
    expect(byName(resources, 'kv-yes').conditionUnknown).toBeUndefined();
    expect(byName(resources, 'ai-maybe').conditionUnknown).toMatch(/parameter 'deployCmk'/);
  });

  test('a parameter override decides the condition', () => {
    const { resources } = expandTemplateFile(fixture('condition', 'main.json'), {
      parameterOverrides: { deployCmk: 'false' }
    });
    expect(resources.map(r => r.name)).toEqual(['kv-yes']);
  });
});

describe('child resources', () => {
  test('get their full type and name, and the parent/child id', () => {
    const { resources } = expandTemplateFile(fixture('child', 'main.json'));
    const key = byName(resources, 'kv-parent/cmk');
    expect(key.type).toBe('Microsoft.KeyVault/vaults/keys');
    expect(key.json.name).toBe('kv-parent/cmk');
    expect(key.json.type).toBe('Microsoft.KeyVault/vaults/keys');
    expect(key.id).toBe(`${RG}/Microsoft.KeyVault/vaults/kv-parent/keys/cmk`);
    expect(key.source?.line).toBe(12);
    expect(byName(resources, 'kv-parent').json).not.toHaveProperty('resources');
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates
describe('nested deployments', () => {
  const file = fixture('nested', 'main.json');
  const text = fs.readFileSync(file, 'utf8');
  const expanded = expandTemplateFile(file);
  const { resources } = expanded;

  test('a re-declared account ends in its last declaration in dependency order (PUT replaces the body)', () => {
    const accounts = resources.filter(r => r.type === 'Microsoft.CognitiveServices/accounts');
    expect(accounts).toHaveLength(1);
    const account = accounts[0];
    expect(at(account.json, '/properties/encryption/keySource')).toBe('Microsoft.KeyVault');
    // Replaced, not merged: the first declaration's publicNetworkAccess is gone.
    expect(at(account.json, '/properties/publicNetworkAccess')).toBeUndefined();
    expect(account.positionOf!('/properties/encryption/keySource')?.line).toBe(
      lineOf('"keySource": "Microsoft.KeyVault"', text)
    );
    expect(account.positionOf!('/properties/encryption/keyVaultProperties/keyVaultUri')?.line).toBe(
      lineOf('"keyVaultUri": "[parameters(', text)
    );
    expect(account.source?.line).toBe(lineOf('"resources": [', text.split('\n').slice(30).join('\n')) + 31);
    expect(expanded.notes.join('\n')).toMatch(/declared 2 times/);
  });

  test('outer scope reads the parent variables; inner scope gets parameters passed down, two levels deep', () => {
    const storage = byName(resources, 'stfrom-outer');
    expect(at(storage.json, '/properties/encryption/keySource')).toBe('Microsoft.Storage');
    const search = byName(resources, 'search-from-outer');
    expect(search.id).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other-rg/providers/Microsoft.Search/searchServices/search-from-outer'
    );
    expect(search.source?.line).toBe(lineOf('"type": "Microsoft.Search/searchServices"', text) - 1);
    expect(search.positionOf!('/properties/encryptionWithCmk/enforcement')?.line).toBe(
      lineOf('"enforcement": "Enabled"', text)
    );
  });

  test("a nested deployment's outputs feed reference(name).outputs", () => {
    const st = byName(resources, 'stoutput');
    expect(at(st.json, '/tags/account')).toBe(`${RG}/Microsoft.CognitiveServices/accounts/ai-account`);
  });

  test('deployments themselves are not reported', () => {
    expect(resources.some(r => r.type === 'Microsoft.Resources/deployments')).toBe(false);
  });
});

describe('linked templates', () => {
  test('templateLink.relativePath is read from beside the template, with positions in that file', () => {
    const expanded = expandTemplateFile(fixture('linked', 'main.json'));
    const vault = byName(expanded.resources, 'kv-linked');
    expect(vault.source).toEqual({ file: fixture('linked', 'modules', 'vault.json'), line: 6, column: 5 });
    expect(vault.positionOf!('/properties/enablePurgeProtection')).toEqual({
      file: fixture('linked', 'modules', 'vault.json'),
      line: 14,
      column: 9
    });
    expect(expanded.notes.join('\n')).toMatch(/linked template https:\/\/example.com\/remote.json is not fetched/);
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-declaration (languageVersion 2.0)
describe('languageVersion 2.0', () => {
  const { resources } = expandTemplateFile(fixture('symbolic', 'main.json'));

  test('symbolic resources, existing references, symbolic dependsOn and null parameters', () => {
    expect(resources.map(r => r.name)).toEqual(['kv-existing', 'ai-symbolic', 'kv-existing/add']);
    expect(byName(resources, 'kv-existing').existing).toBe(true);
    // encryption is null (customerManagedKey is nullable and absent) and so left out of the body.
    expect(at(byName(resources, 'ai-symbolic').json, '/properties/encryption')).toBeUndefined();
    expect(byName(resources, 'ai-symbolic').source?.line).toBe(10);
  });

  test("reference('symbol', …, 'full').identity.principalId is the same unknown as the account's principal", () => {
    const objectId = at(byName(resources, 'kv-existing/add').json, '/properties/accessPolicies/0/objectId');
    const principal = at(byName(resources, 'ai-symbolic').json, '/identity/principalId');
    expect(isUnknown(objectId) && isUnknown(principal)).toBe(true);
    expect((objectId as Unknown).key).toBe((principal as Unknown).key);
    expect((objectId as Unknown).key).toBe(
      `reference(${RG.toLowerCase()}/microsoft.cognitiveservices/accounts/ai-symbolic).identity.principalId`
    );
  });
});

describe('unknowns from runtime functions', () => {
  const { resources } = expandTemplateFile(fixture('identity', 'main.json'));
  const policy = resources.find(r => r.type === 'Microsoft.KeyVault/vaults/accessPolicies')!;
  const account = byName(resources, 'ai-identity');

  test("reference(resourceId(…), api, 'Full').identity.principalId matches the account's identity", () => {
    const objectId = at(policy.json, '/properties/accessPolicies/0/objectId') as Unknown;
    expect(objectId).toBeInstanceOf(Unknown);
    expect(objectId.key).toBe((at(account.json, '/identity/principalId') as Unknown).key);
  });

  test('listKeys() is unknown, keyed by the resource', () => {
    const key1 = at(policy.json, '/properties/accessPolicies/1/objectId') as Unknown;
    expect(key1).toBeInstanceOf(Unknown);
    expect(key1.key).toBe(`listkeys(${RG.toLowerCase()}/microsoft.cognitiveservices/accounts/ai-identity).key1`);
  });

  test('names from uniqueString(resourceGroup().id) agree between declarations', () => {
    expect(policy.name).toMatch(/^kv[a-z0-9]{13}\/add$/);
  });
});

describe('deployment-context functions', () => {
  const { resources } = expandTemplateFile(fixture('resourceid.json'), { scope: { resourceGroup: 'examplegroup' } });
  const tags = resources[0].json.tags as Record<string, unknown>;
  const sub = '00000000-0000-0000-0000-000000000000';

  // Examples from https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid
  test('resourceId and its siblings build ids as documented', () => {
    expect(tags.sameRG).toBe(
      `/subscriptions/${sub}/resourceGroups/examplegroup/providers/Microsoft.Storage/storageAccounts/examplestorage`
    );
    expect(tags.differentRG).toBe(
      `/subscriptions/${sub}/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage`
    );
    expect(tags.differentSub).toBe(
      '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage'
    );
    expect(tags.nested).toBe(
      `/subscriptions/${sub}/resourceGroups/examplegroup/providers/Microsoft.SQL/servers/serverName/databases/databaseName`
    );
    expect(tags.subscriptionLevel).toBe(
      `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`
    );
    expect(tags.tenantLevel).toBe('/providers/Microsoft.Management/managementGroups/mg1');
    expect(tags.extension).toBe(
      `/subscriptions/${sub}/resourceGroups/examplegroup/providers/Microsoft.Storage/storageAccounts/examplestorage/providers/Microsoft.Authorization/locks/lock1`
    );
    expect(tags.mgLevel).toBe(
      '/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/def1'
    );
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#environment
  test('environment(), resourceGroup() and deployment() give the placeholder deployment', () => {
    expect(tags.keyvaultDns).toBe('.vault.azure.net');
    expect(tags.rg).toBe('examplegroup');
    expect(tags.deploymentName).toBe('resourceid');
  });

  test('utcNow() outside a parameter default, newGuid(), pickZones() and providers() are unknown', () => {
    for (const name of ['now', 'guid', 'zones', 'provider']) expect(tags[name]).toBeInstanceOf(Unknown);
  });
});

describe('user-defined functions', () => {
  test('namespace.member runs its output with its own parameters', () => {
    const { resources } = expandTemplateFile(fixture('functions', 'main.json'));
    expect(resources[0].name).toBe('search-svc');
  });
});

describe('errors ARM would raise', () => {
  test('an unknown function names the file, line, column and expression', () => {
    const file = fixture('errors', 'unknown-function.json');
    const e = expectTemplateError(() => expandTemplateFile(file), file, 8, /notAFunction.*is not valid/);
    // The column of the function name inside the string.
    expect(e.location?.column).toBe(17);
    expect(e.expression).toBe("[notAFunction('x')]");
  });

  test('a wrong argument count', () => {
    const file = fixture('errors', 'wrong-args.json');
    expectTemplateError(() => expandTemplateFile(file), file, 9, /resourceGroup.*takes 0 argument/);
  });

  test('a dependency cycle', () => {
    const file = fixture('cycle', 'resources.json');
    expectTemplateError(() => expandTemplateFile(file), file, 10, /Circular dependency.*'sta' -> 'stb' -> 'sta'/);
  });

  test('a variable cycle', () => {
    const file = fixture('cycle', 'variables.json');
    expectTemplateError(() => expandTemplateFile(file), file, 5, /variable 'a' depends on itself/);
  });

  test('a file that is not a template', () => {
    const file = fixture('params', 'main.parameters.json');
    expectTemplateError(() => expandTemplateFile(file), file, 1, /not an ARM deployment template \(a parameter file\)/);
  });
});

describe('hostile templates', () => {
  it('stops a template whose copy loops and nested deployments multiply past 20,000 resources, with where', () => {
    // 800 deployments × 800 deployments × 800 vaults: 512 million resources if expanded.
    const file = fixture('hostile-nested-copies.json');
    let error: unknown;
    try {
      expandTemplateFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as UserError).describe()).toMatch(
      /hostile-nested-copies\.json:2:\d+: The template expands to more than 20000 resources/
    );
  });
});
