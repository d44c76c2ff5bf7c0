/**
 * `deploy` keeps the configuration file's exceptions in Azure as policy exemptions for the
 * assignment (raw REST 2022-07-01-preview on the same pipeline): created after the assignment
 * they name, owned, left alone when unchanged, updated in place, pruned with --prune.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule } from '../support/arm-policy.js';
import { exemptionsModule, exemptionState, seedExemption } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedResources } from '../support/arm-resourcegraph.js';
import { eachTestPackAndServer, publish, RG, SUB, type Repository } from './support.js';

const ACCOUNT = `${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`;

/** cmk-guard.yaml with an exception for ACCOUNT by id, then `second`: one selecting by a name glob, by file, or none. */
function config(repo: Repository, reason: string, second: 'glob' | 'file' | 'none' = 'glob'): void {
  const selectors = { glob: '      - name: speech-*', file: '      - file: infra/speech.json' };
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    [
      'exceptions:',
      '  - rule: foundry-tools-cmk',
      '    resources:',
      `      - id: ${ACCOUNT}`,
      `    reason: ${reason}`,
      '    expires: 2027-03-31',
      ...(second === 'none'
        ? []
        : [
            '  - rule: foundry-tools-cmk',
            '    resources:',
            selectors[second],
            '    reason: No audio is kept.',
            '    category: mitigated'
          ])
    ].join('\n') + '\n'
  );
}

