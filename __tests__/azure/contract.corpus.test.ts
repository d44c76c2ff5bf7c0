/**
 * The loopback ARM and the client against Azure's own contract: every request the plan and
 * deploy flows send (through the real @azure/arm-policy client), and every answer the server
 * gives, checked against the policy OpenAPI 2025-03-01 in ../shared/corpus/rest-api. A body
 * Azure would refuse, a readOnly field sent, an answer Azure would not give: each is a failure
 * here, so neither side can drift from Azure.
 *
 * One documented deviation: Azure answers 200 to a PUT that updates a definition or an
 * assignment, where the spec lists only 201 (the client accepts both, see policyStore.ts).
 */
import path from 'node:path';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { parseScope } from '../../src/azure/scope.js';
import { policyContract } from '../support/arm-contract.js';
import type { ArmServer } from '../support/arm-server.js';
import { seedPolicyResource } from '../support/arm-policy.js';
import { connect, dropRule, eachTestPackAndServer, MG, publish, RG, SUB, type Repository } from './support.js';

const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve('../shared/corpus');
// Deploy also lists the exemptions of an assignment it prunes (exemptions 2022-07-01-preview), and a
// management group's subscriptions with Resource Graph (2024-04-01).
const contract = policyContract(corpus)
  .add(path.join(corpus, 'rest-api/resourcegraph/2024-04-01/resourcegraph.json'), 'resourcegraph-2024-04-01')
  .add(
    path.join(corpus, 'rest-api/policy/exemptions/2022-07-01-preview/policyExemptions.json'),
    'exemptions-2022-07-01-preview'
  );

/** Statuses Azure answers that the spec does not list, as observed. */
const OBSERVED: { method: string; pattern: RegExp; status: number }[] = [
  { method: 'PUT', pattern: /\/policyDefinitions\/[^/]+$/i, status: 200 },
  { method: 'PUT', pattern: /\/policyAssignments\/[^/]+$/i, status: 200 },
  // Resource Graph's `data` is the array of rows (objectArray), where its swagger says object.
  { method: 'POST', pattern: /^\/providers\/Microsoft\.ResourceGraph\/resources$/i, status: 200 }
];

function violations(server: ArmServer): string[] {
  const found: string[] = [];
  for (const request of server.requests) {
    if (request.path.startsWith('/providers/Microsoft.Test/')) continue;
    // The Management Groups API (descendants) has no OpenAPI file in the corpus; its shape is
    // the REST reference's, which __tests__/support/arm-managementgroups.ts follows.
    if (/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/descendants$/i.test(request.path)) continue;
    const sent = contract.checkRequest(request.method, request.path, request.body);
    for (const error of sent.errors) found.push(`${request.method} ${request.path} request: ${error}`);
    if (typeof request.status !== 'number') continue;
    if (OBSERVED.some(o => o.method === request.method && o.pattern.test(request.path) && o.status === request.status))
      continue;
    const answered = contract.checkResponse(request.method, request.path, request.status, request.responseBody);
    for (const error of answered.errors)
      found.push(`${request.method} ${request.path} ${request.status} response: ${error}`);
  }
  return found;
}

describe('requests and answers hold to the policy OpenAPI 2025-03-01', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));

  it('finds a body Azure would refuse (the check can fail)', () => {
    const bad = contract.checkRequest('PUT', `${MG}/providers/Microsoft.Authorization/policyDefinitions/x`, {
      properties: { displayName: 1, version: '1.0.0', policyRule: {} },
      id: 'x'
    });
    expect(bad.errors.join('\n')).toMatch(/displayName/);
    expect(bad.errors.join('\n')).toMatch(/id|propertyNames/);
    const readOnly = contract.checkRequest(
      'PUT',
      `/${SUB.slice(1)}/providers/Microsoft.Authorization/policyAssignments/a`,
      {
        properties: { policyDefinitionId: 'x', instanceId: 'y' }
      }
    );
    expect(readOnly.errors.join('\n')).toMatch(/instanceId|boolean schema is false/);
    const misplaced = contract.checkRequest('PUT', `${MG}/providers/Microsoft.Authorization/policyDefinitions/x`, {
      properties: { displayName: 'x', policyRules: {} }
    });
    expect(misplaced.errors.join('\n')).toMatch(/must NOT have additional properties/);
    const good = contract.checkRequest('PUT', `${MG}/providers/Microsoft.Authorization/policyDefinitions/x`, {
      properties: { displayName: 'x', mode: 'All', policyRule: { if: {}, then: {} } }
    });
    expect(good.errors).toEqual([]);
  });

  it('deploys to a management group, re-plans and deploys with effects', async () => {
    expect((await publish(server, repo, 'deploy', MG, ['--effect', 'ai-hub-cmk=Deny'])).code).toBe(0);
    expect((await publish(server, repo, 'plan', MG)).code).toBe(0);
    expect((await publish(server, repo, 'deploy', MG, ['--enforcement-mode', 'DoNotEnforce'])).code).toBe(0);
    expect(violations(server)).toEqual([]);
    expect(server.requests.filter(r => r.method === 'PUT').length).toBeGreaterThan(9);
  });

  it('deploys to a subscription, assigned at a resource group; replaces, prunes and moves the assignment', async () => {
    expect((await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG])).code).toBe(0);
    dropRule(repo, 'ai-hub-hbi');
    expect((await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG, '--prune'])).code).toBe(0);
    // The assignment moves to the subscription; the one left at the resource group is pruned.
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).code).toBe(0);
    expect(server.requests.some(r => r.method === 'GET' && /^policyDefinitionId eq /.test(r.query.$filter ?? ''))).toBe(
      true
    );
    expect(server.requests.some(r => r.method === 'DELETE')).toBe(true);
    expect(violations(server)).toEqual([]);
  });

  it('with conflicts and with 30% of requests failing', async () => {
    seedPolicyResource(server, MG, 'policyDefinitions', 'ai-hub-cmk', {
      displayName: 'Made by hand',
      policyType: 'Custom',
      mode: 'All',
      policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
    });
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(1);
    server.setFaults({ rate: 0.3, seed: 11 });
    await publish(server, repo, 'deploy', SUB);
    expect(violations(server)).toEqual([]);
  });

  it('writes an assignment with a managed identity and deletes what exists and what does not', async () => {
    const store = new PolicyStore(connect(server));
    const sub = parseScope(SUB, '--scope');
    await store.putDefinition(sub, 'd', {
      properties: {
        displayName: 'd',
        policyType: 'Custom',
        mode: 'Indexed',
        parameters: {
          effect: {
            type: 'String',
            allowedValues: ['Audit', 'Modify'],
            defaultValue: 'Modify',
            metadata: { displayName: 'Effect' }
          }
        },
        policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: "[parameters('effect')]" } }
      }
    });
    await store.putAssignment(sub, 'a', {
      properties: {
        policyDefinitionId: `${SUB}/providers/Microsoft.Authorization/policyDefinitions/d`,
        nonComplianceMessages: [{ message: 'Fix it.' }]
      },
      identity: { type: 'SystemAssigned' },
      location: 'westeurope'
    });
    await store.deleteAssignment(sub, 'a');
    await store.deleteAssignment(sub, 'a');
    await store.deleteDefinition(sub, 'd');
    await store.deleteDefinition(sub, 'd');
    expect(violations(server)).toEqual([]);
  });
});
