/**
 * Answers to queries that are not in the documented shape — Policy Insights' states pages, Resource
 * Graph's query answers, policy lists answered with a proxy's HTML page — end in an ArmError that says
 * where the answer is wrong, never a crash (a TypeError) or an empty result read as "nothing there":
 * a page of states without a `value` list read as no states would let `compliance` pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ComplianceStates } from '../../src/azure/compliance.js';
import { ArmError } from '../../src/azure/errors.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { ResourceGraph } from '../../src/azure/resourceGraph.js';
import { parseScope } from '../../src/azure/scope.js';
import { policyInsightsModule, policyInsightsState, policyStateRecord } from '../support/arm-policyinsights.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { policyModule } from '../support/arm-policy.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';
import { startArmServer, type ArmServer, type ScriptedFaultAction } from '../support/arm-server.js';
import { runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';
import { connectWith } from './support.js';

const SUB = parseScope(`/subscriptions/${SUBSCRIPTIONS[0]}`, '--scope');
const MG = '/providers/Microsoft.Management/managementGroups/contoso';
const INITIATIVE = `${MG}/providers/Microsoft.Authorization/policySetDefinitions/cmk-guard-foundry-tools`;

const connect = connectWith({ retry: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 2 } });

const json = (body: unknown): ScriptedFaultAction => ({
  kind: 'answer',
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body)
});
const html: ScriptedFaultAction = {
  kind: 'answer',
  status: 200,
  headers: { 'content-type': 'text/html' },
  body: '<html><body>Signed out. Please sign in to the proxy.</body></html>'
};
const state = (fields: Record<string, unknown>) => ({
  resourceId: `${SUB.id}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a`,
  complianceState: 'NonCompliant',
  ...fields
});

const badStates: [string, ScriptedFaultAction, string][] = [
  [
    'an error body answered 200',
    json({ error: { code: 'InternalError', message: 'try later' } }),
    'the answer has no `value` list'
  ],
  ['a proxy’s HTML page', html, 'the answer is not JSON'],
  ['a list at the top', json([state({})]), 'the answer is a list, not an object'],
  ['value that is a string', json({ value: 'x' }), 'value is a string, not a list'],
  ['value null', json({ value: null }), 'value is null, not a list'],
  ['a state that is null', json({ value: [null] }), 'value[0] is null, not an object'],
  [
    'a state without resourceId',
    json({ value: [{ complianceState: 'NonCompliant' }] }),
    'value[0].resourceId is missing'
  ],
  [
    'a resourceId that is an object',
    json({ value: [state({ resourceId: { a: 1 } })] }),
    'value[0].resourceId is an object, not a string'
  ],
  [
    'a resourceType that is a number',
    json({ value: [state({ resourceType: 5 })] }),
    'value[0].resourceType is a number, not a string'
  ],
  [
    'a complianceState that is a number',
    json({ value: [state({ complianceState: 5 })] }),
    'value[0].complianceState is a number, not a string'
  ],
  [
    'isCompliant that is a string',
    json({ value: [state({ isCompliant: 'yes' })] }),
    'value[0].isCompliant is a string, not true or false'
  ],
  [
    'a timestamp that is not a date',
    json({ value: [state({ timestamp: 'yesterday' })] }),
    'value[0].timestamp is not a date'
  ],
  [
    'a nextLink that is a number',
    json({ value: [], '@odata.nextLink': 5 }),
    '@odata.nextLink is a number, not a string'
  ]
];

describe('Policy Insights pages not in the documented shape', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyInsightsModule] });
  });
  afterEach(() => server.close());

  it.each(badStates)('%s: a clear error saying where, not a crash or no states', async (_name, action, where) => {
    server.scriptFaults([{ method: 'POST', path: /queryResults$/i, action }]);
    const error = (await new ComplianceStates(connect(server))
      .forInitiative(SUB, INITIATIVE)
      .catch((e: unknown) => e)) as ArmError;
    expect(error).toBeInstanceOf(ArmError);
    expect(error.code).toBe('MalformedAnswer');
    expect(error.message).toBe(
      `Resource Manager's answer while reading the compliance states of subscription ${SUBSCRIPTIONS[0]} from Azure Policy is not in the shape its API documents (${where}); cmk-guard stopped before acting on it. Check that the endpoint is Resource Manager, or retry later.`
    );
    expect(server.requests).toHaveLength(1);
  });

  it('reads a page in the documented shape, with null for what is unset, as before', async () => {
    server.scriptFaults([
      {
        method: 'POST',
        path: /queryResults$/i,
        action: json({
          '@odata.context': 'x',
          '@odata.count': 1,
          '@odata.nextLink': null,
          value: [state({ timestamp: '2026-12-06T10:00:00Z', isCompliant: false, policyDefinitionAction: null })]
        })
      }
    ]);
    const records = await new ComplianceStates(connect(server)).forInitiative(SUB, INITIATIVE);
    expect(records).toEqual([
      expect.objectContaining({ complianceState: 'NonCompliant', timestamp: '2026-12-06T10:00:00.000Z', effect: '' })
    ]);
  });
});

describe('compliance on a page of states that is an error answered 200', () => {
  let server: ArmServer;
  let dir: string;
  beforeEach(async () => {
    server = await startArmServer({ modules: [resourceGraphModule, policyInsightsModule, exemptionsModule] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-compliance-shape-'));
    seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
    policyInsightsState(server).groups.set('contoso', new Set(SUBSCRIPTIONS));
    policyInsightsState(server).records.push(
      policyStateRecord({
        resourceId: `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a`,
        resourceType: 'Microsoft.CognitiveServices/accounts',
        complianceState: 'NonCompliant',
        policyAssignmentId: `${MG}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-t`,
        policySetDefinitionId: INITIATIVE,
        policyDefinitionReferenceId: 'foundry-tools-cmk'
      })
    );
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the run (exit 2) instead of passing it as "no compliance state"', async () => {
    server.scriptFaults([
      { method: 'POST', path: /queryResults$/i, action: json({ error: { code: 'GatewayTimeout', message: 'later' } }) }
    ]);
    const run = await runCliAgainst(server, dir, ['compliance', '--scope', MG, '--arm-endpoint', server.url]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('is not in the shape its API documents (the answer has no `value` list)');
    server.scriptFaults();
    const fine = await runCliAgainst(server, dir, ['compliance', '--scope', MG, '--arm-endpoint', server.url]);
    expect(fine.code).toBe(1);
  });
});

const badGraph: [string, ScriptedFaultAction, string][] = [
  ['null', json(null), 'the answer is null, not an object'],
  ['a proxy’s HTML page', html, 'the answer is not JSON'],
  ['an error body answered 200', json({ error: { code: 'X', message: 'y' } }), 'data is missing'],
  ['data in the table format', json({ data: { columns: [], rows: [] }, count: 0 }), 'data is an object, not a list'],
  ['a $skipToken that is a number', json({ data: [], $skipToken: 5 }), '$skipToken is a number, not a string'],
  [
    'resultTruncated that is neither',
    json({ data: [], resultTruncated: 'maybe' }),
    'resultTruncated is neither "true" nor "false"'
  ],
  ['a count that is a string', json({ data: [], count: '3' }), 'count is a string, not a number']
];

describe('Resource Graph answers not in the documented shape', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [resourceGraphModule] });
    seedResources(server, [
      {
        id: `${SUB.id}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a`,
        name: 'a',
        type: 'Microsoft.CognitiveServices/accounts',
        properties: {}
      }
    ]);
  });
  afterEach(() => server.close());

  it.each(badGraph)('%s: a clear error saying where, not a crash', async (_name, action, where) => {
    server.scriptFaults([{ method: 'POST', action }]);
    const error = (await new ResourceGraph(connect(server)).resources(SUB, null).catch((e: unknown) => e)) as ArmError;
    expect(error).toBeInstanceOf(ArmError);
    expect(error.code).toBe('MalformedAnswer');
    expect(error.message).toContain(
      `Resource Manager's answer while reading the resources of subscription ${SUBSCRIPTIONS[0]} from Resource Graph is not in the shape its API documents (${where})`
    );
  });

  it('a subscription whose managementGroupAncestorsChain is not a list of named groups is refused', async () => {
    const row = (chain: unknown) =>
      json({
        totalRecords: 1,
        count: 1,
        resultTruncated: 'false',
        data: [{ id: SUB.id, subscriptionId: SUBSCRIPTIONS[0], properties: { managementGroupAncestorsChain: chain } }]
      });
    for (const chain of ['contoso', [{ displayName: 'Contoso' }], [null]]) {
      server.scriptFaults([{ method: 'POST', action: row(chain) }]);
      const error = (await new ResourceGraph(connect(server))
        .groupsOfSubscriptions(SUB)
        .catch((e: unknown) => e)) as ArmError;
      expect(error).toBeInstanceOf(ArmError);
      expect(error.message).toBe(
        `Resource Graph's answer while reading which management groups hold the subscriptions of subscription ${SUBSCRIPTIONS[0]} gives the subscription ${SUBSCRIPTIONS[0]} a managementGroupAncestorsChain that is not a list of groups with names.`
      );
    }
    // Named groups, from the one holding it up; none at all is no group.
    server.scriptFaults([{ method: 'POST', action: row([{ name: 'Platform' }, { name: 'contoso' }]) }]);
    expect(await new ResourceGraph(connect(server)).groupsOfSubscriptions(SUB)).toEqual(
      new Map([[SUBSCRIPTIONS[0], ['platform', 'contoso']]])
    );
    server.scriptFaults([{ method: 'POST', action: row(undefined) }]);
    expect(await new ResourceGraph(connect(server)).groupsOfSubscriptions(SUB)).toEqual(
      new Map([[SUBSCRIPTIONS[0], []]])
    );
  });

  it('still pages with $skipToken and reads every row', async () => {
    const rows = await new ResourceGraph(connect(server)).resources(SUB, null);
    expect(rows.map(r => r.name)).toEqual(['a']);
  });
});

describe('a policy list answered with a proxy’s HTML page', () => {
  it('is refused, not read as an empty scope (which would plan a create over what is there)', async () => {
    const server = await startArmServer({ modules: [policyModule] });
    try {
      server.scriptFaults([{ method: 'GET', action: html }]);
      const error = (await new PolicyStore(connect(server)).listDefinitions(SUB).catch((e: unknown) => e)) as ArmError;
      expect(error).toBeInstanceOf(ArmError);
      expect(error.message).toContain('is not in the shape its API documents (the answer is not JSON)');
    } finally {
      await server.close();
    }
  });
});
