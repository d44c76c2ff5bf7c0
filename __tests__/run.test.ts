/**
 * The pipeline in bounded memory: a snapshot is evaluated a batch at a time as it is read, relation
 * rules keep only targets and grants and read the subjects again, and findings past a bound go to a
 * temporary file. None of this may change a verdict: the findings are those of evaluating the whole
 * snapshot at once, whatever the order of its resources and however many findings are held.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateDefinitions, loadDefinition } from '../src/engine/index.js';
import type { Finding } from '../src/model/finding.js';
import { compilePullRequestChecks } from '../src/pr/rules.js';
import { loadPolicyDirectory } from '../src/rules/index.js';
import { compilePolicies, evaluateRepository, evaluateRepositoryStreamed } from '../src/run.js';
import { loadResourceSnapshot } from '../src/sources/index.js';
import { openFindingsFiles } from './support/findingsFiles.js';
import { generatedSnapshot, random, snapshotResources, snapshotText } from './support/snapshots.js';

const POLICIES = path.resolve('policies');
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
  // About 3,000 resources: three batches and more, one resource a line.
  const snapshot = generatedSnapshot('cmk-guard-run-', 330, 7);

  const run = (heldFindings?: number) =>
    evaluateRepository({ cwd: snapshot.dir, policies: POLICIES, resources: ['snapshot.json'], heldFindings });

  it('gives relation rules the findings they give on the whole snapshot at once', async () => {
    const document = await run(50);
    const { rules } = loadPolicyDirectory(POLICIES);
    const relation = rules.find(r => r.name === 'key-vault-key-access')!;
    const [check] = compilePullRequestChecks([relation]).relations;
    const whole = check(loadResourceSnapshot(snapshot.file)).map(f => ({
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
    const resources = loadResourceSnapshot(snapshot.file);
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
    const broken = path.join(snapshot.dir, 'broken.json');
    const resources = snapshotResources(330, random(7));
    // Entry 2,500 has no type: read whole, the snapshot is refused; read in batches, what was evaluated is taken back.
    resources.splice(2500, 0, { name: 'no-type' });
    writeFileSync(broken, JSON.stringify({ value: resources }, null, 1));
    const document = await evaluateRepository({
      cwd: snapshot.dir,
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

  it('closes what its findings were written to when the run fails after writing them out', async () => {
    // An existence condition holds every template until all are read; the progress report after the first fails.
    const vaults = Array.from({ length: 30 }, (_, i) => ({
      type: 'Microsoft.KeyVault/vaults',
      apiVersion: '2023-07-01',
      name: `kv${i}`,
      location: 'westus',
      properties: { tenantId: '11111111-1111-1111-1111-111111111111', sku: { family: 'A', name: 'standard' } }
    }));
    writeFileSync(
      path.join(snapshot.dir, 'vaults.json'),
      JSON.stringify({
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: vaults
      })
    );
    writeFileSync(
      path.join(snapshot.dir, 'vault-diagnostics.json'),
      JSON.stringify({
        name: 'vault-diagnostics',
        properties: {
          displayName: 'Key vaults keep diagnostic settings',
          mode: 'Indexed',
          policyRule: {
            if: { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
            then: { effect: 'auditIfNotExists', details: { type: 'Microsoft.Insights/diagnosticSettings' } }
          }
        }
      })
    );
    const opened = openFindingsFiles();
    let reports = 0;
    const run = evaluateRepositoryStreamed({
      cwd: snapshot.dir,
      policies: POLICIES,
      definitions: ['vault-diagnostics.json'],
      templates: ['vaults.json'],
      heldFindings: 20,
      progress: step => {
        if (step !== 'evaluating resources') return;
        reports++;
        if (opened) expect(openFindingsFiles()).toHaveLength(opened.length + 1);
        throw new Error('the progress line failed');
      }
    });
    await expect(run).rejects.toThrow('the progress line failed');
    expect(reports).toBe(1);
    if (opened) expect(openFindingsFiles()).toEqual(opened);
  });

  it('holds of a snapshot only the types existence conditions look for, with the verdicts of the whole snapshot', async () => {
    const next = random(11);
    const resources = snapshotResources(150, next) as { id: string; type: string }[];
    // Diagnostic settings for a third of the vaults, scattered: before and after their vaults, batches apart.
    const vaults = resources.filter(r => r.type === 'Microsoft.KeyVault/vaults');
    vaults.forEach((vault, i) => {
      if (i % 3) return;
      const setting = {
        id: `${vault.id}/providers/Microsoft.Insights/diagnosticSettings/audit`,
        name: 'audit',
        type: 'Microsoft.Insights/diagnosticSettings',
        properties: { logs: [{ category: 'AuditEvent', enabled: i % 2 === 0 }] }
      };
      resources.splice(Math.floor(next() * resources.length), 0, setting);
    });
    writeFileSync(path.join(snapshot.dir, 'with-settings.json'), snapshotText(resources));
    const definition = (name: string, type: string, existenceCondition: object) => ({
      name,
      properties: {
        displayName: name,
        mode: 'Indexed',
        policyRule: {
          if: { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
          then: { effect: 'auditIfNotExists', details: { type, existenceCondition } }
        }
      }
    });
    mkdirSync(path.join(snapshot.dir, 'existence'), { recursive: true });
    const definitions = [
      definition('vault-audit-logs', 'Microsoft.Insights/diagnosticSettings', {
        field: 'Microsoft.Insights/diagnosticSettings/logs[*].enabled',
        equals: 'true'
      }),
      // Its own type: the vault evaluated is among the resources it looks at, once.
      definition('vault-purge-in-group', 'Microsoft.KeyVault/vaults', {
        field: 'Microsoft.KeyVault/vaults/enablePurgeProtection',
        equals: 'true'
      })
    ];
    definitions.forEach(d => writeFileSync(path.join(snapshot.dir, 'existence', `${d.name}.json`), JSON.stringify(d)));
    const document = await evaluateRepository({
      cwd: snapshot.dir,
      definitions: ['existence'],
      resources: ['with-settings.json'],
      heldFindings: 50
    });
    expect(document.errors).toEqual([]);
    const loaded = definitions.map(json => loadDefinition({ file: null, json }));
    expect(loaded.map(d => d.relatedTypes)).toEqual([
      ['microsoft.insights/diagnosticsettings'],
      ['microsoft.keyvault/vaults']
    ]);
    const whole = evaluateDefinitions(loaded, loadResourceSnapshot(path.join(snapshot.dir, 'with-settings.json')));
    const byKey = (a: string[], b: string[]) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1);
    expect(document.findings.map(verdictOf).sort(byKey)).toEqual(whole.map(verdictOf).sort(byKey));
    expect(new Set(whole.map(f => `${f.definition} ${f.verdict}`))).toEqual(
      new Set([
        'vault-audit-logs compliant',
        'vault-audit-logs indeterminate',
        'vault-audit-logs noncompliant',
        'vault-purge-in-group compliant',
        'vault-purge-in-group noncompliant'
      ])
    );
  });

  it('pairs a snapshot given beside templates and a base once with the base, not twice', async () => {
    const account = (keySource: string) => ({
      type: 'Microsoft.CognitiveServices/accounts',
      apiVersion: '2024-10-01',
      name: 'acct',
      location: 'westus',
      kind: 'AIServices',
      identity: { type: 'SystemAssigned' },
      properties: { encryption: { keySource } }
    });
    const template = (keySource: string) =>
      JSON.stringify({
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [account(keySource)]
      });
    mkdirSync(path.join(snapshot.dir, 'head'), { recursive: true });
    mkdirSync(path.join(snapshot.dir, 'base'), { recursive: true });
    writeFileSync(path.join(snapshot.dir, 'head', 'main.json'), template('Microsoft.CognitiveServices'));
    writeFileSync(path.join(snapshot.dir, 'base', 'main.json'), template('Microsoft.KeyVault'));
    writeFileSync(
      path.join(snapshot.dir, 'live-accounts.json'),
      JSON.stringify([
        {
          ...account('Microsoft.CognitiveServices'),
          id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct'
        }
      ])
    );
    const document = await evaluateRepository({
      cwd: snapshot.dir,
      policies: POLICIES,
      templates: ['head/main.json'],
      baseTemplates: ['base/main.json'],
      resources: ['live-accounts.json']
    });
    const switched = document.findings.filter(f => f.definition === 'cmk-no-key-type-switch');
    expect(switched.map(f => f.resource.file)).toEqual(['head/main.json', 'live-accounts.json']);
  });
});