describe('deploy writes the exemptions the exceptions make', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(
    made => ({ server, repo } = made),
    () => startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule] })
  );
  beforeEach(() => {
    seedResources(server, [
      { id: ACCOUNT, name: 'legacy', type: 'Microsoft.CognitiveServices/accounts', kind: 'OpenAI', properties: {} },
      {
        id: `${RG}/providers/Microsoft.CognitiveServices/accounts/speech-eu`,
        name: 'speech-eu',
        type: 'Microsoft.CognitiveServices/accounts',
        kind: 'SpeechServices',
        properties: {}
      }
    ]);
  });

  const exemptions = () =>
    [...exemptionState(server).exemptions.values()]
      .map(e => [
        e.id.split('/providers/Microsoft.Authorization/')[0].split('/').pop(),
        e.body.properties.exemptionCategory,
        e.body.properties.description
      ])
      .sort();

  it('creates one per resource named or matched, after the assignment, then writes nothing', async () => {
    config(repo, 'Retired in Q1.');
    const first = await publish(server, repo, 'deploy', SUB, ['--format', 'json']);
    expect(first.code).toBe(0);
    expect(exemptions()).toEqual([
      ['legacy', 'Waiver', 'Retired in Q1.'],
      ['speech-eu', 'Mitigated', 'No audio is kept.']
    ]);
    const puts = server.requests.filter(r => r.method === 'PUT').map(r => r.path);
    const assignment = puts.findIndex(p => p.includes('/policyAssignments/'));
    expect(puts.findIndex(p => p.includes('/policyExemptions/'))).toBeGreaterThan(assignment);
    const stored = [...exemptionState(server).exemptions.values()].find(e => e.id.includes('/legacy/'));
    expect(stored?.body.properties).toMatchObject({
      policyAssignmentId: `${SUB}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-tools`,
      policyDefinitionReferenceIds: ['foundry-tools-cmk'],
      expiresOn: '2027-04-01T00:00:00.000Z',
      metadata: { cmkGuard: { owner: 'github.com/contoso/policies', source: 'cmk-guard.yaml:2' } }
    });
    const writes = server.writeCount();
    const again = await publish(server, repo, 'deploy', SUB, ['--format', 'json']);
    expect(again.code).toBe(0);
    expect(server.writeCount()).toBe(writes);
  });

  it('writes no exemption for an exception that has expired, says so, and keeps the one Azure holds for it', async () => {
    // Azure no longer honours an exemption once its expiresOn has passed (exemption-structure#expiration): one
    // created already expired exempts nothing; what Azure holds is kept, as Azure keeps it, for the record.
    config(repo, 'Retired in Q1.', 'none');
    expect((await publish(server, repo, 'deploy', SUB)).code).toBe(0);
    const text = readFileSync(path.join(repo.root, 'cmk-guard.yaml'), 'utf8');
    writeFileSync(
      path.join(repo.root, 'cmk-guard.yaml'),
      `${text.replace('expires: 2027-03-31', 'expires: 2024-01-31')}  - rule: foundry-tools-cmk\n    resources:\n      - name: speech-*\n    reason: Pilot ended.\n    expires: 2024-02-29\n`
    );
    const planned = await publish(server, repo, 'plan', SUB, ['--format', 'json']);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as {
      items: { kind: string; name: string; action: string; id: string }[];
      notes?: string[];
    };
    // The one Azure holds is updated to say it expired; none is created for the one that had expired before.
    expect(plan.items.filter(i => i.kind === 'exemption').map(i => [i.id.split('/')[8], i.action])).toEqual([
      ['legacy', 'update']
    ]);
    expect(plan.notes).toContainEqual(
      expect.stringMatching(
        /^cmk-guard\.yaml:7: the exception expired on 2024-02-29, so no exemption is written on \/.*\/speech-eu: /
      )
    );
    const writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).code).toBe(0);
    // One write: the exemption Azure holds, updated to its new date.
    expect(server.writeRequests() - writes).toBe(1);
    expect(exemptions()).toEqual([['legacy', 'Waiver', 'Retired in Q1.']]);
  });

  it('updates one in place when its reason changes, keeps one no entry makes, and prunes it with --prune', async () => {
    config(repo, 'Retired in Q1.');
    await publish(server, repo, 'deploy', SUB);
    config(repo, 'Retired in Q2.', 'none');
    const kept = await publish(server, repo, 'plan', SUB, ['--format', 'json']);
    const plan = JSON.parse(kept.stdout) as { items: { kind: string; action: string; changes?: unknown[] }[] };
    expect(
      plan.items
        .filter(i => i.kind === 'exemption')
        .map(i => i.action)
        .sort()
    ).toEqual(['orphan', 'update']);
    await publish(server, repo, 'deploy', SUB, ['--prune']);
    expect(exemptions()).toEqual([['legacy', 'Waiver', 'Retired in Q2.']]);
  });

  it('plans an update of one narrowed in Azure with resourceSelectors, and deploy writes it without them', async () => {
    // Selectors limit an exemption to the resources they select (exemption-structure#resource-selectors):
    // the one Azure holds covers less than the exception says, so it is not unchanged.
    config(repo, 'Retired in Q1.', 'none');
    await publish(server, repo, 'deploy', SUB);
    const [held] = [...exemptionState(server).exemptions.values()];
    held.body.properties.resourceSelectors = [
      { name: 'eu', selectors: [{ kind: 'resourceLocation', in: ['westeurope'] }] }
    ];
    const planned = await publish(server, repo, 'plan', SUB, ['--format', 'json']);
    const plan = JSON.parse(planned.stdout) as {
      items: { kind: string; action: string; changes?: { path: string }[] }[];
    };
    expect(plan.items.filter(i => i.kind === 'exemption')).toEqual([
      expect.objectContaining({
        action: 'update',
        changes: [expect.objectContaining({ path: 'properties.resourceSelectors' })]
      })
    ]);
    await publish(server, repo, 'deploy', SUB);
    expect([...exemptionState(server).exemptions.values()][0].body.properties.resourceSelectors).toBeUndefined();
  });

  it('stops before any write when an exemption of that name has another owner, and says whose', async () => {
    config(repo, 'Retired in Q1.', 'none');
    await publish(server, repo, 'deploy', SUB);
    const [held] = [...exemptionState(server).exemptions.values()];
    held.body.properties.metadata = { cmkGuard: { owner: 'github.com/contoso/other' } };
    config(repo, 'Retired in Q2.', 'none');
    const writes = server.writeRequests();
    const run = await publish(server, repo, 'deploy', SUB, ['--format', 'json']);
    expect(run.code).toBe(1);
    expect(server.writeRequests()).toBe(writes);
    const plan = JSON.parse(run.stdout) as { items: { kind: string; action: string; reason?: string }[] };
    expect(plan.items.filter(i => i.kind === 'exemption')).toEqual([
      expect.objectContaining({
        action: 'conflict',
        reason: expect.stringContaining(
          "owned by 'github.com/contoso/other'; cmk-guard never changes what it does not own"
        )
      })
    ]);
    expect(exemptions()).toEqual([['legacy', 'Waiver', 'Retired in Q1.']]);
  });

  it('deletes the pack’s exemptions of an assignment --prune deletes, first; notes another owner’s; a cut converges', async () => {
    config(repo, 'Retired in Q1.', 'none');
    expect((await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG])).code).toBe(0);
    const old = `${RG}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-tools`;
    const [ours] = [...exemptionState(server).exemptions.values()];
    expect(ours.body.properties.policyAssignmentId).toBe(old);
    // Someone else's exemption of the same assignment, its id written in other case, as ARM accepts it.
    seedExemption(server, RG, 'team-waiver', {
      policyAssignmentId: old.toUpperCase(),
      exemptionCategory: 'Waiver',
      metadata: { cmkGuard: { owner: 'github.com/contoso/other' } }
    });
    rmSync(path.join(repo.root, 'cmk-guard.yaml'));

    // Moved to the subscription: the old assignment is kept, and so is its exemption, both listed.
    const planned = await publish(server, repo, 'plan', SUB, ['--format', 'json']);
    const plan = JSON.parse(planned.stdout) as {
      items: { kind: string; action: string; id: string }[];
      notes?: string[];
    };
    expect(plan.items.filter(i => i.action === 'orphan').map(i => [i.kind, i.id])).toEqual([
      ['assignment', old],
      ['exemption', ours.id]
    ]);
    expect(plan.notes).toEqual([
      expect.stringMatching(
        /^The policy exemption team-waiver at resource group ai-prod .*, owned by 'github\.com\/contoso\/other', exempts from the assignment cmk-guard-foundry-tools at resource group ai-prod .*: --prune would delete that assignment and leave this exemption, which Azure keeps\.$/
      )
    ]);

    // A cut on the exemption's delete: the assignment is not deleted after it, and a re-run finishes.
    const exemptionPath = new RegExp(`/policyExemptions/${ours.body.name as string}$`, 'i');
    server.setFaults({ rate: 1, seed: 3, methods: ['DELETE'], paths: exemptionPath, kinds: ['server-error', 'reset'] });
    const cut = await publish(server, repo, 'deploy', SUB, ['--prune']);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/exemption cmk-guard-[0-9a-f]{24}: failed: /);
    expect(cut.stdout).toContain(
      'assignment cmk-guard-foundry-tools: not applied: not attempted: an earlier step failed, and this one depends on it'
    );
    expect(exemptionState(server).exemptions.has(ours.id.toLowerCase())).toBe(true);
    server.setFaults(undefined);

    const before = server.requests.length;
    const pruned = await publish(server, repo, 'deploy', SUB, ['--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('this deploy deletes that assignment; cmk-guard leaves the exemption');
    const deletes = server.requests
      .slice(before)
      .filter(r => r.method === 'DELETE')
      .map(r => r.path.replace(/^.*\/providers\/Microsoft\.Authorization\//i, ''));
    expect(deletes).toEqual([
      `policyExemptions/${ours.body.name as string}`,
      'policyAssignments/cmk-guard-foundry-tools'
    ]);
    expect(exemptions()).toEqual([['ai-prod', 'Waiver', undefined]]);

    const writes = server.writeRequests();
    const again = await publish(server, repo, 'deploy', SUB, ['--prune']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });

  it('moves an exemption to the assignment’s new scope in place, and never deletes what it just wrote', async () => {
    config(repo, 'Retired in Q1.', 'none');
    expect((await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG])).code).toBe(0);
    const before = server.requests.length;
    const moved = await publish(server, repo, 'deploy', SUB, ['--prune', '--format', 'json']);
    expect(moved.code).toBe(0);
    const plan = JSON.parse(moved.stdout) as { items: { kind: string; action: string }[] };
    expect(plan.items.filter(i => i.kind === 'exemption').map(i => i.action)).toEqual(['update']);
    const writes = server.requests
      .slice(before)
      .filter(r => r.method !== 'GET')
      .map(r => `${r.method} ${r.path.replace(/^.*\/providers\/Microsoft\.Authorization\//i, '')}`);
    expect(writes.filter(w => w.includes('policyExemptions')).map(w => w.split('/')[0])).toEqual([
      'PUT policyExemptions'
    ]);
    const [held] = [...exemptionState(server).exemptions.values()];
    expect(held.body.properties.policyAssignmentId).toBe(
      `${SUB}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-tools`
    );
  });

  it('plans in text the exemptions with the other items, and notes a selector by file', async () => {
    config(repo, 'Retired in Q1.', 'file');
    const run = await publish(server, repo, 'plan', SUB);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ *\+ +cmk-guard-[0-9a-f]{24} +create +cmk-guard\.yaml:2$/m);
    expect(run.stdout).toContain('create 1 exemption');
    expect(run.stdout).toContain(
      'cmk-guard.yaml:7: a selector with `file` applies in pull requests only (a resource in Azure has no template file)'
    );
    expect(server.writeRequests()).toBe(0);
  });
});
