/**
 * What real Resource Manager does that a happy path never shows, through the CLI against the
 * loopback ARM: Retry-After as an HTTP-date on 429 and 503 (RFC 9110 allows either form), on
 * the policy SDK's requests and the raw REST ones (exemptions) alike; and a DELETE answered 404
 * because what was planned went away meanwhile (its resource group with it), which leaves it
 * absent, as asked.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArmServer } from '../support/arm-server.js';
import {
  policyState,
  POLICY_API_VERSION,
  seedPolicyResource,
  setPolicyReplicationLag,
  storedAt
} from '../support/arm-policy.js';
import { EXEMPTIONS_API_VERSION, exemptionState } from '../support/arm-exemptions.js';
import { resourceGraphState } from '../support/arm-resourcegraph.js';
import { notSeenYet } from '../../src/azure/apply.js';
import { ArmError } from '../../src/azure/errors.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { retryAfterMs } from '../../src/azure/rest.js';
import { parseScope } from '../../src/azure/scope.js';
import {
  connect,
  dropRule,
  eachTestPackAndServer,
  indexAccounts,
  MG,
  OWNER,
  PACK,
  packRepository,
  publish,
  publishServer,
  RG,
  SUB,
  type Repository
} from './support.js';

/** Four accounts, each with an exception: their exemptions span pages of the exemption list (3 a page). */
const ACCOUNTS = ['legacy', 'legacy-2', 'legacy-3', 'legacy-4'].map(
  name => `${RG}/providers/Microsoft.CognitiveServices/accounts/${name}`
);

function config(repo: Repository): void {
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    [
      'exceptions:',
      ...ACCOUNTS.flatMap(id => [
        '  - rule: foundry-tools-cmk',
        '    resources:',
        `      - id: ${id}`,
        '    reason: Retired.'
      ])
    ].join('\n') + '\n'
  );
}

function seedAccounts(server: ArmServer): void {
  indexAccounts(server, ACCOUNTS);
}

/** What the server holds, ids lowercased: policy resources and exemptions, bodies without Azure's bookkeeping. */
function holdings(server: ArmServer): string[] {
  return [
    ...[...policyState(server).resources.values()].map(r => `${r.type} ${r.id.toLowerCase()}`),
    ...[...exemptionState(server).exemptions.values()].map(
      e => `exemption ${e.id.toLowerCase()} -> ${String(e.body.properties.policyAssignmentId).toLowerCase()}`
    )
  ].sort();
}

