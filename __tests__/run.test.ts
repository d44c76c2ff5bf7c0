/**
 * The pipeline in bounded memory: a snapshot is evaluated a batch at a time as it is read, relation
 * rules keep only targets and grants and read the subjects again, and findings past a bound go to a
 * temporary file. None of this may change a verdict: the findings are those of evaluating the whole
 * snapshot at once, whatever the order of its resources and however many findings are held.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDefinitions, loadDefinition } from '../src/engine/index.js';
import type { Finding } from '../src/model/finding.js';
import { compilePullRequestChecks } from '../src/pr/rules.js';
import { loadPolicyDirectory } from '../src/rules/index.js';
import { compilePolicies, evaluateRepository } from '../src/run.js';
import { loadResourceSnapshot } from '../src/sources/index.js';

const POLICIES = path.resolve('policies');
const ENCRYPTION_USER = 'e147488a-f6f5-4113-8e2d-b22465e65bf6';

/** A seeded generator, so a failure can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Groups of a vault, accounts and storage keeping keys in it, and grants (access policies or role assignments). */
function snapshotResources(groups: number, next: () => number): object[] {
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

/** What a finding says, without the fields the pipeline adds after evaluation. */
function verdictOf(f: Finding): string[] {
  return [
    f.definition,
    f.resource.id,
    f.verdict,
    f.message,
    String(f.reason),
    String(f.resource.line),
    String(f.resource.column)
  ];
}

describe('evaluateRepository on a snapshot read a batch at a time', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-run-'));
    file = path.join(dir, 'snapshot.json');
    // About 3,000 resources: three batches and more, one resource a line.
    const resources = snapshotResources(330, random(7));
    writeFileSync(file, `{"value": [\n${resources.map(r => JSON.stringify(r)).join(',\n')}\n]}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (heldFindings?: number) =>
    evaluateRepository({ cwd: dir, policies: POLICIES, resources: ['snapshot.json'], heldFindings });

  it('gives relation rules the findings they give on the whole snapshot at once', async () => {
    const document = await run(50);
    const { rules } = loadPolicyDirectory(POLICIES);
    const relation = rules.find(r => r.name === 'key-vault-key-access')!;
    const [check] = compilePullRequestChecks([relation]).relations;
    const whole = check(loadResourceSnapshot(file)).map(f => ({
      ...f,
      resource: { ...f.resource, file: 'snapshot.json' }
    }));
    const streamed = document.findings.filter(f => f.definition === 'key-vault-key-access');
    expect(streamed.map(verdictOf)).toEqual(whole.map(verdictOf));
    // Every kind of verdict is there, so the comparison covers grants found, missing and of the wrong role.
    expect(new Set(whole.map(f => f.verdict))).toEqual(new Set(['compliant', 'noncompliant']));
    expect(whole.length).toBeGreaterThan(500);
  });

  it('gives every definition the verdicts it gives on the whole snapshot at once', async () => {
    const document = await run(50);
    const definitions = compilePolicies(POLICIES, { root: path.resolve('.') }).definitions.map(json =>
      loadDefinition({ file: null, json })
    );
    const resources = loadResourceSnapshot(file);
    const whole = evaluateDefinitions(definitions, resources).map(f => ({
      ...f,
      resource: { ...f.resource, file: 'snapshot.json' }
    }));
    const names = new Set(definitions.map(d => d.name));
    const byKey = (a: string[], b: string[]) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1);
    const streamed = document.findings.filter(f => names.has(f.definition)).map(verdictOf);
    expect(streamed.sort(byKey)).toEqual(whole.map(verdictOf).sort(byKey));
    expect(document.summary.resources).toBe(resources.length);
  });

  it('writes the same document whether its findings stay in memory or go to a temporary file', async () => {
    const held = await run();
    const spilled = await run(7);
    expect(spilled).toEqual(held);
    expect(held.findings.length).toBeGreaterThan(3000);
  });

  it('reports nothing of a snapshot that turns out to be broken after its first batches', async () => {
    const broken = path.join(dir, 'broken.json');
    const resources = snapshotResources(330, random(7));
    // Entry 2,500 has no type: read whole, the snapshot is refused; read in batches, what was evaluated is taken back.
    resources.splice(2500, 0, { name: 'no-type' });
    writeFileSync(broken, JSON.stringify({ value: resources }, null, 1));
    const document = await evaluateRepository({
      cwd: dir,
      policies: POLICIES,
      resources: ['broken.json'],
      heldFindings: 20
    });
    expect(document.findings).toEqual([]);
    expect(document.summary.resources).toBe(0);
    expect(document.errors?.map(e => e.message)).toEqual([
      'snapshot entry 2500 needs string "type" and "name" fields to be evaluated.'
    ]);
  });
});
