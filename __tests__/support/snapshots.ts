/**
 * Generated snapshots for the pipeline's tests: groups of a Key Vault, the accounts and storage that keep
 * their keys in it, and the grants that let them (access policies or role assignments), shuffled so that
 * subjects come batches apart from their vaults and grants.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ENCRYPTION_USER = 'e147488a-f6f5-4113-8e2d-b22465e65bf6';

/** A seeded generator, so a failure can be run again. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Groups of a vault, accounts and storage keeping keys in it, and grants (access policies or role assignments). */
export function snapshotResources(groups: number, next: () => number): object[] {
  const out: object[] = [];
  for (let g = 0; g < groups; g++) {
    const rg = `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-${g}`;
    const vaultName = `kv-${g}`;
    const vaultId = `${rg}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
    const rbac = g % 3 === 0;
    const principal = (i: number) => `${String(g).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const accessPolicies: object[] = [];
    for (let i = 0; i < 6; i++) {
      const cmk = next() < 0.7;
      const storage = i >= 4;
      const name = storage ? `st${g}x${i}` : `ai-${g}-${i}`;
      out.push(
        storage
          ? {
              id: `${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
              name,
              type: 'Microsoft.Storage/storageAccounts',
              kind: 'StorageV2',
              identity: { type: 'SystemAssigned', principalId: principal(i) },
              properties: {
                encryption: cmk
                  ? {
                      keySource: 'Microsoft.Keyvault',
                      keyvaultproperties: { keyname: 'cmk', keyvaulturi: `https://${vaultName}.vault.azure.net/` }
                    }
                  : { keySource: 'Microsoft.Storage' }
              }
            }
          : {
              id: `${rg}/providers/Microsoft.CognitiveServices/accounts/${name}`,
              name,
              type: 'Microsoft.CognitiveServices/accounts',
              kind: 'OpenAI',
              identity: { type: 'SystemAssigned', principalId: principal(i) },
              properties: {
                encryption: cmk
                  ? {
                      keySource: 'Microsoft.KeyVault',
                      keyVaultProperties: { keyName: 'cmk', keyVaultUri: `https://${vaultName}.vault.azure.net/` }
                    }
                  : { keySource: 'Microsoft.CognitiveServices' }
              }
            }
      );
      if (!cmk || next() < 0.2) continue;
      const full = next() < 0.8;
      if (rbac)
        out.push({
          id: `${vaultId}/providers/Microsoft.Authorization/roleAssignments/${principal(100 + i)}`,
          name: principal(100 + i),
          type: 'Microsoft.Authorization/roleAssignments',
          properties: {
            roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${full ? ENCRYPTION_USER : '00000000-0000-0000-0000-000000000009'}`,
            principalId: principal(i),
            scope: vaultId
          }
        });
      else
        accessPolicies.push({
          tenantId: '11111111-1111-1111-1111-111111111111',
          objectId: principal(i),
          permissions: { keys: full ? ['get', 'wrapKey', 'unwrapKey'] : ['get'] }
        });
    }
    out.push({
      id: vaultId,
      name: vaultName,
      type: 'Microsoft.KeyVault/vaults',
      properties: {
        tenantId: '11111111-1111-1111-1111-111111111111',
        vaultUri: `https://${vaultName}.vault.azure.net/`,
        enableSoftDelete: true,
        ...(g % 4 === 0 ? {} : { enablePurgeProtection: true }),
        enableRbacAuthorization: rbac,
        accessPolicies
      }
    });
  }
  // Shuffled: subjects come before and after their vaults and grants, batches apart.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A snapshot as `az resource list` writes it (`{"value": [...]}`), one resource a line. */
export function snapshotText(resources: object[]): string {
  return `{"value": [\n${resources.map(r => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

/**
 * For the tests of one `describe`: a snapshot of `groups` generated groups (`random(seed)`) written to snapshot.json
 * in a temporary folder of its own (named from `prefix`) before they run, the folder removed after them. Its `dir`
 * and `file` are set once the describe's `beforeAll` has run.
 */
export function generatedSnapshot(prefix: string, groups: number, seed: number): { dir: string; file: string } {
  const snapshot = { dir: '', file: '' };
  beforeAll(() => {
    snapshot.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    snapshot.file = path.join(snapshot.dir, 'snapshot.json');
    writeFileSync(snapshot.file, snapshotText(snapshotResources(groups, random(seed))));
  });
  afterAll(() => rmSync(snapshot.dir, { recursive: true, force: true }));
  return snapshot;
}