describe('Resource Manager as it answers under load and while others change the scope', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));
  beforeEach(() => {
    seedAccounts(server);
    config(repo);
  });

  it('waits out 429 and 503 whose Retry-After is an HTTP-date, on the SDK’s and the raw REST requests, and ends as a fault-free deploy', async () => {
    const clean = await publishServer();
    try {
      seedAccounts(clean);
      expect((await publish(clean, repo, 'deploy', SUB)).code).toBe(0);

      server.setFaults({ rate: 0.35, seed: 21, kinds: ['throttle', 'unavailable'], retryAfterDate: true });
      const loaded = await publish(server, repo, 'deploy', SUB);
      expect(loaded.code).toBe(0);
      const faulted = server.requests.filter(r => r.fault);
      expect(new Set(faulted.map(r => r.status))).toEqual(new Set([429, 503]));
      // Both clients met them: the policy SDK (definitions) and the raw REST of exemptions.
      expect(faulted.some(r => /\/policyDefinitions\//i.test(r.path))).toBe(true);
      expect(faulted.some(r => /\/policyExemptions/i.test(r.path) && r.apiVersion === EXEMPTIONS_API_VERSION)).toBe(
        true
      );
      expect(holdings(server)).toEqual(holdings(clean));

      server.setFaults(undefined);
      const writes = server.writeRequests();
      const before = server.requests.length;
      expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
      expect(server.writeRequests()).toBe(writes);
      // Every list followed its nextLink: definitions (7) and exemptions (4), 3 a page.
      const followed = server.requests.slice(before).filter(r => r.method === 'GET' && r.query.$skiptoken);
      expect(followed.some(r => r.path.endsWith('/policyDefinitions'))).toBe(true);
      expect(followed.some(r => r.path.endsWith('/policyExemptions'))).toBe(true);
    } finally {
      await clean.close();
    }
  });

  it('reads on past pages that come empty with a nextLink, and plans, deploys and prunes as from full pages', async () => {
    const clean = await publishServer();
    const gappy = await publishServer({ emptyPages: true });
    try {
      for (const s of [clean, gappy]) {
        seedAccounts(s);
        expect((await publish(s, repo, 'deploy', MG)).code).toBe(0);
      }
      expect(holdings(gappy)).toEqual(holdings(clean));
      const empty = gappy.requests.filter(
        r => r.method === 'GET' && (r.responseBody as { value?: unknown[] } | undefined)?.value?.length === 0
      );
      // Every list met them: definitions, initiatives, assignments, exemptions.
      for (const list of ['policyDefinitions', 'policySetDefinitions', 'policyAssignments', 'policyExemptions'])
        expect(empty.some(r => r.path.endsWith(`/${list}`))).toBe(true);
      let writes = gappy.writeRequests();
      expect((await publish(gappy, repo, 'deploy', MG)).stdout).toContain('No change');
      expect(gappy.writeRequests()).toBe(writes);
      dropRule(repo, 'ai-hub-hbi');
      rmConfig(repo);
      for (const s of [clean, gappy]) expect((await publish(s, repo, 'deploy', MG, ['--prune'])).code).toBe(0);
      expect(holdings(gappy)).toEqual(holdings(clean));
      writes = gappy.writeRequests();
      expect((await publish(gappy, repo, 'deploy', MG, ['--prune'])).stdout).toContain('No change');
      expect(gappy.writeRequests()).toBe(writes);
    } finally {
      await clean.close();
      await gappy.close();
    }
  });

  it('follows writes Resource Manager accepts to finish later (202, Azure-AsyncOperation) to their end, prune included', async () => {
    const clean = await publishServer();
    const later = await publishServer({
      asyncWrites:
        /\/providers\/Microsoft\.Authorization\/(policyDefinitions|policyAssignments|policyExemptions)\/[^/]+$/i
    });
    try {
      for (const server of [clean, later]) {
        seedAccounts(server);
        expect((await publish(server, repo, 'deploy', SUB)).code).toBe(0);
      }
      dropRule(repo, 'ai-hub-hbi');
      for (const server of [clean, later])
        expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).code).toBe(0);
      expect(holdings(later)).toEqual(holdings(clean));
      const accepted = later.requests.filter(r => r.status === 202).map(r => r.method);
      expect(new Set(accepted)).toEqual(new Set(['PUT', 'DELETE']));
      // Each one polled to its end, one InProgress first.
      const polls = later.requests.filter(r => r.path.startsWith('/providers/Microsoft.Test/operationStatuses/'));
      expect(polls).toHaveLength(accepted.length * 2);
      const writes = later.writeRequests();
      expect((await publish(later, repo, 'deploy', SUB, ['--prune'])).stdout).toContain('No change');
      expect(later.writeRequests()).toBe(writes);
    } finally {
      await clean.close();
      await later.close();
    }
  });

  it('writes no exemption on a resource an exception names by id that Azure no longer holds, and says so in the plan', async () => {
    // The last account was deleted: Resource Graph no longer lists it, and Azure would refuse an exemption on it.
    resourceGraphState(server).rows.delete(ACCOUNTS[3].toLowerCase());
    const plan = await publish(server, repo, 'plan', SUB);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      `cmk-guard.yaml:14: ${ACCOUNTS[3]} is not in Azure (Resource Graph does not list it), so no exemption is written on it: Azure refuses one on a resource that does not exist. Take it out of the exception once it is gone for good.`
    );
    expect(plan.stdout).toContain('create 3 exemptions');
    const deploy = await publish(server, repo, 'deploy', SUB);
    expect(deploy.code).toBe(0);
    const written = [...exemptionState(server).exemptions.keys()].map(id => id.toLowerCase());
    expect(written).toHaveLength(3);
    expect(written.some(id => id.startsWith(ACCOUNTS[3].toLowerCase()))).toBe(false);
    const writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });

  it('stops before any write when Resource Graph answers for only the first subscriptions under the group', async () => {
    // The searches under a management group (the pack's assignments and exemptions in its subscriptions) read
    // Resource Graph; an answer past its subscription limit (x-ms-tenant-subscription-limit-hit) is not all of them.
    resourceGraphState(server).subscriptionLimit = 0;
    const stopped = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('x-ms-tenant-subscription-limit-hit: true');
    expect(server.writeRequests()).toBe(0);
  });

  it('takes a DELETE answered 404 (deleted meanwhile, with its resource group) as done, and the next deploy writes nothing', async () => {
    expect((await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG])).code).toBe(0);
    const old = `${RG}/providers/Microsoft.Authorization/policyAssignments/${PACK}`;
    const exemptions = [...exemptionState(server).exemptions.values()];
    // Between plan and apply, the resource group is deleted, and everything in it: ARM answers 404.
    const gone = () => {
      policyState(server).resources.delete(old.toLowerCase());
      for (const exemption of exemptions) exemptionState(server).exemptions.delete(exemption.id.toLowerCase());
      return {
        status: 404,
        body: { error: { code: 'ResourceGroupNotFound', message: "Resource group 'ai-prod' could not be found." } }
      };
    };
    server.route(
      {
        method: 'DELETE',
        pattern: new RegExp(`^${RG}/providers/Microsoft\\.Authorization/policyAssignments/[^/]+$`, 'i'),
        apiVersions: [POLICY_API_VERSION],
        handle: gone
      },
      { first: true }
    );
    server.route(
      {
        method: 'DELETE',
        pattern: /\/providers\/Microsoft\.Authorization\/policyExemptions\/[^/]+$/i,
        apiVersions: [EXEMPTIONS_API_VERSION],
        handle: gone
      },
      { first: true }
    );
    rmConfig(repo);
    const pruned = await publish(server, repo, 'deploy', SUB, ['--prune', '--format', 'json']);
    expect(pruned.code).toBe(0);
    const plan = JSON.parse(pruned.stdout) as { results: { kind: string; action: string; outcome: string }[] };
    expect(plan.results.filter(r => r.action === 'delete').map(r => [r.kind, r.outcome])).toEqual([
      ...ACCOUNTS.map(() => ['exemption', 'applied']),
      ['assignment', 'applied']
    ]);
    expect(server.requests.filter(r => r.method === 'DELETE').map(r => r.status)).toEqual(
      [...ACCOUNTS, RG].map(() => 404)
    );
    expect(storedAt(server, RG, 'policyAssignments')).toEqual([]);
    const writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });
});

