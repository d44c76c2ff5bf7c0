/**
 * `cmk-guard evaluate --scope`: the live resources of a scope, read through Resource Graph by the
 * real @azure/arm-resourcegraph client from the loopback ARM, in the CLI's own process as a user
 * runs it (`--arm-endpoint`, CMK_GUARD_AZURE_TOKEN). The same over 5,000 resources is
 * live-scale.corpus.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import {
  resourceGraphModule,
  resourceGraphState,
  seedManagementGroup,
  seedResources,
  type Row
} from '../support/arm-resourcegraph.js';
import {
  findingEssence,
  generateEstate,
  isUncovered,
  OUTSIDE,
  runCliAgainst,
  SUBSCRIPTIONS
} from '../support/live-estate.js';

const MG = '/providers/Microsoft.Management/managementGroups/contoso';

describe('evaluate --scope: a live scope through Resource Graph', () => {
  let server: ArmServer;
  let dir: string;
  let rows: Row[];
  const cli = (...args: string[]) => runCliAgainst(server, dir, args);
  const evaluate = async (scope: string, format = 'json') => {
    const run = await cli('evaluate', '--scope', scope, '--arm-endpoint', server.url, '--format', format);
    return { ...run, document: format === 'json' ? (JSON.parse(run.out) as FindingsDocument) : undefined };
  };

  beforeAll(async () => {
    server = await startArmServer({ modules: [resourceGraphModule, exemptionsModule] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-live-'));
    // Three subscriptions: two in the group, one in a group nested under it.
    seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS.slice(0, 2), children: ['contoso-prod'] });
    seedManagementGroup(server, 'contoso-prod', { subscriptions: SUBSCRIPTIONS.slice(2) });
    rows = seedResources(server, generateEstate({ count: 1300, uncovered: 150 }));
    seedResources(server, generateEstate({ count: 40, subscriptions: [OUTSIDE], seed: 99 }));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.requests.length = 0;
    resourceGraphState(server).queries.length = 0;
    server.setFaults(undefined);
  });

  it('reads every subscription under a management group, in pages, and finds what a snapshot of it finds', async () => {
    const { code, document } = await evaluate(MG);
    expect(code).toBe(1);
    // The resources (a management group's exemptions are listed per subscription: one more query names them).
    const queries = resourceGraphState(server).queries.filter(q => String(q.query).startsWith('resources\n'));
    // 1,300 rows: a page of 1,000, then the rest with the $skipToken the first answer gave.
    expect(queries.map(q => (q.options as { $skipToken?: string }).$skipToken === undefined)).toEqual([true, false]);
    for (const query of queries) {
      expect(query.managementGroups).toEqual(['contoso']);
      expect((query.options as { $top: number }).$top).toBe(1000);
      expect(query.query).toBe(
        [
          'resources',
          "| where type in~ ('microsoft.cognitiveservices/accounts', 'microsoft.keyvault/vaults', 'microsoft.machinelearningservices/workspaces', 'microsoft.storage/storageaccounts')",
          '| order by id asc'
        ].join('\n')
      );
    }
    const graph = server.requests.filter(r => r.path === '/providers/Microsoft.ResourceGraph/resources');
    expect(graph.every(r => r.apiVersion === '2024-04-01')).toBe(true);
    // Exemptions in Azure (none here) are read as well: one list per subscription, on the same pipeline.
    const exemptionLists = server.requests.filter(r =>
      r.path.endsWith('/providers/Microsoft.Authorization/policyExemptions')
    );
    expect(exemptionLists.map(r => [r.path.split('/')[2], r.apiVersion])).toEqual(
      expect.arrayContaining(SUBSCRIPTIONS.map(s => [s, '2022-07-01-preview']))
    );
    expect(document!.summary.resources).toBe(1300);

    // The same rows as a snapshot file (what `az graph query` writes), evaluated as files are.
    const covered = rows.filter(r => !isUncovered(r));
    writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify({ count: covered.length, data: covered }));
    const fromFile = await cli('evaluate', '--resources', 'snapshot.json', '--format', 'json');
    const snapshot = JSON.parse(fromFile.out) as FindingsDocument;
    // Rules that run in pull requests only relate resources of one deployment; an assignment has none of them.
    const policyFindings = snapshot.findings.filter(f => f.enforcement !== 'pr-only');
    expect(document!.findings.map(findingEssence).sort()).toEqual(policyFindings.map(findingEssence).sort());

    const verdicts = new Set(document!.findings.map(f => `${f.definition}:${f.verdict}`));
    for (const rule of ['foundry-tools-cmk', 'key-vault-soft-delete', 'key-vault-purge-protection', 'ai-hub-cmk'])
      for (const verdict of ['compliant', 'noncompliant']) expect(verdicts).toContain(`${rule}:${verdict}`);
    expect(document!.findings.every(f => f.resource.file === null)).toBe(true);
    expect(new Set(document!.findings.map(f => f.resource.id.split('/')[2]))).toEqual(new Set(SUBSCRIPTIONS));
    expect(document!.skipped).toEqual([
      { file: '(management group contoso)', reason: expect.stringMatching(/pull requests only/) }
    ]);
  });

  it('ends at the same findings when 30% of the requests fail (429, 500, dropped connections)', async () => {
    const scopes = [
      MG,
      ...SUBSCRIPTIONS.map(s => `/subscriptions/${s}`),
      `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg-0`
    ];
    const clean = [];
    for (const scope of scopes) clean.push((await evaluate(scope)).document!.findings.map(findingEssence));
    server.setFaults({ rate: 0.3, seed: 3, kinds: ['throttle', 'server-error', 'reset'] });
    for (const [i, scope] of scopes.entries())
      expect((await evaluate(scope)).document!.findings.map(findingEssence)).toEqual(clean[i]);
    expect(new Set(server.requests.map(r => r.fault).filter(Boolean))).toEqual(
      new Set(['throttle', 'server-error', 'reset'])
    );
  });

  it('waits out Resource Graph’s own throttling (quota headers, no Retry-After) and goes on', async () => {
    resourceGraphState(server).throttleNext = 2;
    const sub = `/subscriptions/${SUBSCRIPTIONS[0]}`;
    const { document } = await evaluate(sub);
    expect(server.requests.filter(r => r.status === 429)).toHaveLength(2);
    expect(resourceGraphState(server).queries.at(-1)?.subscriptions).toEqual([SUBSCRIPTIONS[0]]);
    expect(document!.findings.length).toBeGreaterThan(0);
    expect(document!.findings.every(f => f.resource.id.startsWith(`${sub}/`))).toBe(true);
  });

  it('reads one resource group of a subscription', async () => {
    const scope = `/subscriptions/${SUBSCRIPTIONS[1]}/resourceGroups/rg-1`;
    const { document } = await evaluate(scope);
    const [query] = resourceGraphState(server).queries;
    expect(query.subscriptions).toEqual([SUBSCRIPTIONS[1]]);
    expect(query.query).toContain("| where resourceGroup =~ 'rg-1'");
    expect(document!.findings.length).toBeGreaterThan(0);
    expect(document!.findings.every(f => f.resource.id.toLowerCase().startsWith(`${scope.toLowerCase()}/`))).toBe(true);
  });

  it('names each resource by id in the text report and in SARIF, which has no file location', async () => {
    const scope = `/subscriptions/${SUBSCRIPTIONS[2]}/resourceGroups/rg-2`;
    const text = await evaluate(scope, 'text');
    expect(text.out).toMatch(/^ {4}id: \/subscriptions\/33333333-3333-3333-3333-333333333333\/resourceGroups\/rg-2\//m);
    const sarif = JSON.parse((await evaluate(scope, 'sarif')).out) as SarifLog;
    const results = sarif.runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result.locations[0].physicalLocation).toBeUndefined();
      expect(result.locations[0].logicalLocations?.[0].fullyQualifiedName).toMatch(/^\/subscriptions\//);
    }
  });

  it('refuses a result Resource Graph cut short, rather than evaluate part of the scope', async () => {
    resourceGraphState(server).truncate = true;
    try {
      const run = await cli('evaluate', '--scope', MG, '--arm-endpoint', server.url);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/Resource Graph cut its answer short .*cmk-guard evaluates all of a scope or nothing/);
      expect(run.out).toBe('');
    } finally {
      resourceGraphState(server).truncate = false;
    }
  });

  it('refuses an answer Resource Graph gave for only the first subscriptions of the scope (x-ms-tenant-subscription-limit-hit)', async () => {
    // Past 10,000 subscriptions in a management group's or the tenant's query, Resource Graph answers for the first
    // 10,000 and says so in a header only (guidance-for-throttled-requests): not the scope, but part of it.
    // The group holds three subscriptions (two in it, one in a group below it).
    resourceGraphState(server).subscriptionLimit = 2;
    try {
      const run = await cli('evaluate', '--scope', MG, '--arm-endpoint', server.url);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(
        /Resource Graph answered for only part of the scope .*x-ms-tenant-subscription-limit-hit.*cmk-guard evaluates all of a scope or nothing/
      );
      expect(run.out).toBe('');
    } finally {
      resourceGraphState(server).subscriptionLimit = undefined;
    }
  });

  it('refuses a scope that is not one, and says how to write it, before any request', async () => {
    const run = await cli('evaluate', '--scope', 'contoso', '--arm-endpoint', server.url);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--scope is 'contoso', which is not an Azure scope; write/);
    expect(server.requests).toHaveLength(0);
  });

  it('says so when Resource Graph refuses the token, without printing it', async () => {
    const run = await runCliAgainst(server, dir, ['evaluate', '--scope', MG, '--arm-endpoint', server.url], {
      CMK_GUARD_AZURE_TOKEN: 'wrong-token-value'
    });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/401 InvalidAuthenticationToken while reading the resources of management group contoso/);
    expect(run.err).not.toContain('wrong-token-value');
  });
});
