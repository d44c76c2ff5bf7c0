/**
 * Exemptions outside their assignment's scope. Azure refuses an exemption that is not at or below
 * its assignment's scope unless it is made with `assignmentScopeValidation: DoNotValidate`, which
 * is meant for what is about to move under the assignment (a subscription or resource moving in
 * is exempted first, so the move is not blocked). No list under the assignment's scope shows such
 * an exemption: plan finds the assignment's exemptions anywhere with Resource Graph
 * `policyresources` (read again from the exemptions API), writes one the configuration makes
 * outside the scope with DoNotValidate, keeps it so when it updates it, prunes it like any other,
 * and says so in the plan. The CLI in this process against the loopback ARM.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArmServer } from '../support/arm-server.js';
import { exemptionState, seedExemption } from '../support/arm-exemptions.js';
import { graphRow, resourceGraphState, seedManagementGroup } from '../support/arm-resourcegraph.js';
import { eachTestPackAndServer, indexAccounts, PACK, publish, RG, SUB, type Repository } from './support.js';

const ASSIGNMENT = `${SUB}/providers/Microsoft.Authorization/policyAssignments/${PACK}`;
const SUB2 = '/subscriptions/00000000-0000-0000-0000-0000000000dd';
const ACCOUNT = `${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`;
// In another subscription, under another management group: moving into SUB next quarter.
const MOVING = `${SUB2}/resourceGroups/moving/providers/Microsoft.CognitiveServices/accounts/speech-west`;

interface PlanItemJson {
  kind: string;
  action: string;
  id: string;
  reason?: string;
  body?: { properties: Record<string, unknown> };
}

function config(repo: Repository, moving: string | undefined): void {
  const entry = (id: string, reason: string) => [
    '  - rule: foundry-tools-cmk',
    '    resources:',
    `      - id: ${id}`,
    `    reason: ${reason}`,
    '    expires: 2027-03-31'
  ];
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    ['exceptions:', ...entry(ACCOUNT, 'Retired in Q1.'), ...(moving === undefined ? [] : entry(MOVING, moving))].join(
      '\n'
    ) + '\n'
  );
}

const stored = (server: ArmServer, resource: string) =>
  [...exemptionState(server).exemptions.values()].filter(e => e.scope === resource.toLowerCase());

async function plan(server: ArmServer, repo: Repository, more: string[] = []): Promise<PlanItemJson[]> {
  const run = await publish(server, repo, 'plan', SUB, ['--format', 'json', ...more]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { items: PlanItemJson[] }).items.filter(i => i.kind === 'exemption');
}

describe('exemptions outside the assignment’s scope (assignmentScopeValidation DoNotValidate)', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));
  beforeEach(() => {
    seedManagementGroup(server, 'fabrikam', { subscriptions: [SUB2.split('/')[2]] });
    indexAccounts(server, [ACCOUNT]);
    // Someone else's exemption of the pack's assignment out there: never touched.
    seedExemption(server, `${SUB2}/resourceGroups/moving`, 'platform-team-waiver', {
      policyAssignmentId: ASSIGNMENT,
      exemptionCategory: 'Waiver',
      assignmentScopeValidation: 'DoNotValidate'
    });
  });

  it('writes one with DoNotValidate and says why, keeps it so, finds it again with Resource Graph, and prunes it', async () => {
    config(repo, 'Moves into the production subscription in Q2; keys follow.');
    const planned = await plan(server, repo);
    const outside = planned.find(i => i.id.toLowerCase().startsWith(MOVING.toLowerCase()));
    expect(outside?.action).toBe('create');
    expect(outside?.body?.properties.assignmentScopeValidation).toBe('DoNotValidate');
    expect(outside?.reason).toContain(
      "outside the assignment's scope: written with assignmentScopeValidation DoNotValidate"
    );
    const inside = planned.find(i => i.id.toLowerCase().startsWith(ACCOUNT.toLowerCase()));
    expect(inside?.body?.properties.assignmentScopeValidation).toBeUndefined();

    expect((await publish(server, repo, 'deploy', SUB)).code).toBe(0);
    expect(stored(server, MOVING).map(e => e.body.properties.assignmentScopeValidation)).toEqual(['DoNotValidate']);
    expect(stored(server, ACCOUNT).map(e => e.body.properties.assignmentScopeValidation)).toEqual(['Default']);

    // No list at or below the subscription shows it; Resource Graph (the whole tenant) does.
    const writes = server.writeRequests();
    const again = await plan(server, repo);
    expect(again.map(i => i.action)).toEqual(['unchanged', 'unchanged']);
    expect(again.find(i => i.id.toLowerCase().startsWith(MOVING.toLowerCase()))?.reason).toContain(
      "outside the assignment's scope (made with assignmentScopeValidation DoNotValidate"
    );
    const search = resourceGraphState(server).queries.find(q => String(q.query).includes('policyexemptions'));
    expect(search).toEqual({
      query: [
        'policyresources',
        "| where type =~ 'microsoft.authorization/policyexemptions'",
        `| where tostring(properties.policyAssignmentId) in~ ('${ASSIGNMENT}')`,
        '| project id',
        '| order by id asc'
      ].join('\n'),
      options: { $top: 1000, resultFormat: 'objectArray' }
    });
    expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);

    // A changed reason updates it in place and keeps DoNotValidate (Azure would refuse Default there).
    config(repo, 'Moves into the production subscription in Q3.');
    const updated = await publish(server, repo, 'deploy', SUB);
    expect(updated.code).toBe(0);
    expect(
      stored(server, MOVING).map(e => [e.body.properties.description, e.body.properties.assignmentScopeValidation])
    ).toEqual([['Moves into the production subscription in Q3.', 'DoNotValidate']]);

    // The exception leaves the configuration: listed as the pack's, then pruned; the other one stays.
    config(repo, undefined);
    const orphaned = (await plan(server, repo)).find(i => i.id.toLowerCase().startsWith(MOVING.toLowerCase()));
    expect(orphaned?.action).toBe('orphan');
    expect(orphaned?.reason).toContain("outside the assignment's scope");
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).code).toBe(0);
    expect(stored(server, MOVING)).toEqual([]);
    expect(stored(server, `${SUB2}/resourceGroups/moving`).map(e => e.body.name)).toEqual(['platform-team-waiver']);

    // Resource Graph keeps the deleted one's row for a while: read again (404), it plans nothing.
    resourceGraphState(server).stalePolicyRows.push(
      graphRow({
        id: `${MOVING}/providers/Microsoft.Authorization/policyExemptions/cmk-guard-stale`,
        name: 'cmk-guard-stale',
        type: 'Microsoft.Authorization/policyExemptions',
        properties: { policyAssignmentId: ASSIGNMENT }
      })
    );
    const before = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(before);
    expect(
      server.requests.some(r => r.method === 'GET' && r.path.endsWith('/cmk-guard-stale') && r.status === 404)
    ).toBe(true);
  });

  it('deletes the pack’s exemptions outside the scope of an assignment it prunes, before the assignment', async () => {
    config(repo, 'Moves in Q2.');
    expect((await publish(server, repo, 'deploy', SUB)).code).toBe(0);
    // Assigned at the resource group now, and the move is off: the old assignment goes with
    // --prune, and its exemption outside its scope (no list under it shows it) goes first.
    config(repo, undefined);
    const planned = await plan(server, repo, ['--assignment-scope', RG]);
    expect(planned.find(i => i.id.toLowerCase().startsWith(MOVING.toLowerCase()))?.action).toBe('orphan');
    const moved = await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG, '--prune']);
    expect(moved.code).toBe(0);
    const deletes = server.requests.filter(r => r.method === 'DELETE').map(r => r.path.toLowerCase());
    const outsideDelete = deletes.findIndex(p => p.startsWith(MOVING.toLowerCase()));
    expect(outsideDelete).toBeGreaterThanOrEqual(0);
    expect(outsideDelete).toBeLessThan(deletes.indexOf(ASSIGNMENT.toLowerCase()));
    expect(stored(server, MOVING)).toEqual([]);
    // Someone else's exemption of the deleted assignment stays, as Azure keeps it.
    expect(stored(server, `${SUB2}/resourceGroups/moving`).map(e => e.body.name)).toEqual(['platform-team-waiver']);
  });
});
