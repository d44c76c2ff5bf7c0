/**
 * `cmk-guard plan` and `cmk-guard deploy` end to end: the CLI in this process, the real
 * @azure/arm-policy client, the loopback ARM through --arm-endpoint and CMK_GUARD_AZURE_TOKEN.
 * Write counts are the server's.
 */
import type { ArmServer } from '../support/arm-server.js';
import { seedPolicyResource, storedAt, type StoredPolicyResource } from '../support/arm-policy.js';
import { exemptionState, seedExemption, seedExemptionGroup } from '../support/arm-exemptions.js';
import { graphRow, resourceGraphState, seedManagementGroup } from '../support/arm-resourcegraph.js';
import {
  dropRule,
  eachTestPackAndServer,
  MG,
  OWNER,
  PACK,
  publish,
  publishServer,
  RG,
  SUB,
  seedSomeoneElsesDefinition,
  type Repository
} from './support.js';

const DEFINITIONS = [
  'ai-hub-cmk',
  'ai-hub-hbi',
  'dependent-storage-cmk',
  'foundry-tools-cmk',
  'foundry-tools-cmk-identity',
  'key-vault-purge-protection',
  'key-vault-soft-delete'
];

/** What the server holds, without what changes on every write (timestamps, instance ids). */
function snapshot(server: ArmServer): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const scope of [MG, SUB, RG]) {
    for (const type of ['policyDefinitions', 'policySetDefinitions', 'policyAssignments'] as const) {
      for (const resource of storedAt(server, scope, type)) state[resource.id.toLowerCase()] = stable(resource);
    }
  }
  return state;
}

function stable(resource: StoredPolicyResource): unknown {
  const { systemData: _systemData, ...body } = resource.body;
  const properties = { ...body.properties } as Record<string, unknown>;
  delete properties.instanceId;
  const {
    createdBy: _a,
    createdOn: _b,
    updatedBy: _c,
    updatedOn: _d,
    ...metadata
  } = (properties.metadata ?? {}) as Record<string, unknown>;
  return { ...body, properties: { ...properties, metadata } };
}

