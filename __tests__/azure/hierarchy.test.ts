/**
 * plan/deploy/prune at a management group reach below it, where Azure keeps the pack's things:
 * exemptions at child management groups (found with the Management Groups API's descendants
 * list, each group listed `atExactScope()`: a group holding no subscription is in no
 * subscription's list), and the pack's assignments at nested management groups (found with
 * Resource Graph `policyresources`, each read again from Azure Policy). The CLI in this process
 * against the loopback ARM.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArmServer } from '../support/arm-server.js';
import { seedPolicyResource, storedAt } from '../support/arm-policy.js';
import { exemptionState, seedExemption } from '../support/arm-exemptions.js';
import { resourceGraphState, seedManagementGroup } from '../support/arm-resourcegraph.js';
import { eachTestPackAndServer, MG, OWNER, PACK, publish, SUB, type Repository } from './support.js';

const group = (name: string) => `/providers/Microsoft.Management/managementGroups/${name}`;
const SANDBOX = group('sandbox');
const PLATFORM = group('platform');
const EDGE = group('edge');
const SUB2 = '/subscriptions/00000000-0000-0000-0000-0000000000cc';
const INITIATIVE = `${MG}/providers/Microsoft.Authorization/policySetDefinitions/${PACK}`;

interface PlanJson {
  items: { kind: string; action: string; id: string; reason?: string }[];
  notes?: string[];
}

/** cmk-guard.yaml with one exception per scope id. */
function exceptions(repo: Repository, scopes: string[]): void {
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    [
      'exceptions:',
      ...scopes.flatMap(scope => [
        '  - rule: foundry-tools-cmk',
        '    resources:',
        `      - id: ${scope}`,
        '    reason: Sandbox and edge groups hold no production AI services.',
        '    expires: 2027-06-30'
      ])
    ].join('\n') + '\n'
  );
}

const exemptionsAt = (server: ArmServer, scope: string) =>
  [...exemptionState(server).exemptions.values()].filter(e => e.scope === scope.toLowerCase());

