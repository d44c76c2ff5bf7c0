/**
 * Live evaluation at scale (issue #12's measure): 5,000 resources in 3 subscriptions under a
 * management group, read by Resource Graph in pages of 1,000, give exactly the findings the seeded
 * estate holds (counted rule by rule, and for the simple rules recounted from the rows), and the
 * findings a snapshot file of the same resources gives. In the corpus suite because it takes tens of seconds (the
 * snapshot's relation rule relates every account to every vault).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import {
  resourceGraphModule,
  resourceGraphState,
  seedManagementGroup,
  seedResources
} from '../support/arm-resourcegraph.js';
import { findingEssence, generateEstate, isUncovered, runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';

describe('evaluate --scope over 5,000 resources', () => {
  let server: ArmServer;
  let dir: string;
  beforeAll(async () => {
    server = await startArmServer({ modules: [resourceGraphModule, exemptionsModule] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-live-scale-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads 3 subscriptions in pages of 1,000 and finds what a snapshot of them finds', async () => {
    seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
    const rows = seedResources(server, generateEstate({ count: 5000, uncovered: 1000 }));
    const live = await runCliAgainst(server, dir, [
      'evaluate',
      '--scope',
      '/providers/Microsoft.Management/managementGroups/contoso',
      '--arm-endpoint',
      server.url,
      '--format',
      'json'
    ]);
    const document = JSON.parse(live.out) as FindingsDocument;
    const queries = resourceGraphState(server).queries.filter(q => String(q.query).startsWith('resources\n'));
    expect(queries).toHaveLength(5);
    expect(queries.slice(1).every(q => typeof (q.options as { $skipToken?: unknown }).$skipToken === 'string')).toBe(
      true
    );
    expect(document.summary.resources).toBe(5000);
    expect(new Set(document.findings.map(f => f.resource.id.split('/')[2]))).toEqual(new Set(SUBSCRIPTIONS));

    // Exact counts, rule by rule: the seeded estate always has these.
    const table = verdictsByRule(document.findings);
    expect(table).toEqual({
      'ai-hub-cmk': { compliant: 255, noncompliant: 235 },
      'ai-hub-hbi': { compliant: 245, noncompliant: 245 },
      'dependent-storage-cmk': { compliant: 499, noncompliant: 473 },
      'foundry-tools-cmk': { compliant: 1298, noncompliant: 429 },
      'foundry-tools-cmk-identity': { compliant: 1223, noncompliant: 783 },
      'key-vault-purge-protection': { compliant: 776, noncompliant: 515 },
      'key-vault-soft-delete': { compliant: 1029, noncompliant: 262 }
    });
    expect(document.summary).toMatchObject({ compliant: 5325, noncompliant: 2942, indeterminate: 0, suppressed: 0 });
    const perSubscription = countBy(document.findings, f => f.resource.id.split('/')[2]);
    expect(perSubscription).toEqual({ [SUBSCRIPTIONS[0]]: 2749, [SUBSCRIPTIONS[1]]: 2728, [SUBSCRIPTIONS[2]]: 2790 });
    // The same counts from the generated rows themselves, for the rules whose condition is one property.
    const oracle = expectedFromRows(rows);
    for (const [rule, counts] of Object.entries(oracle)) expect([rule, table[rule]]).toEqual([rule, counts]);

    writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify({ data: rows.filter(r => !isUncovered(r)) }));
    const fromFile = await runCliAgainst(server, dir, ['evaluate', '--resources', 'snapshot.json', '--format', 'json']);
    const snapshot = JSON.parse(fromFile.out) as FindingsDocument;
    const expected = snapshot.findings
      .filter(f => f.enforcement !== 'pr-only')
      .map(findingEssence)
      .sort();
    expect(document.findings.length).toBeGreaterThan(5000);
    expect(document.findings.map(findingEssence).sort()).toEqual(expected);
  });
});

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function verdictsByRule(findings: FindingsDocument['findings']): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const f of findings) {
    table[f.definition] ??= {};
    table[f.definition][f.verdict] = (table[f.definition][f.verdict] ?? 0) + 1;
  }
  return table;
}

type Row = Record<string, unknown> & { type?: unknown; kind?: unknown; properties?: Record<string, unknown> };

/** What each single-condition rule must find, read off the generated resources without the engine. */
function expectedFromRows(rows: readonly Row[]): Record<string, { compliant: number; noncompliant: number }> {
  const of = (type: string) => rows.filter(r => String(r.type).toLowerCase() === type);
  const split = (items: readonly Row[], ok: (r: Row) => boolean) => ({
    compliant: items.filter(ok).length,
    noncompliant: items.filter(r => !ok(r)).length
  });
  const encryption = (r: Row) => (r.properties?.encryption ?? {}) as Record<string, unknown>;
  const vaults = of('microsoft.keyvault/vaults');
  // Bing.Search.v7 is the one generated kind the Foundry Tools rule does not apply to.
  const tools = of('microsoft.cognitiveservices/accounts').filter(r => r.kind !== 'Bing.Search.v7');
  const hubs = of('microsoft.machinelearningservices/workspaces').filter(r => r.kind === 'Hub');
  return {
    'key-vault-soft-delete': split(vaults, r => r.properties?.enableSoftDelete === true),
    'key-vault-purge-protection': split(vaults, r => r.properties?.enablePurgeProtection === true),
    'foundry-tools-cmk': split(tools, r => encryption(r).keySource === 'Microsoft.KeyVault'),
    'dependent-storage-cmk': split(
      of('microsoft.storage/storageaccounts'),
      r => encryption(r).keySource === 'Microsoft.Keyvault'
    ),
    'ai-hub-cmk': split(hubs, r => r.properties?.encryption !== undefined),
    'ai-hub-hbi': split(hubs, r => r.properties?.hbiWorkspace === true)
  };
}