describe('Resource Manager whose replicas have not caught up with a write made moments before', () => {
  let server: ArmServer;
  let clean: ArmServer;
  let repo: Repository;
  beforeEach(async () => {
    server = await publishServer();
    clean = await publishServer();
    repo = packRepository();
    for (const s of [server, clean]) seedAccounts(s);
    config(repo);
  });
  afterEach(async () => {
    await server.close();
    await clean.close();
    repo.dispose();
  });

  /** The error codes the server answered to writes, by method and type. */
  const refusals = (s: ArmServer, from = 0) =>
    new Set(
      s.requests
        .slice(from)
        .filter(r => typeof r.status === 'number' && r.status >= 400 && r.method !== 'GET')
        .map(r => {
          const type = /\/providers\/Microsoft\.Authorization\/(\w+)\/[^/]+$/i.exec(r.path)?.[1];
          return `${r.method} ${type} ${r.status} ${(r.responseBody as { error?: { code?: string } }).error?.code}`;
        })
    );

  it('waits until what references a new definition, initiative or assignment sees it, and deletes what no longer does, ending as Azure without lag', async () => {
    expect((await publish(clean, repo, 'deploy', SUB)).code).toBe(0);
    // Each reference check sees an object as it was before its last write, twice.
    setPolicyReplicationLag(server, 2);
    const first = await publish(server, repo, 'deploy', SUB);
    expect(first.code).toBe(0);
    // Each wait is said, so a pause in the log has its reason.
    expect(first.stderr).toContain(
      'Azure does not see yet what the initiative cmk-guard-foundry-tools references (PolicyDefinitionNotFound); trying again in 1 ms.'
    );
    expect(refusals(server)).toEqual(
      new Set([
        'PUT policySetDefinitions 400 PolicyDefinitionNotFound',
        'PUT policyAssignments 400 PolicySetDefinitionNotFound',
        'PUT policyExemptions 404 PolicyAssignmentNotFound'
      ])
    );
    expect(holdings(server)).toEqual(holdings(clean));
    let writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);

    // A rule leaves the pack: the initiative is replaced (its assignment deleted first, which the
    // initiative's DELETE still sees) and the rule's definition pruned (the old initiative still seen).
    dropRule(repo, 'ai-hub-hbi');
    rmConfig(repo);
    expect((await publish(clean, repo, 'deploy', SUB, ['--prune'])).code).toBe(0);
    const before = server.requests.length;
    const pruned = await publish(server, repo, 'deploy', SUB, ['--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain(
      'Azure still sees what referenced the initiative cmk-guard-foundry-tools (InvalidDeletePolicySetDefinitionRequest); trying again in 1 ms.'
    );
    expect(refusals(server, before)).toEqual(
      new Set([
        'DELETE policySetDefinitions 400 InvalidDeletePolicySetDefinitionRequest',
        'DELETE policyDefinitions 400 InvalidDeletePolicyDefinitionRequest'
      ])
    );
    expect(holdings(server)).toEqual(holdings(clean));
    writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });

  it('converges at a management group with lagging replicas and 30% of requests failing (429, 500, resets, lost answers) together', async () => {
    expect((await publish(clean, repo, 'deploy', MG)).code).toBe(0);
    setPolicyReplicationLag(server, 3);
    server.setFaults({ rate: 0.3, seed: 77 });
    const faulty = await publish(server, repo, 'deploy', MG);
    expect(server.requests.some(r => r.fault)).toBe(true);
    expect(refusals(server)).toContain('PUT policySetDefinitions 400 PolicyDefinitionNotFound');
    // Whatever the retries could not do is listed, and the next run finishes it.
    if (faulty.code !== 0) {
      expect(faulty.stdout).toMatch(/Not finished: \d+ of \d+ writes done/);
      server.setFaults(undefined);
      expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    }
    expect(holdings(server)).toEqual(holdings(clean));
    server.setFaults(undefined);
    const writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', MG)).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });

  it('reports the refusal with Azure’s code, how long it waited and what to do once the retries are spent, and a re-run converges', async () => {
    expect((await publish(clean, repo, 'deploy', SUB)).code).toBe(0);
    setPolicyReplicationLag(server, 50);
    const stuck = await publish(server, repo, 'deploy', SUB);
    expect(stuck.code).toBe(1);
    expect(stuck.stdout).toMatch(
      /Azure answered 400 PolicyDefinitionNotFound while writing the initiative cmk-guard-foundry-tools at subscription 00000000-0000-0000-0000-0000000000aa: The policy set definition 'cmk-guard-foundry-tools' request is invalid\. The following policy definitions could not be found: '\/subscriptions\/[^ ]+;[^ ]+ cmk-guard tried 7 times over 0 s: Azure Policy's replicas had not caught up with what was written or deleted moments before, or someone changed the scope meanwhile\. Run deploy again in a few minutes; it plans from what Azure then holds\./
    );
    expect(server.requests.filter(r => r.method === 'PUT' && /policySetDefinitions/.test(r.path))).toHaveLength(7);
    expect(stuck.stdout).toContain('not applied');
    // The replicas catch up; the re-run writes what is left, and then nothing.
    setPolicyReplicationLag(server, 0);
    expect((await publish(server, repo, 'deploy', SUB)).code).toBe(0);
    expect(holdings(server)).toEqual(holdings(clean));
    const writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });
});

describe('a definition the pack no longer has, which someone else’s initiative references', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));

  /** Another team's initiative at `scope` that lists the pack's definition ai-hub-hbi (deployed at MG). */
  const theirInitiative = (scope: string) => {
    const definition = storedAt(server, MG, 'policyDefinitions').find(d => d.name === 'ai-hub-hbi');
    expect(definition).toBeDefined();
    seedPolicyResource(server, scope, 'policySetDefinitions', 'platform-baseline', {
      displayName: 'Platform baseline (another team)',
      policyType: 'Custom',
      metadata: { owner: 'platform-team' },
      policyDefinitions: [{ policyDefinitionId: definition!.id, policyDefinitionReferenceId: 'hbi' }]
    });
  };
  const deletes = () =>
    server.requests.filter(r => r.method === 'DELETE' && /policyDefinitions\/ai-hub-hbi$/i.test(r.path));

  it('is kept by plan and deploy --prune, which say what references it, where the plan sees that initiative', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    theirInitiative(MG);
    dropRule(repo, 'ai-hub-hbi');
    const plan = await publish(server, repo, 'plan', MG, ['--prune']);
    expect(plan.code).toBe(0);
    const theirs = storedAt(server, MG, 'policySetDefinitions').find(d => d.name === 'platform-baseline')!.id;
    const reason = `owned by '${OWNER}' and no longer in the pack, but the initiative platform-baseline (${theirs}), which cmk-guard does not own, references it, and Azure refuses to delete a policy definition while anything does: it is kept. Remove that reference, and deploy --prune deletes it`;
    expect(plan.stdout).toContain(reason);
    const deploy = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(deploy.code).toBe(0);
    expect(deletes()).toEqual([]);
    expect(storedAt(server, MG, 'policyDefinitions').map(d => d.name)).toContain('ai-hub-hbi');
  });

  it('is tried once by deploy --prune where the plan does not see that initiative, and the refusal says why waiting cannot help', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    // At a subscription below the group: the plan at MG lists the group's initiatives only.
    theirInitiative(SUB);
    dropRule(repo, 'ai-hub-hbi');
    const deploy = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(deploy.code).toBe(1);
    expect(deletes().map(r => r.status)).toEqual([400]);
    expect(deploy.stdout).toContain(
      `It is referenced by the policy set definition '${SUB}/providers/Microsoft.Authorization/policySetDefinitions/platform-baseline'.`
    );
    expect(deploy.stdout).toContain(
      `The policy set definition ${SUB}/providers/Microsoft.Authorization/policySetDefinitions/platform-baseline is not the pack's (cmk-guard does not own it, or the plan did not see it), so trying again cannot help: remove that reference, then deploy --prune again.`
    );
    expect(deploy.stderr).not.toContain('trying again');
  });
});

