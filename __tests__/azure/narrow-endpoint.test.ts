/**
 * A Resource Manager that offers Azure Policy and policy exemptions but not Resource Graph or the Management
 * Groups API (an Azure Stack Hub, a proxy, an emulator): plan and deploy at a management group do what those
 * lists allow, and say in the plan's notes what they could not search and what follows. A refusal (403) of the
 * same searches still stops the run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { armError, startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule, storedAt } from '../support/arm-policy.js';
import { exemptionsModule, exemptionState, seedExemptionGroup } from '../support/arm-exemptions.js';
import {
  eachTestPackAndServer,
  indexAccounts,
  MG,
  packRepository,
  publish,
  publishServer,
  SUB,
  type Repository
} from './support.js';

const ACCOUNT = `${SUB}/resourceGroups/ai-prod/providers/Microsoft.CognitiveServices/accounts/legacy`;

function exceptionById(repo: Repository): void {
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    [
      'exceptions:',
      '  - rule: foundry-tools-cmk',
      '    resources:',
      `      - id: ${ACCOUNT}`,
      '    reason: Moves to a customer-managed key next quarter.',
      ''
    ].join('\n')
  );
}

describe('an endpoint without Resource Graph or the Management Groups API', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(
    made => ({ server, repo } = made),
    () => startArmServer({ modules: [policyModule, exemptionsModule] })
  );

  it('plans and deploys at a management group, noting what it did not search, and a second deploy writes nothing', async () => {
    const plan = await publish(server, repo, 'plan', MG, ['--prune']);
    expect(plan.stderr).not.toMatch(/^cmk-guard: /m);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'This change will create 7 policy definitions, create 1 initiative and create 1 assignment at management group contoso.'
    );
    expect(plan.stdout).toContain(
      "Not searched: the pack's assignments in the subscriptions and resource groups under management group contoso, because Azure answered 404 InvalidResourceType"
    );
    expect(plan.stdout).toContain('An assignment of the pack there is neither updated nor pruned.');

    const deploy = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(deploy.code).toBe(0);
    expect(storedAt(server, MG, 'policyAssignments')).toHaveLength(1);
    const writes = server.writeCount();
    const again = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(again.code).toBe(0);
    expect(server.writeCount()).toBe(writes);
  });

  it('writes an exception named by id as an exemption, each unsearched place noted once', async () => {
    // The exemptions API knows the subscription is under the group; nothing cmk-guard can ask here says so.
    seedExemptionGroup(server, 'contoso', [SUB.split('/')[2]]);
    exceptionById(repo);
    const deploy = await publish(server, repo, 'deploy', MG);
    expect(deploy.stderr).not.toMatch(/^cmk-guard: /m);
    expect(deploy.code).toBe(0);
    const stored = [...exemptionState(server).exemptions.keys()].map(id => id.toLowerCase());
    expect(stored).toHaveLength(1);
    expect(stored[0]).toContain(`${ACCOUNT.toLowerCase()}/providers/microsoft.authorization/policyexemptions/`);
    for (const what of [
      'the exemptions in the subscriptions under management group contoso',
      'the exemptions at the management groups under management group contoso',
      'the management groups and subscriptions under management group contoso'
    ]) {
      const lines = deploy.stdout.split('\n').filter(line => line.includes(`Not searched: ${what},`));
      expect(lines).toHaveLength(1);
    }
  });
});

describe('a refusal of the same searches', () => {
  it('stops the plan, as any refusal does', async () => {
    const server = await startArmServer({ modules: [policyModule, exemptionsModule] });
    server.route(
      {
        method: 'POST',
        pattern: /^\/providers\/Microsoft\.ResourceGraph\/resources$/i,
        handle: () => armError(403, 'AuthorizationFailed', 'The client does not have authorization to perform action.')
      },
      { first: true }
    );
    const repo = packRepository();
    try {
      const plan = await publish(server, repo, 'plan', MG);
      expect(plan.code).toBe(2);
      expect(plan.stderr).toMatch(/Azure answered 403 AuthorizationFailed while finding the assignments/);
      expect(plan.stdout).not.toContain('This change will');
    } finally {
      await server.close();
      repo.dispose();
    }
  });
});

describe('a Resource Graph that answers 400', () => {
  /** Resource Graph's own shape: `BadRequest`, and why in its details (Azure/cosmos-explorer#1986, Azure/azure-powershell#13762). */
  const badRequest = (detail: { code: string; message: string }) => ({
    status: 400,
    body: {
      error: {
        code: 'BadRequest',
        message:
          'Please provide below info when asking for support: timestamp = 2026-12-07T10:30:00.0000000Z, correlationId = 3217cea2-db7e-45d3-9c50-d2c459fe8be0.',
        details: [detail]
      }
    }
  });
  const planAnswered = async (answer: ReturnType<typeof badRequest>) => {
    const server = await startArmServer({ modules: [policyModule, exemptionsModule] });
    server.route(
      { method: 'POST', pattern: /^\/providers\/Microsoft\.ResourceGraph\/resources$/i, handle: () => answer },
      { first: true }
    );
    const repo = packRepository();
    try {
      return await publish(server, repo, 'plan', MG, ['--prune']);
    } finally {
      await server.close();
      repo.dispose();
    }
  };

  it('for a search it serves but will not run stops the plan: a prune without it would leave the pack assigned', async () => {
    const plan = await planAnswered(
      badRequest({
        code: 'TooManySubscriptionsUnderScope',
        message:
          'The number of subscriptions under provided tenant or management groups in the request has exceeded the allowed limit 18000.'
      })
    );
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(
      /Azure answered 400 BadRequest while finding the assignments.*Details: TooManySubscriptionsUnderScope: The number of subscriptions/
    );
    expect(plan.stdout).not.toContain('This change will');
  });

  it('for a query it does not know leaves that search out, as an endpoint without Resource Graph does', async () => {
    const plan = await planAnswered(
      badRequest({
        code: 'InvalidQuery',
        message: 'Query is invalid. Please refer to the documentation for the Azure Resource Graph service.'
      })
    );
    expect(plan.stderr).not.toMatch(/^cmk-guard: /m);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /Not searched: the pack's assignments in the subscriptions and resource groups under management group contoso, because Azure answered 400 BadRequest .*Details: InvalidQuery: Query is invalid/
    );
  });
});

describe('a Resource Graph that answers with rows the query did not ask for', () => {
  it('reads back as assignments and exemptions only the rows that are those, and plans as usual', async () => {
    const vault = `${SUB}/resourceGroups/ai-prod/providers/Microsoft.KeyVault/vaults/kv1`;
    const server = await publishServer({
      // Every Resource Graph answer also holds a vault and a subscription, as a table ignoring its filters would.
      dialect: (body, ctx) =>
        /\/providers\/Microsoft\.ResourceGraph\/resources$/i.test(ctx.path) &&
        Array.isArray((body as { data?: unknown }).data)
          ? { ...(body as object), data: [...(body as { data: unknown[] }).data, { id: vault }, { id: SUB }] }
          : body
    });
    const repo = packRepository();
    try {
      indexAccounts(server, [ACCOUNT]);
      exceptionById(repo);
      const plan = await publish(server, repo, 'plan', MG, ['--prune']);
      expect(plan.stderr).not.toMatch(/^cmk-guard: /m);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('create 1 assignment and create 1 exemption at management group contoso');
      expect(
        server.requests.filter(r => r.method === 'GET' && r.path.toLowerCase().startsWith(vault.toLowerCase()))
      ).toEqual([]);
    } finally {
      await server.close();
      repo.dispose();
    }
  });
});