describe('plan and deploy the pack', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));

  it('plans, deploys to a management group, and a second deploy writes nothing', async () => {
    const plan = await publish(server, repo, 'plan', MG);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'This change will create 7 policy definitions, create 1 initiative and create 1 assignment at management group contoso.'
    );
    expect(plan.stdout).toMatch(/^ {2}\+ {3}foundry-tools-cmk +create {2}policies\/foundry-tools-cmk\.yaml$/m);
    expect(server.writeRequests()).toBe(0);

    const deploy = await publish(server, repo, 'deploy', MG);
    expect(deploy.stderr).toBe(
      [
        'Signed in to ' + server.url + ' with the token in CMK_GUARD_AZURE_TOKEN.',
        'Reading what management group contoso holds.',
        'Applying the plan, 8 requests at a time.',
        ''
      ].join('\n')
    );
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain('Deployed: 9 writes done, nothing left.');
    expect(server.writeCount()).toBe(9);
    expect(
      storedAt(server, MG, 'policyDefinitions')
        .map(d => d.name)
        .sort()
    ).toEqual(DEFINITIONS);
    const [initiative] = storedAt(server, MG, 'policySetDefinitions');
    expect(initiative.name).toBe(PACK);
    // The members are the definitions at the scope, not the built-in form.
    const members = initiative.body.properties.policyDefinitions as { policyDefinitionId: string }[];
    expect(members.map(m => m.policyDefinitionId)).toContain(
      `${MG}/providers/Microsoft.Authorization/policyDefinitions/foundry-tools-cmk`
    );
    const [assignment] = storedAt(server, MG, 'policyAssignments');
    expect(assignment.body.properties).toMatchObject({
      policyDefinitionId: `${MG}/providers/Microsoft.Authorization/policySetDefinitions/${PACK}`,
      enforcementMode: 'Default',
      metadata: { cmkGuard: { owner: OWNER, pack: PACK } }
    });
    expect(assignment.body.identity).toBeUndefined();
    expect((assignment.body.properties.nonComplianceMessages as unknown[]).length).toBe(7);
    for (const definition of storedAt(server, MG, 'policyDefinitions')) {
      expect(definition.body.properties.metadata).toMatchObject({
        cmkGuard: { owner: OWNER, source: `policies/${definition.name}.yaml` }
      });
    }

    const writes = server.writeRequests();
    const again = await publish(server, repo, 'deploy', MG);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No change: management group contoso already holds the pack as it is.');
    expect(again.stdout).toContain('Nothing to write: Azure already holds the pack.');
    expect(server.writeRequests()).toBe(writes);
  });

  it('deploys to a subscription, assigned at a resource group, with chosen effects and DoNotEnforce', async () => {
    const deploy = await publish(server, repo, 'deploy', SUB, [
      '--assignment-scope',
      RG,
      '--enforcement-mode',
      'DoNotEnforce',
      '--effect',
      'foundry-tools-cmk=deny',
      '--effect',
      'key-vault-soft-delete=Disabled'
    ]);
    expect(deploy.code).toBe(0);
    expect(storedAt(server, SUB, 'policyDefinitions')).toHaveLength(7);
    expect(storedAt(server, SUB, 'policyAssignments')).toHaveLength(0);
    const [assignment] = storedAt(server, RG, 'policyAssignments');
    expect(assignment.body.properties).toMatchObject({
      enforcementMode: 'DoNotEnforce',
      parameters: { foundryToolsCmkEffect: { value: 'Deny' }, keyVaultSoftDeleteEffect: { value: 'Disabled' } }
    });
    const plan = await publish(server, repo, 'plan', SUB, ['--assignment-scope', RG, '--format', 'json']);
    const json = JSON.parse(plan.stdout) as { items: { action: string; kind: string; changes?: { path: string }[] }[] };
    // Without the options, the assignment goes back to enforcing the rules' defaults.
    const assignmentItem = json.items.find(i => i.kind === 'assignment');
    expect(assignmentItem?.action).toBe('update');
    expect(assignmentItem?.changes?.map(c => c.path)).toEqual(['properties.enforcementMode', 'properties.parameters']);
    expect(json.items.filter(i => i.action === 'unchanged')).toHaveLength(8);
  });

  it('never touches a same-named definition with another owner, and deploy stops before any write', async () => {
    seedPolicyResource(server, MG, 'policyDefinitions', 'key-vault-soft-delete', {
      displayName: 'Theirs',
      policyType: 'Custom',
      mode: 'All',
      metadata: { cmkGuard: { owner: 'github.com/someone/else' } },
      policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
    });
    seedPolicyResource(server, MG, 'policyDefinitions', 'ai-hub-cmk', {
      displayName: 'Made by hand',
      policyType: 'Custom',
      mode: 'All',
      policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
    });
    const plan = await publish(server, repo, 'plan', MG);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(
      "a policy definition named key-vault-soft-delete already exists at management group contoso, owned by 'github.com/someone/else'"
    );
    expect(plan.stdout).toContain(
      'a policy definition named ai-hub-cmk already exists at management group contoso, without a cmk-guard owner id'
    );
    expect(plan.stdout).toContain(
      'Deploy would stop before writing anything: 2 items at management group contoso already exist under another owner.'
    );
    const deploy = await publish(server, repo, 'deploy', MG);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain('deploy stopped before writing anything');
    expect(server.writeRequests()).toBe(0);
  });

  it('replaces the initiative when a rule leaves the pack, and prunes only what it owns', async () => {
    await publish(server, repo, 'deploy', MG);
    seedSomeoneElsesDefinition(server);
    dropRule(repo, 'ai-hub-hbi');

    const plan = await publish(server, repo, 'plan', MG);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'the update removes the parameter aiHubHbiEffect, which Azure refuses in place: it is deleted and created again'
    );
    expect(plan.stdout).toMatch(
      /\? +ai-hub-hbi +orphan\n +owned by 'github\.com\/contoso\/policies' and no longer in the pack; --prune deletes it/
    );

    const kept = await publish(server, repo, 'deploy', MG);
    expect(kept.code).toBe(0);
    expect(storedAt(server, MG, 'policyDefinitions').map(d => d.name)).toContain('ai-hub-hbi');
    const [initiative] = storedAt(server, MG, 'policySetDefinitions');
    expect(Object.keys(initiative.body.properties.parameters as object)).not.toContain('aiHubHbiEffect');

    const pruned = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(pruned.code).toBe(0);
    const names = storedAt(server, MG, 'policyDefinitions').map(d => d.name);
    expect(names).not.toContain('ai-hub-hbi');
    expect(names).toContain('someone-elses');
    expect(pruned.stdout).toContain('This change will delete 1 policy definition at management group contoso.');
  });

  it('an assignment moved to another --assignment-scope leaves the old one listed, and pruned with --prune', async () => {
    expect((await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG])).code).toBe(0);
    const moved = await publish(server, repo, 'deploy', SUB);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain(
      `an assignment of the pack's initiative at resource group ai-prod (subscription 00000000-0000-0000-0000-0000000000aa), owned by '${OWNER}'; the pack is now assigned at subscription 00000000-0000-0000-0000-0000000000aa; --prune deletes it.`
    );
    expect(storedAt(server, SUB, 'policyAssignments')).toHaveLength(1);
    expect(storedAt(server, RG, 'policyAssignments')).toHaveLength(1);

    // Dropping a rule replaces the initiative, which Azure refuses while the old assignment uses it.
    dropRule(repo, 'ai-hub-hbi');
    const plan = await publish(server, repo, 'plan', SUB);
    expect(plan.stdout).toContain(
      'Azure refuses to delete an initiative that is still assigned, so the replace fails until it is gone.'
    );
    const pruned = await publish(server, repo, 'deploy', SUB, ['--prune']);
    expect(pruned.code).toBe(0);
    expect(storedAt(server, RG, 'policyAssignments')).toHaveLength(0);
    expect(storedAt(server, SUB, 'policyAssignments')).toHaveLength(1);
    const [initiative] = storedAt(server, SUB, 'policySetDefinitions');
    expect(Object.keys(initiative.body.properties.parameters as object)).not.toContain('aiHubHbiEffect');
    // The old assignment went before the initiative it used was deleted.
    const deletes = server.requests
      .filter(r => r.method === 'DELETE')
      .map(r => r.path.replace(/^.*\/providers\/Microsoft\.Authorization\//i, ''));
    expect(deletes.slice(0, 3)).toEqual([
      `policyAssignments/${PACK}`,
      `policyAssignments/${PACK}`,
      `policySetDefinitions/${PACK}`
    ]);
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).stdout).toContain('No change');
  });

  it('finds the pack’s old assignment in another subscription under the management group with Resource Graph, and prunes it', async () => {
    const other = '/subscriptions/00000000-0000-0000-0000-0000000000bb';
    seedManagementGroup(server, 'contoso', { subscriptions: [SUB.split('/')[2], other.split('/')[2]] });
    seedExemptionGroup(server, 'contoso', [SUB.split('/')[2], other.split('/')[2]]);
    expect((await publish(server, repo, 'deploy', MG, ['--assignment-scope', other])).code).toBe(0);
    const old = `${other}/providers/Microsoft.Authorization/policyAssignments/${PACK}`;
    // The pack's own exemption of it, made by an earlier deploy.
    seedExemption(server, `${other}/resourceGroups/legacy`, 'cmk-guard-0123456789abcdef01234567', {
      policyAssignmentId: old,
      exemptionCategory: 'Waiver',
      metadata: { cmkGuard: { owner: OWNER } }
    });

    // Assigned now in the other subscription: no Azure Policy list holds the old one, Resource Graph does.
    const moved = await publish(server, repo, 'plan', MG, ['--assignment-scope', SUB, '--format', 'json']);
    const plan = JSON.parse(moved.stdout) as { items: { kind: string; action: string; id: string }[] };
    expect(plan.items.filter(i => i.action === 'orphan').map(i => [i.kind, i.id])).toEqual([
      ['assignment', old],
      [
        'exemption',
        `${other}/resourceGroups/legacy/providers/Microsoft.Authorization/policyExemptions/cmk-guard-0123456789abcdef01234567`
      ]
    ]);
    const graph = resourceGraphState(server).queries.map(q => String(q.query));
    expect(graph).toContain(
      [
        'policyresources',
        "| where type =~ 'microsoft.authorization/policyassignments'",
        `| where tostring(properties.policyDefinitionId) =~ '${MG}/providers/Microsoft.Authorization/policySetDefinitions/${PACK}'`,
        '| project id',
        '| order by id asc'
      ].join('\n')
    );

    const pruned = await publish(server, repo, 'deploy', MG, ['--assignment-scope', SUB, '--prune']);
    expect(pruned.code).toBe(0);
    expect(storedAt(server, other, 'policyAssignments')).toEqual([]);
    expect(storedAt(server, SUB, 'policyAssignments').map(a => a.name)).toEqual([PACK]);
    expect(exemptionState(server).exemptions.size).toBe(0);

    // Resource Graph lags Azure Policy by seconds: a row it still has for the deleted assignment
    // is read again from Azure Policy (404: gone), so the next deploy writes nothing.
    resourceGraphState(server).stalePolicyRows.push(
      graphRow({
        id: old,
        name: PACK,
        type: 'Microsoft.Authorization/policyAssignments',
        properties: { policyDefinitionId: `${MG}/providers/Microsoft.Authorization/policySetDefinitions/${PACK}` }
      })
    );
    const writes = server.writeRequests();
    const again = await publish(server, repo, 'deploy', MG, ['--assignment-scope', SUB, '--prune']);
    expect(again.stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
    expect(
      server.requests.some(r => r.method === 'GET' && r.path.toLowerCase() === old.toLowerCase() && r.status === 404)
    ).toBe(true);
  });

  it('ends in the same state with 30% of requests failing (429, 500, resets) as without', async () => {
    const clean = await publishServer();
    try {
      expect((await publish(clean, repo, 'deploy', MG, ['--effect', 'ai-hub-cmk=Deny'])).code).toBe(0);
      server.setFaults({ rate: 0.3, seed: 2024 });
      const faulty = await publish(server, repo, 'deploy', MG, ['--effect', 'ai-hub-cmk=Deny']);
      const faults = server.requests.filter(r => r.fault).length;
      expect(faults).toBeGreaterThan(0);
      if (faulty.code !== 0) {
        // What could not be done is listed, and the next run finishes it.
        expect(faulty.stdout).toMatch(/Not finished: \d+ of \d+ writes done/);
        expect((await publish(server, repo, 'deploy', MG, ['--effect', 'ai-hub-cmk=Deny'])).code).toBe(0);
      }
      expect(snapshot(server)).toEqual(snapshot(clean));
      server.setFaults(undefined);
      const writes = server.writeRequests();
      expect((await publish(server, repo, 'deploy', MG, ['--effect', 'ai-hub-cmk=Deny'])).stdout).toContain(
        'No change'
      );
      expect(server.writeRequests()).toBe(writes);
    } finally {
      await clean.close();
    }
  });

  it('reports what faults leave undone once the retries are spent, and a re-run converges to the fault-free state', async () => {
    const clean = await publishServer();
    try {
      expect((await publish(clean, repo, 'deploy', MG)).code).toBe(0);
      // Every attempt to write the initiative fails (429 with Retry-After, 500, a dropped connection).
      const initiativePut = new RegExp(`/policySetDefinitions/${PACK}$`, 'i');
      server.setFaults({
        rate: 1,
        seed: 5,
        methods: ['PUT'],
        paths: initiativePut,
        kinds: ['throttle', 'server-error', 'reset']
      });
      const faulty = await publish(server, repo, 'deploy', MG);
      expect(faulty.code).toBe(1);
      expect(faulty.stdout).toContain('Not finished: 7 of 9 writes done, 2 left');
      expect(faulty.stdout).toMatch(new RegExp(`initiative ${PACK}: failed: `));
      expect(faulty.stdout).toContain(
        `assignment ${PACK}: not applied: not attempted: an earlier step failed, and this one depends on it`
      );
      // The SDK's retry policy tried it 1 + 6 times (its default maxRetries), no hand-written loop.
      const attempts = server.requests.filter(r => r.method === 'PUT' && initiativePut.test(r.path));
      expect(attempts).toHaveLength(7);
      expect(attempts.every(r => r.fault)).toBe(true);
      expect(storedAt(server, MG, 'policySetDefinitions')).toHaveLength(0);

      server.setFaults(undefined);
      const rerun = await publish(server, repo, 'deploy', MG);
      expect(rerun.code).toBe(0);
      // Only what was left is written: the 7 definitions are unchanged.
      expect(rerun.stdout).toContain(
        'This change will create 1 initiative and create 1 assignment at management group contoso.'
      );
      expect(snapshot(server)).toEqual(snapshot(clean));
      const writes = server.writeRequests();
      expect((await publish(server, repo, 'deploy', MG)).stdout).toContain('No change');
      expect(server.writeRequests()).toBe(writes);
    } finally {
      await clean.close();
    }
  });

  it('refuses, before any write, a deploy that would take a scope past Azure’s limits', async () => {
    // 495 definitions and 200 assignments already there, someone else's: 7 more definitions do not fit.
    for (let i = 0; i < 495; i++)
      seedPolicyResource(server, MG, 'policyDefinitions', `theirs-${i}`, {
        displayName: `Theirs ${i}`,
        policyType: 'Custom',
        mode: 'All',
        policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
      });
    for (let i = 0; i < 200; i++)
      seedPolicyResource(server, RG, 'policyAssignments', `theirs-${i}`, {
        policyDefinitionId: `${MG}/providers/Microsoft.Authorization/policyDefinitions/theirs-${i}`
      });
    const plan = await publish(server, repo, 'plan', MG);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain(
      'cmk-guard: after this deploy management group contoso would hold 502 custom policy definitions (495 there now); Azure allows at most 500. Delete some there, prune what left the pack (--prune), or publish to another scope.'
    );
    const deploy = await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG]);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toContain(
      'after this deploy resource group ai-prod (subscription 00000000-0000-0000-0000-0000000000aa) would hold 201 policy assignments (200 there now); Azure allows at most 200.'
    );
    expect(server.writeRequests()).toBe(0);
  });

  it('reports what Azure refuses with the rule file, and what it could not do after', async () => {
    server.route(
      {
        method: 'PUT',
        pattern: /\/policyDefinitions\/foundry-tools-cmk$/i,
        handle: () => ({
          status: 400,
          body: { error: { code: 'InvalidPolicyRule', message: "Failed to parse policy rule: 'Unexpected token'." } }
        })
      },
      { first: true }
    );
    const deploy = await publish(server, repo, 'deploy', MG);
    expect(deploy.code).toBe(1);
    expect(deploy.stdout).toContain(
      "policies/foundry-tools-cmk.yaml: policy definition foundry-tools-cmk: failed: Azure answered 400 InvalidPolicyRule while writing the policy definition foundry-tools-cmk at management group contoso: Failed to parse policy rule: 'Unexpected token'."
    );
    expect(deploy.stdout).toContain(
      `initiative ${PACK}: not applied: not attempted: an earlier step failed, and this one depends on it`
    );
    expect(deploy.stdout).toContain('Not finished: 6 of 9 writes done, 3 left');
    expect(storedAt(server, MG, 'policySetDefinitions')).toHaveLength(0);
  });

  it('says clearly when Azure refuses the token, and exits 2', async () => {
    const run = await publish(server, repo, 'plan', MG, [], { CMK_GUARD_AZURE_TOKEN: 'expired-token' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'cmk-guard: Azure answered 401 InvalidAuthenticationToken while listing the policy definitions at management group contoso: The access token is invalid. The token was refused'
    );
    expect(run.stderr).not.toContain('expired-token');
  });

  it('derives the owner from the repository the run is for', async () => {
    const { cli } = await import('./support.js');
    const run = await cli(server, repo, ['deploy', '--scope', MG, '--policies', repo.policies], {
      GITHUB_REPOSITORY: 'contoso/policies',
      GITHUB_SERVER_URL: 'https://github.com'
    });
    expect(run.code).toBe(0);
    expect(storedAt(server, MG, 'policyAssignments')[0].body.properties.metadata).toMatchObject({
      cmkGuard: { owner: 'github.com/contoso/policies' }
    });
  });

  it('refuses what cannot be published, before asking Azure', async () => {
    const rgScope = await publish(server, repo, 'plan', RG);
    expect(rgScope.code).toBe(2);
    expect(rgScope.stderr).toContain('--scope is a resource group, where Azure keeps no policy definitions');
    const elsewhere = await publish(server, repo, 'plan', SUB, [
      '--assignment-scope',
      '/subscriptions/00000000-0000-0000-0000-0000000000bb'
    ]);
    expect(elsewhere.stderr).toContain("an assignment must be at the definitions' scope or below it");
    const effect = await publish(server, repo, 'plan', MG, ['--effect', 'foundry-tools-cmk=Modify']);
    expect(effect.stderr).toContain(
      "--effect gives rule 'foundry-tools-cmk' the effect 'Modify', which it does not allow"
    );
    expect(server.requests).toHaveLength(0);
  });
});
