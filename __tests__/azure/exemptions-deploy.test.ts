/**
 * `deploy` keeps the configuration file's exceptions in Azure as policy exemptions for the
 * assignment (raw REST 2022-07-01-preview on the same pipeline): created after the assignment
 * they name, owned, left alone when unchanged, updated in place, pruned with --prune.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule } from '../support/arm-policy.js';
import { exemptionsModule, exemptionState } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedResources } from '../support/arm-resourcegraph.js';
import { packRepository, publish, RG, SUB, type Repository } from './support.js';

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
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule] });
    repo = packRepository();
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
  afterEach(async () => {
    await server.close();
    repo.dispose();
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