describe('an assignment’s managed identity and the location Azure keeps for it', () => {
  let server: ArmServer;
  let repo: Repository;
  const assignment = () => storedAt(server, SUB, 'policyAssignments')[0].body;
  const planOf = (run: { stdout: string }) =>
    JSON.parse(run.stdout) as {
      items: { kind: string; action: string; reason?: string }[];
      results: { kind: string; action: string; outcome: string; message?: string }[];
    };
  eachTestPackAndServer(made => ({ server, repo } = made));
  beforeEach(() => {
    // A rule that may change resources: assigned with Modify, the assignment needs a managed identity.
    const file = path.join(repo.policies, 'foundry-tools-cmk.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('allowed: [Audit, Deny, Disabled]', 'allowed: [Audit, Deny, Disabled, Modify]')
    );
  });

  it('refuses an assignment that modifies without an identity, as Azure does, so the identity cmk-guard adds is what lets it through', async () => {
    const modify = ['--effect', 'foundry-tools-cmk=Modify'];
    expect((await publish(server, repo, 'deploy', SUB, [...modify, '--location', 'westeurope'])).code).toBe(0);
    expect(assignment()).toMatchObject({ location: 'westeurope', identity: { type: 'SystemAssigned' } });
    // The same assignment written by hand without the identity: Azure refuses it.
    const store = new PolicyStore(connect(server));
    const { identity, location, ...withoutIdentity } = assignment() as Record<string, unknown>;
    expect([identity, location]).not.toContain(undefined);
    await expect(
      store.putAssignment(
        parseScope(SUB, '--scope'),
        PACK,
        withoutIdentity as unknown as Parameters<PolicyStore['putAssignment']>[2]
      )
    ).rejects.toMatchObject({ status: 400, code: 'ResourceIdentityRequired' });
  });

  it('says, creating the assignment with a managed identity, that Azure grants it no role through its API', async () => {
    // "When you use an Azure SDK, the roles must manually be granted to the managed identity" (remediate-resources).
    const planned = await publish(server, repo, 'plan', SUB, [
      ...['--effect', 'foundry-tools-cmk=Modify', '--location', 'westeurope', '--format', 'json']
    ]);
    expect(planOf(planned).items.find(i => i.kind === 'assignment')).toMatchObject({
      action: 'create',
      reason: expect.stringMatching(
        /^with a system-assigned managed identity, for the effect Modify of foundry-tools-cmk: Azure grants it no role when an assignment is written through its API .*grant it the roles/
      )
    });
    // Audit only: no identity, nothing to say.
    const audit = await publish(server, repo, 'plan', SUB, ['--format', 'json']);
    expect(planOf(audit).items.find(i => i.kind === 'assignment')?.reason).toBeUndefined();
  });

  it('replaces the assignment when its location changes, keeps the location when the identity goes, and writes nothing after', async () => {
    const modify = ['--effect', 'foundry-tools-cmk=Modify'];
    expect((await publish(server, repo, 'deploy', SUB, [...modify, '--location', 'westeurope'])).code).toBe(0);
    const principal = (assignment().identity as { principalId: string }).principalId;
    // Azure spells regions its own way: "West Europe" is westeurope, no change.
    expect((await publish(server, repo, 'deploy', SUB, [...modify, '--location', 'West Europe'])).stdout).toContain(
      'No change'
    );

    // Azure refuses to move an assignment (InvalidLocationUpdate): it is deleted and created again.
    const moved = await publish(server, repo, 'deploy', SUB, [
      ...modify,
      '--location',
      'northeurope',
      '--format',
      'json'
    ]);
    const plan = planOf(moved);
    expect(plan.results.filter(r => r.outcome !== 'applied')).toEqual([]);
    expect(moved.code).toBe(0);
    const item = plan.items.find(i => i.kind === 'assignment');
    expect(item?.action).toBe('replace');
    expect(item?.reason).toBe(
      'Azure cannot change the location of an assignment (westeurope to northeurope): it is deleted and created again, with a new managed identity (grant it the roles it needs again), and its compliance results start anew'
    );
    expect(assignment()).toMatchObject({ location: 'northeurope', identity: { type: 'SystemAssigned' } });
    expect((assignment().identity as { principalId: string }).principalId).not.toBe(principal);
    let writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB, [...modify, '--location', 'northeurope'])).stdout).toContain(
      'No change'
    );
    expect(server.writeRequests()).toBe(writes);

    // No effect needs an identity any more: it goes, and the location Azure keeps is sent again.
    const audit = await publish(server, repo, 'deploy', SUB, ['--format', 'json']);
    expect(planOf(audit).results.filter(r => r.outcome !== 'applied')).toEqual([]);
    expect(audit.code).toBe(0);
    expect(planOf(audit).items.find(i => i.kind === 'assignment')?.action).toBe('update');
    expect(assignment().location).toBe('northeurope');
    expect(assignment().identity).toBeUndefined();
    writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });
});