describe('a management group’s plan reaches the groups below it', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));
  beforeEach(() => {
    // contoso ─┬─ SUB
    //          ├─ sandbox (no subscription)
    //          └─ platform ─┬─ SUB2
    //                       └─ edge (no subscription)
    seedManagementGroup(server, 'contoso', { subscriptions: [SUB.split('/')[2]], children: ['sandbox', 'platform'] });
    seedManagementGroup(server, 'sandbox', {});
    seedManagementGroup(server, 'platform', { subscriptions: [SUB2.split('/')[2]], children: ['edge'] });
    seedManagementGroup(server, 'edge', {});
  });

  it('keeps, updates and prunes the pack’s exemptions at child management groups, and never creates over one it did not list', async () => {
    exceptions(repo, [SANDBOX, EDGE]);
    const first = await publish(server, repo, 'deploy', MG);
    expect(first.code).toBe(0);
    // Inside contoso (the descendants list says so): written with the default validation.
    for (const at of [SANDBOX, EDGE])
      expect(exemptionsAt(server, at).map(e => e.body.properties.assignmentScopeValidation)).toEqual(['Default']);
    // Five entries below contoso, three to a page: the descendants list is followed to its second page.
    expect(
      server.requests.filter(r => r.path === `${MG}/descendants` && r.query.$skiptoken === '3' && r.status === 200)
        .length
    ).toBeGreaterThan(0);

    // The second deploy lists the groups below contoso and each of them exactly: nothing to write.
    const writes = server.writeRequests();
    const since = server.requests.length;
    const again = await publish(server, repo, 'deploy', MG);
    expect(again.code).toBe(0);
    expect(server.writeRequests()).toBe(writes);
    const asked = server.requests.slice(since).filter(r => r.method === 'GET');
    expect(asked.some(r => r.path === `${MG}/descendants` && r.status === 200)).toBe(true);
    for (const below of [SANDBOX, PLATFORM, EDGE])
      expect(
        asked.some(
          r =>
            r.path === `${below}/providers/Microsoft.Authorization/policyExemptions` &&
            r.query.$filter === 'atExactScope()'
        )
      ).toBe(true);

    // The edge exception leaves the configuration: its exemption, at a group no subscription
    // list shows, is listed as the pack's, then pruned.
    exceptions(repo, [SANDBOX]);
    const planned = await publish(server, repo, 'plan', MG, ['--format', 'json']);
    const plan = JSON.parse(planned.stdout) as PlanJson;
    const edgeId = exemptionsAt(server, EDGE)[0].id;
    expect(plan.items.filter(i => i.kind === 'exemption').map(i => [i.action, i.id.toLowerCase()])).toEqual([
      ['orphan', edgeId.toLowerCase()],
      ['unchanged', exemptionsAt(server, SANDBOX)[0].id.toLowerCase()]
    ]);
    const pruned = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(pruned.code).toBe(0);
    expect(exemptionsAt(server, EDGE)).toEqual([]);
    expect(exemptionsAt(server, SANDBOX)).toHaveLength(1);
  });

  it('stops before any write when another owner holds the exemption’s name at a child group', async () => {
    exceptions(repo, [EDGE]);
    const planned = JSON.parse((await publish(server, repo, 'plan', MG, ['--format', 'json'])).stdout) as PlanJson;
    const created = planned.items.find(i => i.kind === 'exemption');
    expect(created?.action).toBe('create');
    // Someone else's exemption with that name at edge, after a first deploy of the rest.
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    const mine = exemptionsAt(server, EDGE)[0];
    exemptionState(server).exemptions.clear();
    seedExemption(server, EDGE, mine.body.name as string, {
      policyAssignmentId: `${MG}/providers/Microsoft.Authorization/policyAssignments/${PACK}`,
      exemptionCategory: 'Waiver',
      metadata: { cmkGuard: { owner: 'github.com/fabrikam/other' } }
    });
    const writes = server.writeRequests();
    const stopped = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
    expect(stopped.code).toBe(1);
    const plan = JSON.parse(stopped.stdout) as PlanJson;
    const conflict = plan.items.find(i => i.kind === 'exemption');
    expect(conflict?.action).toBe('conflict');
    expect(conflict?.reason).toContain("owned by 'github.com/fabrikam/other'");
    expect(server.writeRequests()).toBe(writes);
    expect(exemptionsAt(server, EDGE)[0].body.properties.metadata).toEqual({
      cmkGuard: { owner: 'github.com/fabrikam/other' }
    });
  });

  it('finds the pack’s old assignment at a nested management group with Resource Graph, prunes it and its exemptions, and a stale row plans nothing', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    // An assignment of the pack's initiative at edge, two levels down, owned by the pack (an
    // earlier deploy by hand, or a moved assignment), with the pack's exemption of it there and
    // someone else's below it.
    const old = `${EDGE}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-edge`;
    seedPolicyResource(server, EDGE, 'policyAssignments', 'cmk-guard-edge', {
      policyDefinitionId: INITIATIVE,
      scope: EDGE,
      enforcementMode: 'Default',
      metadata: { cmkGuard: { owner: OWNER } }
    });
    seedExemption(server, EDGE, 'cmk-guard-0123456789abcdef01234567', {
      policyAssignmentId: old,
      exemptionCategory: 'Waiver',
      metadata: { cmkGuard: { owner: OWNER } }
    });
    seedExemption(server, `${SUB2}/resourceGroups/legacy`, 'kept-by-platform-team', {
      policyAssignmentId: old,
      exemptionCategory: 'Mitigated'
    });

    const planned = await publish(server, repo, 'plan', MG, ['--format', 'json']);
    const plan = JSON.parse(planned.stdout) as PlanJson;
    expect(plan.items.filter(i => i.action === 'orphan').map(i => [i.kind, i.id.toLowerCase()])).toEqual([
      ['assignment', old.toLowerCase()],
      [
        'exemption',
        `${EDGE}/providers/Microsoft.Authorization/policyExemptions/cmk-guard-0123456789abcdef01234567`.toLowerCase()
      ]
    ]);
    expect(plan.items.find(i => i.kind === 'assignment' && i.action === 'orphan')?.reason).toContain(
      'at management group edge'
    );
    expect(plan.notes?.join('\n')).toContain('kept-by-platform-team');
    expect(resourceGraphState(server).queries.some(q => JSON.stringify(q.managementGroups) === '["contoso"]')).toBe(
      true
    );

    const pruned = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(pruned.code).toBe(0);
    expect(storedAt(server, EDGE, 'policyAssignments')).toEqual([]);
    expect(exemptionsAt(server, EDGE)).toEqual([]);
    // Someone else's exemption of it stays, as Azure keeps it.
    expect(exemptionsAt(server, `${SUB2}/resourceGroups/legacy`)).toHaveLength(1);
    const deletes = server.requests.filter(r => r.method === 'DELETE').map(r => r.path.toLowerCase());
    expect(deletes.indexOf(exemptionsAtId(EDGE))).toBeLessThan(deletes.indexOf(old.toLowerCase()));
    expect(storedAt(server, MG, 'policyAssignments').map(a => a.name)).toEqual([PACK]);

    // Resource Graph still has the row for a while: read again from Azure Policy (404), it plans nothing.
    resourceGraphState(server).stalePolicyRows.push({
      id: old.toLowerCase(),
      name: 'cmk-guard-edge',
      type: 'microsoft.authorization/policyassignments',
      subscriptionId: '',
      resourceGroup: '',
      properties: { policyDefinitionId: INITIATIVE }
    });
    const writes = server.writeRequests();
    const again = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(again.stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
    expect(
      server.requests.some(r => r.method === 'GET' && r.path.toLowerCase() === old.toLowerCase() && r.status === 404)
    ).toBe(true);
  });
});

function exemptionsAtId(scope: string): string {
  return `${scope}/providers/Microsoft.Authorization/policyExemptions/cmk-guard-0123456789abcdef01234567`.toLowerCase();
}
