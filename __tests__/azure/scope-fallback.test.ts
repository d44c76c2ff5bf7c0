/**
 * Without --scope, `compliance` and `evaluate --live` act on the scope `plan` and `deploy` take from cmk-guard.yaml:
 * `azure.scope`, else the subscription `azure.subscription-id` names (the base's with --base where the change sets
 * it otherwise), with the same precedence and the same error when nothing gives one (config/settings.ts azureScope).
 * Where they connect stays what the flags say. Against the loopback ARM, through the CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { policyModule } from '../support/arm-policy.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';
import { policyInsightsModule, policyInsightsState, policyStateRecord } from '../support/arm-policyinsights.js';
import { generateEstate, runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';
import { git, initRepository } from '../support/git.js';

const MG = '/providers/Microsoft.Management/managementGroups/contoso';
const [ONE, TWO] = SUBSCRIPTIONS;
const initiative = (scope: string) =>
  `${scope}/providers/Microsoft.Authorization/policySetDefinitions/cmk-guard-foundry-tools`;
const statesAt = (scope: string) => `${scope}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults`;

let server: ArmServer;
let dir: string;

beforeEach(async () => {
  server = await startArmServer({
    modules: [policyModule, exemptionsModule, resourceGraphModule, policyInsightsModule]
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-scope-fallback-'));
  seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
  seedResources(server, generateEstate({ count: 30 }));
  const states = policyInsightsState(server);
  states.groups.set('contoso', new Set(SUBSCRIPTIONS));
  for (const sub of [ONE, TWO])
    states.records.push(
      policyStateRecord({
        resourceId: `/subscriptions/${sub}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/openai-${sub.slice(0, 1)}`,
        resourceType: 'Microsoft.CognitiveServices/accounts',
        complianceState: 'NonCompliant',
        policyAssignmentId: `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-t`,
        policySetDefinitionId: initiative(`/subscriptions/${sub}`),
        policyDefinitionReferenceId: 'foundry-tools-cmk'
      })
    );
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (text: string) => writeFileSync(path.join(dir, 'cmk-guard.yaml'), text);
const cli = (...args: string[]) =>
  runCliAgainst(server, dir, [...args, '--arm-endpoint', server.url, '--format', 'json']);
const queried = () => server.requests.filter(r => /queryResults$/i.test(r.path)).map(r => r.path);
/** The subscriptions and management groups each Resource Graph query was scoped to. */
const graphScopes = () =>
  server.requests
    .filter(r => /Microsoft\.ResourceGraph\/resources$/i.test(r.path))
    .map(r => {
      const body = r.body as { subscriptions?: string[]; managementGroups?: string[] };
      return [...(body.subscriptions ?? []), ...(body.managementGroups ?? [])].join(',');
    });

describe('compliance without --scope', () => {
  it("reads the states at the subscription the file's azure.subscription-id names", async () => {
    config(`azure:\n  subscription-id: ${ONE.toUpperCase()}\n`);
    const run = await cli('compliance');
    expect(run.err).not.toContain('needs --scope');
    expect(queried()).toEqual([statesAt(`/subscriptions/${ONE}`)]);
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.findings.map(f => f.resource.name)).toEqual([`openai-${ONE.slice(0, 1)}`]);
  });

  it('takes azure.scope over azure.subscription-id, --scope over both, and azure.assignment-scope as plan does', async () => {
    config(`azure:\n  scope: /subscriptions/${TWO}\n  subscription-id: ${ONE}\n`);
    await cli('compliance');
    expect(queried()).toEqual([statesAt(`/subscriptions/${TWO}`)]);
    server.requests.length = 0;
    await cli('compliance', '--scope', `/subscriptions/${ONE}`);
    expect(queried()).toEqual([statesAt(`/subscriptions/${ONE}`)]);
    server.requests.length = 0;
    // Published at the group, assigned at a subscription: the states are read where the initiative is assigned.
    config(`azure:\n  scope: ${MG}\n  assignment-scope: /subscriptions/${ONE}\n`);
    await cli('compliance');
    expect(queried()).toEqual([statesAt(`/subscriptions/${ONE}`)]);
  });

  it('with neither, says every way to give one, as plan does', async () => {
    config('azure:\n  owner: platform\n');
    const run = await cli('compliance');
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      'compliance needs --scope (a management group or subscription), or `azure.scope` or `azure.subscription-id` in cmk-guard.yaml.'
    );
    expect(server.requests).toEqual([]);
  });
});

describe('evaluate --live', () => {
  it("reads the live resources of the subscription the file's azure.subscription-id names", async () => {
    config(`azure:\n  subscription-id: ${ONE}\n`);
    const run = await cli('evaluate', '--live');
    expect(run.err).not.toContain('nothing to evaluate');
    expect(graphScopes().length).toBeGreaterThan(0);
    expect(new Set(graphScopes())).toEqual(new Set([ONE]));
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.summary.resources).toBeGreaterThan(0);
    expect(document.findings.every(f => f.resource.id.startsWith(`/subscriptions/${ONE}/`))).toBe(true);
  });

  it('takes azure.scope over the subscription, and --scope over both', async () => {
    config(`azure:\n  scope: ${MG}\n  subscription-id: ${ONE}\n`);
    await cli('evaluate', '--live');
    expect(new Set(graphScopes())).toEqual(new Set(['contoso']));
    server.requests.length = 0;
    await cli('evaluate', '--live', '--scope', `/subscriptions/${TWO}`);
    expect(new Set(graphScopes())).toEqual(new Set([TWO]));
  });

  it('without --live, the file does not make evaluate read Azure', async () => {
    config(`azure:\n  subscription-id: ${ONE}\n`);
    writeFileSync(
      path.join(dir, 'main.json'),
      JSON.stringify({
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: []
      })
    );
    const run = await cli('evaluate', '--templates', 'main.json');
    expect(run.code).toBe(0);
    expect(server.requests).toEqual([]);
  });

  it('with neither a scope nor a subscription, says every way to give one', async () => {
    config('azure:\n  owner: platform\n');
    const run = await cli('evaluate', '--live');
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      'evaluate --live needs --scope (a management group, subscription or resource group), or `azure.scope` or `azure.subscription-id` in cmk-guard.yaml.'
    );
    expect(server.requests).toEqual([]);
  });

  it("with --base, a change that names another subscription reads the base's, and says so", async () => {
    initRepository(dir);
    config(`azure:\n  subscription-id: ${ONE}\n`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base');
    const base = git(dir, 'rev-parse', 'HEAD');
    config(`azure:\n  subscription-id: ${TWO}\n`);
    const run = await cli('evaluate', '--live', '--base', base);
    expect(new Set(graphScopes())).toEqual(new Set([ONE]));
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.skipped?.filter(s => s.atBase).map(s => s.reason.split(' ')[0])).toEqual([
      '`azure.subscription-id`'
    ]);
  });
});