describe('an Azure Policy assignment that denies what cmk-guard writes', () => {
  it('says which assignment denied the exemption and what to change, not that a role is missing, and converges once it complies', async () => {
    // As Azure/Community-Policy#308 does: an exemption without an expiry date is denied.
    const guard =
      '/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policyAssignments/exemptions-expire';
    const server = await publishServer({
      denyByPolicy: ctx => {
        const body = ctx.body as { properties?: { expiresOn?: string } } | undefined;
        return /\/policyExemptions\//i.test(ctx.path) && !body?.properties?.expiresOn
          ? {
              assignment: guard,
              definition:
                '/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policyDefinitions/deny-exemption-without-expiry'
            }
          : undefined;
      }
    });
    const repo = packRepository();
    try {
      seedAccounts(server);
      config(repo);
      const denied = await publish(server, repo, 'deploy', SUB);
      expect(denied.code).toBe(1);
      expect(denied.stdout).toContain(
        `Azure answered 403 RequestDisallowedByPolicy while writing the policy exemption`
      );
      expect(denied.stdout).toContain(guard);
      expect(denied.stdout).toContain(
        'An Azure Policy assignment denies this write (Azure names it above): change what cmk-guard writes to comply with it (for an exemption: its expires date, reason or category in cmk-guard.yaml), or ask that assignment’s owner to exempt it.'
      );
      expect(denied.stdout).not.toContain('Resource Policy Contributor');
      // What the denial does not touch is written; the exemptions are not.
      expect(storedAt(server, SUB, 'policyAssignments')).toHaveLength(1);
      expect(exemptionState(server).exemptions.size).toBe(0);

      // Each exception gets an expiry: the exemptions comply, are written, and nothing is left.
      writeFileSync(
        path.join(repo.root, 'cmk-guard.yaml'),
        readFileSync(path.join(repo.root, 'cmk-guard.yaml'), 'utf8').replace(
          /reason: Retired\./g,
          'reason: Retired.\n    expires: 2099-12-31'
        )
      );
      expect((await publish(server, repo, 'deploy', SUB)).code).toBe(0);
      expect(exemptionState(server).exemptions.size).toBe(ACCOUNTS.length);
      const writes = server.writeRequests();
      expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
      expect(server.writeRequests()).toBe(writes);
    } finally {
      await server.close();
      repo.dispose();
    }
  });
});

