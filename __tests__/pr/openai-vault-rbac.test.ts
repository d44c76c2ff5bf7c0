import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';

/*
 * The bundled key-vault-key-access rule on a template: "The key vault must use legacy access policies"
 * (Azure OpenAI in Microsoft Foundry Models encryption of data at rest), so a role assignment on a vault with
 * Azure RBAC authorization does not give an Azure OpenAI account its key, while it does give one to an account
 * of another kind.
 */
function template(kind: string): unknown {
  const vault = "resourceId('Microsoft.KeyVault/vaults', 'kv-rbac')";
  const account = "resourceId('Microsoft.CognitiveServices/accounts', 'ai-account')";
  const role = 'e147488a-f6f5-4113-8e2d-b22465e65bf6';
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.KeyVault/vaults',
        apiVersion: '2023-07-01',
        name: 'kv-rbac',
        location: 'westeurope',
        properties: {
          tenantId: '[subscription().tenantId]',
          sku: { family: 'A', name: 'standard' },
          enablePurgeProtection: true,
          enableRbacAuthorization: true
        }
      },
      {
        type: 'Microsoft.CognitiveServices/accounts',
        apiVersion: '2024-10-01',
        name: 'ai-account',
        location: 'westeurope',
        kind,
        sku: { name: 'S0' },
        identity: { type: 'SystemAssigned' },
        dependsOn: [`[${vault}]`],
        properties: {
          encryption: {
            keySource: 'Microsoft.KeyVault',
            keyVaultProperties: { keyName: 'cmk', keyVaultUri: `[reference(${vault}, '2023-07-01').vaultUri]` }
          }
        }
      },
      {
        type: 'Microsoft.Authorization/roleAssignments',
        apiVersion: '2022-04-01',
        name: `[guid(${vault}, ${account}, '${role}')]`,
        scope: "[format('Microsoft.KeyVault/vaults/{0}', 'kv-rbac')]",
        dependsOn: [`[${account}]`],
        properties: {
          roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${role}')]`,
          principalId: `[reference(${account}, '2024-10-01', 'full').identity.principalId]`,
          principalType: 'ServicePrincipal'
        }
      }
    ]
  };
}

async function keyAccess(kind: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-openai-rbac-'));
  try {
    writeFileSync(path.join(dir, 'main.json'), JSON.stringify(template(kind), null, 2));
    const out: string[] = [];
    const code = await runCli(
      ['evaluate', '--templates', 'main.json', '--rules', 'key-vault-key-access', '--format', 'json'],
      { cwd: dir, env: {}, stdout: t => out.push(t), stderr: () => {} }
    );
    const findings = (JSON.parse(out.join('')) as FindingsDocument).findings;
    expect(findings.map(f => f.definition)).toEqual(['key-vault-key-access']);
    return { code, finding: findings[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('key-vault-key-access: Azure OpenAI reads its key through access policies only', () => {
  it('an OpenAI account granted by a role assignment on an RBAC vault is noncompliant, and the message says why', async () => {
    const { code, finding } = await keyAccess('OpenAI');
    expect(code).toBe(1);
    expect(finding.verdict).toBe('noncompliant');
    expect(finding.message).toContain(
      'can be granted access only by an access policy, and vault kv-rbac has /properties/enableRbacAuthorization on'
    );
  });

  it('the same grant gives an account of another kind its key', async () => {
    const { code, finding } = await keyAccess('AIServices');
    expect(code).toBe(0);
    expect(finding.verdict).toBe('compliant');
  });
});
