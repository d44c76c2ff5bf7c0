import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../../src/model/resource.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { expandTemplateFile, type TemplateLoadOptions } from '../../src/sources/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repoRoot, '../shared/corpus');
const templatesDir = path.join(corpus, 'templates');
const files = fs
  .readdirSync(templatesDir)
  .filter(f => f.endsWith('.json'))
  .sort();
const QS = 'Azure_azure-quickstart-templates__quickstarts_';

/**
 * Parameters some quickstarts need to deploy at all (ARM would reject them with their
 * defaults too): key-vault-secret-create reads `secretsObject.secrets`.
 */
const needed: Record<string, TemplateLoadOptions['parameterOverrides']> = {
  [`${QS}microsoft.keyvault_key-vault-secret-create_azuredeploy.json`]: {
    secretsObject: { secrets: [{ secretName: 's1', secretValue: 'v1' }] }
  }
};

function expand(file: string, overrides: TemplateLoadOptions['parameterOverrides'] = needed[file]) {
  return expandTemplateFile(path.join(templatesDir, file), { parameterOverrides: overrides });
}

function at(value: Value, pointer: string): Value | undefined {
  let current: Value | undefined = value;
  for (const segment of pointer.split('/').slice(1)) {
    if (current === null || current === undefined || typeof current !== 'object' || current instanceof Unknown)
      return undefined;
    current = Array.isArray(current) ? current[Number(segment)] : (current as { [k: string]: Value })[segment];
  }
  return current;
}

function ofType(resources: Resource[], type: string): Resource[] {
  return resources.filter(r => r.type.toLowerCase() === type.toLowerCase());
}

function lineOf(file: string, text: string, after = 0): number {
  const lines = fs.readFileSync(path.join(templatesDir, file), 'utf8').split('\n');
  const index = lines.findIndex((line, i) => i >= after && line.includes(text));
  if (index < 0) throw new Error(`'${text}' not in ${file}`);
  return index + 1;
}

describe('every corpus template expands with no error', () => {
  test.each(files)('%s', file => {
    const expanded = expand(file);
    expect(expanded.errors).toEqual([]);
    for (const resource of expanded.resources) {
      expect(resource.source?.file).toBeTruthy();
      expect(resource.type).toContain('/');
    }
  });
});

describe('a failing expression spoils only what uses it', () => {
  test('key-vault-secret-create with its defaults: the secrets that read secretsObject.secrets fail, the vault is evaluated', () => {
    const file = `${QS}microsoft.keyvault_key-vault-secret-create_azuredeploy.json`;
    const expanded = expand(file, {});
    expect(expanded.errors.length).toBeGreaterThan(0);
    expect(expanded.errors[0].message).toMatch(/secrets/);
    expect(expanded.errors[0].message).toMatch(/parameter 'secretsObject'/);
    const [vault] = ofType(expanded.resources, 'Microsoft.KeyVault/vaults');
    expect(vault.type).toBe('Microsoft.KeyVault/vaults');
    expect(Object.keys(vault.json.properties as object).length).toBeGreaterThan(0);
  });
});

