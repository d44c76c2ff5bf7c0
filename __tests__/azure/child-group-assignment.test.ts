/**
 * Definitions at a management group, assigned at a management group below it (`--assignment-scope`): Azure
 * allows an assignment at any scope under the definitions' group, child groups at any depth included. plan and
 * deploy ask the Management Groups API whether the scope is below, and refuse one that is not before any write;
 * an endpoint without that API leaves the question to Azure, and the plan says so.
 */
import type { ArmServer } from '../support/arm-server.js';
import { startArmServer } from '../support/arm-server.js';
import { policyModule, storedAt } from '../support/arm-policy.js';
import { exemptionsModule, seedExemptionGroup } from '../support/arm-exemptions.js';
import { seedManagementGroup } from '../support/arm-resourcegraph.js';
import { eachTestPackAndServer, MG, PACK, packRepository, publish, SUB, type Repository } from './support.js';

const PROD = '/providers/Microsoft.Management/managementGroups/prod';
const ONLINE = '/providers/Microsoft.Management/managementGroups/online';
const ELSEWHERE = '/providers/Microsoft.Management/managementGroups/elsewhere';

describe('an assignment at a management group below the definitions', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));
  beforeEach(() => {
    // contoso > prod > online (which holds the subscription); elsewhere is beside contoso.
    const subscription = SUB.split('/')[2];
    seedManagementGroup(server, 'contoso', { children: ['prod'] });
    seedManagementGroup(server, 'prod', { children: ['online'] });
    seedManagementGroup(server, 'online', { subscriptions: [subscription] });
    seedManagementGroup(server, 'elsewhere', {});
    seedExemptionGroup(server, 'contoso', []);
    seedExemptionGroup(server, 'prod', [], 'contoso');
    seedExemptionGroup(server, 'online', [subscription], 'prod');
  });

  it('deploys the definitions at the group and the assignment two levels below it; a second deploy writes nothing', async () => {
    for (const child of [PROD, ONLINE]) {
      const deploy = await publish(server, repo, 'deploy', MG, ['--assignment-scope', child]);
      expect(deploy.stderr).not.toMatch(/fail|refus|error/i);
      expect(deploy.code).toBe(0);
      expect(storedAt(server, child, 'policyAssignments').map(a => a.body.properties.policyDefinitionId)).toEqual([
        `${MG}/providers/Microsoft.Authorization/policySetDefinitions/${PACK}`
      ]);
      const writes = server.writeRequests();
      const again = await publish(server, repo, 'deploy', MG, ['--assignment-scope', child]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('No change');
      expect(server.writeRequests()).toBe(writes);
    }
    expect(storedAt(server, MG, 'policyDefinitions')).toHaveLength(7);
  });

  it('refuses a management group that is not below, before any write, and says why', async () => {
    const plan = await publish(server, repo, 'deploy', MG, ['--assignment-scope', ELSEWHERE]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain(
      '--assignment-scope is management group elsewhere, which is not below management group contoso, where the definitions are'
    );
    expect(server.writeRequests()).toBe(0);
    // Nor a group above: contoso is below nothing of prod's.
    const above = await publish(server, repo, 'plan', PROD, ['--assignment-scope', MG]);
    expect(above.code).toBe(2);
    expect(above.stderr).toContain('which is not below management group prod');
  });
});

describe('an endpoint without the Management Groups API', () => {
  it('leaves whether the group is below to Azure, and the plan says so', async () => {
    const server = await startArmServer({ modules: [policyModule, exemptionsModule] });
    const repo = packRepository();
    try {
      const plan = await publish(server, repo, 'plan', MG, ['--assignment-scope', PROD, '--format', 'json']);
      expect(plan.code).toBe(0);
      const notes = (JSON.parse(plan.stdout) as { notes?: string[] }).notes ?? [];
      expect(notes).toContainEqual(
        expect.stringMatching(
          /^Not searched: the management groups and subscriptions under management group contoso, because .*Whether management group prod is below it is left to Azure/
        )
      );
    } finally {
      await server.close();
      repo.dispose();
    }
  });
});