describe('which answers mean the replicas have not caught up', () => {
  const answer = (status: number, code: string, message = '') => new ArmError('x', status, code, message);
  it('knows the reference refusals, the out-of-scope refusal that says to try again, and nothing else', () => {
    // Azure/Enterprise-Scale#902, verbatim.
    const outOfScope =
      "The policy definition specified in policy assignment 'Deny-DataB-Sku' is out of scope. Policy definitions should be specified only at or above the policy assignment scope. If the management groups hierarchy changed recently or if assigning a management group policy to new subscription, please allow up to 30 minutes for the hierarchy changes to apply and try again.";
    expect(notSeenYet(answer(400, 'InvalidCreatePolicyAssignmentRequest', outOfScope))).toBe(true);
    // Azure/ALZ-Bicep#326: the initiative's form.
    expect(
      notSeenYet(
        answer(
          400,
          'InvalidCreatePolicySetDefinitionRequest',
          "The policy set definition 'Deploy-Diagnostics-LogAnalytics' request is invalid. Policy definitions should be specified only at or above the policy set definition's scope. The following policy definitions are invalid: 'Deploy-Diagnostics-ACI'."
        )
      )
    ).toBe(true);
    for (const code of [
      'PolicyDefinitionNotFound',
      'PolicySetDefinitionNotFound',
      'InvalidDeletePolicyDefinitionRequest',
      'InvalidDeletePolicySetDefinitionRequest'
    ])
      expect(notSeenYet(answer(400, code))).toBe(true);
    expect(notSeenYet(answer(404, 'PolicyAssignmentNotFound'))).toBe(true);
    // Refusals of what was sent, and other statuses, are reported at once.
    expect(
      notSeenYet(
        answer(
          400,
          'InvalidCreatePolicySetDefinitionRequest',
          "The policy set definition 'x' request is invalid. The policy definition reference id 'a' is used more than once."
        )
      )
    ).toBe(false);
    expect(notSeenYet(answer(400, 'InvalidPolicyRule'))).toBe(false);
    expect(notSeenYet(answer(404, 'PolicyDefinitionNotFound'))).toBe(false);
    expect(notSeenYet(answer(403, 'AuthorizationFailed'))).toBe(false);
  });
});