describe('relevant resources come out with their final properties and lines', () => {
  test('storage with CMK: vault, key and storage account (keySource spelled Microsoft.Keyvault)', () => {
    const file = `${QS}microsoft.storage_storage-blob-encryption-with-cmk_azuredeploy.json`;
    const { resources } = expand(file);
    const [vault] = ofType(resources, 'Microsoft.KeyVault/vaults');
    expect(at(vault.json, '/properties/enableSoftDelete')).toBe(true);
    expect(at(vault.json, '/properties/enablePurgeProtection')).toBe(true);
    expect(vault.name).toMatch(/^vault-[a-z0-9]{13}$/);
    const [key] = ofType(resources, 'Microsoft.KeyVault/vaults/keys');
    expect(key.name.startsWith(vault.name + '/')).toBe(true);
    const [storage] = ofType(resources, 'Microsoft.Storage/storageAccounts');
    expect(at(storage.json, '/properties/encryption/keySource')).toBe('Microsoft.Keyvault');
    expect(storage.positionOf!('/properties/encryption/keySource')?.line).toBe(
      lineOf(file, '"keySource": "Microsoft.Keyvault"')
    );
    // The access policy's principal is the user-assigned identity's, unknown until deployed.
    const objectId = at(vault.json, '/properties/accessPolicies/0/objectId') as Unknown;
    expect(objectId).toBeInstanceOf(Unknown);
    expect(objectId.key).toMatch(/^reference\(.*\)\.properties\.principalId$/);
  });

  test('ML workspace with encryption status from a parameter default', () => {
    const file = `${QS}microsoft.machinelearningservices_machine-learning-encrypted-workspace_azuredeploy.json`;
    const { resources } = expand(file);
    const [workspace] = ofType(resources, 'Microsoft.MachineLearningServices/workspaces');
    expect(at(workspace.json, '/properties/encryption/status')).toBe('Enabled');
    expect(at(workspace.json, '/properties/encryption/keyVaultProperties')).toBeDefined();
    expect(workspace.positionOf!('/properties/encryption/status')?.line).toBe(lineOf(file, '"status": "[parameters'));
    expect(workspace.source?.line).toBe(lineOf(file, '"type": "Microsoft.MachineLearningServices/workspaces"') - 1);
    const [storage] = ofType(resources, 'Microsoft.Storage/storageAccounts');
    expect(at(storage.json, '/properties/encryption/keySource')).toBe('Microsoft.Storage');
  });

  test('AI Search without CMK enforcement, and cognitive services accounts without keySource', () => {
    const search = ofType(
      expand(`${QS}microsoft.search_azure-search-create_azuredeploy.json`).resources,
      'Microsoft.Search/searchServices'
    );
    expect(search).toHaveLength(1);
    expect(at(search[0].json, '/properties/encryptionWithCmk')).toBeUndefined();
    for (const name of [
      'cognitive-services-Computer-vision-API',
      'cognitive-services-translate',
      'cognitive-services-universalkey'
    ]) {
      const accounts = ofType(
        expand(`${QS}microsoft.cognitiveservices_${name}_azuredeploy.json`).resources,
        'Microsoft.CognitiveServices/accounts'
      );
      expect(accounts.length).toBeGreaterThan(0);
      for (const account of accounts) expect(at(account.json, '/properties/encryption/keySource')).toBeUndefined();
    }
  });

  test('an access policy and role assignments inside nested deployments to other resource groups', () => {
    const file = `${QS}microsoft.machinelearningservices_machine-learning-dependencies-role-assignment_azuredeploy.json`;
    expect(expand(file).resources).toHaveLength(0);
    const { resources } = expand(file, {
      assignWorkspaceKeyVault: true,
      assignWorkspaceStorageAccount: true,
      workspaceKeyVaultResourceGroup: 'kv-rg',
      workspaceKeyVaultName: 'kv-ml',
      primaryUserAssignedIdentityResourceGroup: 'id-rg',
      primaryUserAssignedIdentityName: 'ml-identity'
    });
    const [policy] = ofType(resources, 'Microsoft.KeyVault/vaults/accessPolicies');
    expect(policy.name).toBe('kv-ml/add');
    expect(policy.id).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/kv-rg/providers/Microsoft.KeyVault/vaults/kv-ml/accessPolicies/add'
    );
    expect(policy.source?.line).toBe(lineOf(file, '"type": "Microsoft.KeyVault/vaults/accessPolicies"') - 2);
    const objectId = at(policy.json, '/properties/accessPolicies/0/objectId') as Unknown;
    expect(objectId.key).toMatch(
      /^reference\(.*\/microsoft\.managedidentity\/userassignedidentities\/ml-identity\)\.properties\.principalId$/
    );
    const roles = ofType(resources, 'Microsoft.Authorization/roleAssignments');
    expect(roles.length).toBeGreaterThanOrEqual(2);
    expect(roles.every(r => r.id.includes('/providers/Microsoft.Authorization/roleAssignments/'))).toBe(true);
  });

  test('AVM cognitive services account (languageVersion 2.0): CMK only when customerManagedKey is given', () => {
    const file = 'Azure_bicep-registry-modules__avm_res_cognitive-services_account_main.json';
    const plain = ofType(
      expand(file, { name: 'ai-avm', kind: 'OpenAI' }).resources,
      'Microsoft.CognitiveServices/accounts'
    );
    expect(plain.filter(r => !r.existing)).toHaveLength(1);
    expect(at(plain[0].json, '/properties/encryption')).toBeUndefined();
    expect(plain[0].source?.line).toBe(lineOf(file, '"cognitiveService": {'));
    const withCmk = expand(file, {
      name: 'ai-avm',
      kind: 'OpenAI',
      managedIdentities: { systemAssigned: true },
      customerManagedKey: {
        keyVaultResourceId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-avm',
        keyName: 'cmk'
      }
    });
    const account = ofType(withCmk.resources, 'Microsoft.CognitiveServices/accounts').find(r => !r.existing)!;
    expect(at(account.json, '/properties/encryption/keySource')).toBe('Microsoft.KeyVault');
    expect(at(account.json, '/identity/type')).toMatch(/SystemAssigned/);
    expect(ofType(withCmk.resources, 'Microsoft.KeyVault/vaults').some(r => r.existing && r.name === 'kv-avm')).toBe(
      true
    );
  });

  test('AVM key vault (nested deployments for keys and access policies)', () => {
    const file = 'Azure_bicep-registry-modules__avm_res_key-vault_vault_main.json';
    const { resources } = expand(file, {
      name: 'kv-avm',
      keys: [{ name: 'cmk', kty: 'RSA' }],
      accessPolicies: [
        { objectId: '11111111-1111-1111-1111-111111111111', permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }
      ]
    });
    const [vault] = ofType(resources, 'Microsoft.KeyVault/vaults').filter(r => !r.existing);
    expect(vault.name).toBe('kv-avm');
    expect(at(vault.json, '/properties/enableSoftDelete')).toBe(true);
    expect(at(vault.json, '/properties/enablePurgeProtection')).toBe(true);
    const [key] = ofType(resources, 'Microsoft.KeyVault/vaults/keys');
    expect(key.name).toBe('kv-avm/cmk');
    const [policy] = ofType(resources, 'Microsoft.KeyVault/vaults/accessPolicies');
    expect(policy.name).toBe('kv-avm/add');
    expect(at(policy.json, '/properties/accessPolicies/0/objectId')).toBe('11111111-1111-1111-1111-111111111111');
  });

  test('data product analytics: resources two deployments deep with their own file lines', () => {
    const file = 'Azure_data-product-analytics__infra_main.json';
    expect(ofType(expand(file).resources, 'Microsoft.CognitiveServices/accounts')).toHaveLength(0);
    const { resources } = expand(file, { cognitiveServiceKinds: ['FormRecognizer'], enableSearch: true });
    const [account] = ofType(resources, 'Microsoft.CognitiveServices/accounts');
    expect(account).toBeDefined();
    expect(at(account.json, '/properties/encryption')).toBeUndefined();
    expect(account.source?.line).toBe(lineOf(file, '"type": "Microsoft.CognitiveServices/accounts"') - 1);
    const [workspace] = ofType(resources, 'Microsoft.MachineLearningServices/workspaces');
    expect(at(workspace.json, '/properties/encryption/status')).toBe('Disabled');
    const [search] = ofType(resources, 'Microsoft.Search/searchServices');
    expect(search).toBeDefined();
    const storage = ofType(resources, 'Microsoft.Storage/storageAccounts').find(r =>
      at(r.json, '/properties/encryption/keySource')
    );
    expect(at(storage!.json, '/properties/encryption/keySource')).toBe('Microsoft.Storage');
  });
});
