/**
 * `cmk-guard compliance`: Azure Policy's own compliance states for the pack's initiative, read by
 * the real @azure/arm-policyinsights client from the loopback ARM (every page a POST, as the
 * contract says), with on-demand scans followed as long-running operations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { managementGroupRoutes } from '../support/arm-managementgroups.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { resourceGraphModule, resourceGraphState, seedManagementGroup } from '../support/arm-resourcegraph.js';
import {
  policyInsightsModule,
  policyInsightsState,
  policyStateRecord,
  type PolicyStateRecord
} from '../support/arm-policyinsights.js';
import { runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';

const MG = '/providers/Microsoft.Management/managementGroups/contoso';
const INITIATIVE = `${MG}/providers/Microsoft.Authorization/policySetDefinitions/cmk-guard-foundry-tools`;
const ASSIGNMENT = `${MG}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-t`;

function record(
  sub: string,
  name: string,
  rule: string,
  state: PolicyStateRecord['complianceState'],
  type = 'Microsoft.CognitiveServices/accounts',
  initiative = INITIATIVE
): PolicyStateRecord {
  return policyStateRecord({
    resourceId: `/subscriptions/${sub}/resourceGroups/rg-ai/providers/${type}/${name}`,
    resourceType: type,
    complianceState: state as never,
    policyAssignmentId: ASSIGNMENT,
    policySetDefinitionId: initiative,
    policyDefinitionReferenceId: rule
  });
}

describe('compliance: Azure Policy’s states for the initiative', () => {
  let server: ArmServer;
  let dir: string;
  const cli = (...args: string[]) => runCliAgainst(server, dir, args);
  /** `compliance --trigger-scan` at MG, where each subscription's scan finds its one account compliant. */
  const scanEverySubscription = (state: ReturnType<typeof policyInsightsState>) => {
    for (const sub of SUBSCRIPTIONS)
      state.scanResults.set(`/subscriptions/${sub}`, [
        record(sub, `openai-${sub.slice(0, 1)}`, 'foundry-tools-cmk', 'Compliant')
      ]);
    return cli('compliance', '--scope', MG, '--trigger-scan', '--arm-endpoint', server.url, '--format', 'json');
  };

  beforeEach(async () => {
    server = await startArmServer({ modules: [resourceGraphModule, policyInsightsModule, exemptionsModule] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-compliance-'));
    seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
    const state = policyInsightsState(server);
    state.groups.set('contoso', new Set(SUBSCRIPTIONS));
    state.records.push(
      record(SUBSCRIPTIONS[0], 'openai-1', 'foundry-tools-cmk', 'NonCompliant'),
      record(SUBSCRIPTIONS[0], 'openai-2', 'foundry-tools-cmk', 'Compliant'),
      record(SUBSCRIPTIONS[1], 'vault-1', 'key-vault-soft-delete', 'Conflict', 'Microsoft.KeyVault/vaults'),
      record(SUBSCRIPTIONS[2], 'vault-2', 'key-vault-purge-protection', 'NonCompliant', 'Microsoft.KeyVault/vaults'),
      // Another initiative's state, at the same scope: not ours.
      record(
        SUBSCRIPTIONS[0],
        'openai-1',
        'something-else',
        'NonCompliant',
        'Microsoft.CognitiveServices/accounts',
        `${MG}/providers/Microsoft.Authorization/policySetDefinitions/other`
      )
    );
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports each resource and rule of the initiative, named by the rule, every page a POST', async () => {
    policyInsightsState(server).pageSize = 2;
    const run = await cli('compliance', '--scope', MG, '--arm-endpoint', server.url, '--format', 'json');
    expect(run.code).toBe(1);
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.findings.map(f => [f.definition, f.resource.name, f.resource.type, f.verdict, f.severity])).toEqual(
      [
        ['foundry-tools-cmk', 'openai-1', 'Microsoft.CognitiveServices/accounts', 'noncompliant', 'error'],
        ['foundry-tools-cmk', 'openai-2', 'Microsoft.CognitiveServices/accounts', 'compliant', 'error'],
        ['key-vault-soft-delete', 'vault-1', 'Microsoft.KeyVault/vaults', 'indeterminate', 'error'],
        ['key-vault-purge-protection', 'vault-2', 'Microsoft.KeyVault/vaults', 'noncompliant', 'error']
      ]
    );
    const [first] = document.findings;
    expect(first.displayName).toBe('Foundry Tools accounts should encrypt data at rest with a customer-managed key');
    expect(first.message).toBe(
      'Foundry Tools accounts should encrypt data at rest with a customer-managed key: Azure Policy reports this resource noncompliant (evaluated 2026-12-01T10:00:00.000Z).'
    );
    expect(first.remediation).toMatch(/\S/);
    expect(first.resource.id).toBe(
      `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/openai-1`
    );
    expect(document.findings[2].reason).toBe(
      "Azure Policy's compliance state 'Conflict', which is neither compliant nor noncompliant"
    );
    expect(document.summary).toMatchObject({ resources: 4, compliant: 1, noncompliant: 2, indeterminate: 1 });

    const queries = server.requests.filter(r => /queryResults$/i.test(r.path));
    expect(queries.map(r => r.method)).toEqual(['POST', 'POST']);
    expect(
      queries.every(r => r.path === `${MG}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults`)
    ).toBe(true);
    expect(queries.every(r => r.query.$filter === `policySetDefinitionId eq '${INITIATIVE.toLowerCase()}'`)).toBe(true);
    expect(queries.map(r => r.query.$skiptoken === undefined)).toEqual([true, false]);
    expect(queries.every(r => r.apiVersion === '2024-10-01')).toBe(true);
  });

  it('reads the states at the assignment scope when it is below the definitions', async () => {
    const sub = `/subscriptions/${SUBSCRIPTIONS[0]}`;
    const run = await cli(
      'compliance',
      '--scope',
      MG,
      '--assignment-scope',
      sub,
      '--arm-endpoint',
      server.url,
      '--format',
      'json'
    );
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.findings.map(f => f.resource.name)).toEqual(['openai-1', 'openai-2']);
    expect(server.requests[0].path).toBe(`${sub}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults`);
  });

  it('writes SARIF without file locations: the resource id is the location', async () => {
    const run = await cli('compliance', '--scope', MG, '--arm-endpoint', server.url, '--format', 'sarif');
    const sarif = JSON.parse(run.out) as SarifLog;
    const results = sarif.runs[0].results;
    expect(results.map(r => r.ruleId).sort()).toEqual([
      'foundry-tools-cmk',
      'key-vault-purge-protection',
      'key-vault-soft-delete'
    ]);
    for (const result of results) {
      expect(result.locations[0].physicalLocation).toBeUndefined();
      expect(result.locations[0].logicalLocations?.[0].fullyQualifiedName).toMatch(/^\/subscriptions\/.+\/rg-ai\//);
    }
  });

  it('with --trigger-scan, scans every subscription under the group, waits for each, then reads', async () => {
    const state = policyInsightsState(server);
    const run = await scanEverySubscription(state);
    expect(run.code).toBe(0);
    expect(state.scans.sort()).toEqual(SUBSCRIPTIONS.map(s => `/subscriptions/${s}`));
    const triggers = server.requests.filter(r => /triggerEvaluation$/.test(r.path));
    expect(triggers.map(r => [r.method, r.apiVersion])).toEqual(SUBSCRIPTIONS.map(() => ['POST', '2024-10-01']));
    // Each scan's Location was polled until it ended (2 × 202, then 200), before any state was read.
    const polls = server.requests.filter(r => /asyncOperationResults/.test(r.path));
    const byScan = new Map<string, typeof polls>();
    for (const poll of polls) byScan.set(poll.path, [...(byScan.get(poll.path) ?? []), poll]);
    expect([...byScan.values()].map(each => each.map(r => r.status))).toEqual(SUBSCRIPTIONS.map(() => [202, 202, 200]));
    // Waited for together: every scan was polled once before any was polled again.
    const firstPolls = [...byScan.values()].map(each => polls.indexOf(each[0]));
    const secondPolls = [...byScan.values()].map(each => polls.indexOf(each[1]));
    expect(Math.max(...firstPolls)).toBeLessThan(Math.min(...secondPolls));
    const firstQuery = server.requests.findIndex(r => /queryResults$/.test(r.path));
    expect(firstQuery).toBeGreaterThan(server.requests.lastIndexOf(polls.at(-1)!));
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.findings.map(f => [f.resource.name, f.verdict])).toEqual([
      ['openai-1', 'compliant'],
      ['openai-2', 'compliant'],
      ['openai-3', 'compliant']
    ]);
    expect(run.err).toContain(`Started a compliance scan of /subscriptions/${SUBSCRIPTIONS[0]}.`);
  });

  it('with --trigger-scan, passes over a disabled subscription, by its state or by Azure refusing the scan, and scans the rest', async () => {
    // Resource Graph gives SUBSCRIPTIONS[1]'s state; SUBSCRIPTIONS[2] was disabled after Resource Graph indexed it.
    resourceGraphState(server).subscriptionStates.set(SUBSCRIPTIONS[1].toLowerCase(), 'Disabled');
    const state = policyInsightsState(server);
    state.readOnly.add(SUBSCRIPTIONS[2].toLowerCase());
    const run = await scanEverySubscription(state);
    expect(run.code).toBe(1);
    expect(state.scans).toEqual([`/subscriptions/${SUBSCRIPTIONS[0]}`]);
    const triggers = server.requests.filter(r => /triggerEvaluation$/.test(r.path));
    expect(triggers.map(r => [r.path.split('/')[2], r.status])).toEqual([
      [SUBSCRIPTIONS[0], 202],
      [SUBSCRIPTIONS[2], 409]
    ]);
    expect(run.err).toContain(
      `Not scanned: subscription ${SUBSCRIPTIONS[1].toLowerCase()} is Disabled, and Azure takes no write there.`
    );
    expect(run.err).toContain(
      `Not scanned: /subscriptions/${SUBSCRIPTIONS[2].toLowerCase()} is read-only (Azure answered ReadOnlyDisabledSubscription).`
    );
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.findings.map(f => [f.resource.name, f.verdict])).toEqual([
      // The states of the subscriptions not scanned are read as Azure last had them.
      ['vault-1', 'indeterminate'],
      ['vault-2', 'noncompliant'],
      ['openai-1', 'compliant']
    ]);
  });

  it('with --trigger-scan on an endpoint without Resource Graph, finds the subscriptions with the Management Groups API', async () => {
    await server.close();
    server = await startArmServer({ modules: [policyInsightsModule, exemptionsModule, managementGroupRoutes] });
    seedManagementGroup(server, 'contoso', { children: ['online'] });
    seedManagementGroup(server, 'online', { subscriptions: SUBSCRIPTIONS });
    const state = policyInsightsState(server);
    state.groups.set('contoso', new Set(SUBSCRIPTIONS));
    const run = await scanEverySubscription(state);
    expect(run.err).not.toContain('Resource Graph');
    expect(run.code).toBe(0);
    expect(server.requests.some(r => /resources$/i.test(r.path) && r.status === 404)).toBe(true);
    expect(state.scans.sort()).toEqual(SUBSCRIPTIONS.map(s => `/subscriptions/${s}`));
  });

  it('stops waiting for a scan after --scan-timeout and says so', async () => {
    const state = policyInsightsState(server);
    state.scanPolls = 1_000_000;
    state.scanRetryAfter = 1;
    const sub = `/subscriptions/${SUBSCRIPTIONS[1]}`;
    const run = await cli(
      'compliance',
      '--scope',
      sub,
      '--trigger-scan',
      '--scan-timeout',
      '1',
      '--arm-endpoint',
      server.url
    );
    expect(run.code).toBe(2);
    expect(run.err).toMatch(
      /the operation did not end within 1 s while waiting for the compliance scan of \/subscriptions\/2{8}-.* \(the scan timeout is 1 s\)/
    );
    expect(server.requests.some(r => /queryResults$/.test(r.path))).toBe(false);
  });

  it('says when Azure holds no state for the initiative (not assigned, or not evaluated yet)', async () => {
    policyInsightsState(server).records.length = 0;
    const run = await cli('compliance', '--scope', MG, '--arm-endpoint', server.url, '--format', 'json');
    expect(run.code).toBe(0);
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.skipped).toEqual([
      {
        file: '(management group contoso)',
        reason: `Azure Policy holds no compliance state for the initiative ${INITIATIVE} here: it is not assigned at or below this scope, or Azure has not evaluated it yet (use --trigger-scan).`
      }
    ]);
  });

  it('refuses a resource group as the definitions scope and a bad --scan-timeout, before any request', async () => {
    const rg = await cli(
      'compliance',
      '--scope',
      `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg`,
      '--arm-endpoint',
      server.url
    );
    expect(rg.code).toBe(2);
    expect(rg.err).toMatch(/--scope is a resource group, where Azure keeps no policy definitions/);
    const timeout = await cli('compliance', '--scope', MG, '--trigger-scan', '--scan-timeout', 'soon');
    expect(timeout.code).toBe(2);
    expect(timeout.err).toMatch(/--scan-timeout is 'soon'; give a whole number of seconds/);
    expect(server.requests).toHaveLength(0);
  });
});
