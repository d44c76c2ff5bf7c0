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

function config(repo: Repository, reason: string, withGlob = true): void {
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    [
      'exceptions:',
      '  - rule: foundry-tools-cmk',
      '    resources:',
      `      - id: ${ACCOUNT}`,
      `    reason: ${reason}`,
      '    expires: 2027-03-31',
      ...(withGlob
        ? [
            '  - rule: foundry-tools-cmk',
            '    resources:',
            '      - name: speech-*',
            '    reason: No audio is kept.',
            '    category: mitigated'
          ]
        : [])
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
    config(repo, 'Retired in Q2.', false);
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
});