function rmConfig(repo: Repository): void {
  writeFileSync(path.join(repo.root, 'cmk-guard.yaml'), '{}\n');
}

describe('Retry-After, in either form RFC 9110 allows', () => {
  const now = Date.UTC(2026, 11, 6, 3, 0, 0);
  it('reads seconds and HTTP-dates, never waits for a date gone by, and waits at most a minute', () => {
    expect(retryAfterMs({ 'retry-after': '5' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': new Date(now + 3000).toUTCString() }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': new Date(now - 3000).toUTCString() }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': '3600' }, now)).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it('waits no longer than the longest retry delay however far an HTTP-date is, and reports the 429 when retries are spent', async () => {
    const server = await publishServer();
    try {
      server.setFaults({
        rate: 1,
        seed: 2,
        kinds: ['throttle'],
        methods: ['PUT'],
        retryAfterSeconds: 3600,
        retryAfterDate: true
      });
      const store = new PolicyStore(connect(server, { retry: { retryDelayInMs: 1, maxRetryDelayInMs: 50 } }));
      // An hour's wait per attempt would outlast the test; clamped to 50 ms, the seven attempts end soon.
      const write = store.putDefinition(parseScope(SUB, '--scope'), 'd', {
        properties: {
          displayName: 'd',
          mode: 'All',
          policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
        }
      });
      await expect(write).rejects.toMatchObject({ status: 429 });
      expect(server.requests.filter(r => r.method === 'PUT')).toHaveLength(7);
    } finally {
      await server.close();
    }
  });
});
