import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateRepository } from '../../src/run.js';

// DESIGN.md: a relation between resources "in one template" (with its nested and linked templates).
const schema = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const vault = {
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name: 'kv-shared-name',
  location: 'westeurope',
  properties: { tenantId: '00000000-0000-0000-0000-000000000000', enablePurgeProtection: true, accessPolicies: [] }
};
const account = {
  type: 'Microsoft.CognitiveServices/accounts',
  apiVersion: '2024-10-01',
  name: 'oai-scope',
  location: 'westeurope',
  kind: 'OpenAI',
  identity: { type: 'SystemAssigned' },
  properties: {
    encryption: {
      keySource: 'Microsoft.KeyVault',
      keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://kv-shared-name.vault.azure.net/' }
    }
  }
};
const template = (resources: unknown[]) => JSON.stringify({ $schema: schema, contentVersion: '1.0.0.0', resources });

describe('relation rules relate resources of one deployment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-relation-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keyAccess = async () => {
    const document = await evaluateRepository({ cwd: dir, policies: path.resolve('policies'), templates: ['*.json'] });
    return document.findings.filter(f => f.definition === 'key-vault-key-access');
  };

  it('relates an account to the vault declared in the same template', async () => {
    writeFileSync(path.join(dir, 'main.json'), template([vault, account]));
    const findings = await keyAccess();
    expect(findings.map(f => [f.resource.name, f.verdict])).toEqual([['oai-scope', 'noncompliant']]);
  });

  it('does not relate it to a vault of the same name in another template, which may deploy elsewhere', async () => {
    writeFileSync(path.join(dir, 'vault.json'), template([vault]));
    writeFileSync(path.join(dir, 'account.json'), template([account]));
    expect(await keyAccess()).toEqual([]);
  });
});
