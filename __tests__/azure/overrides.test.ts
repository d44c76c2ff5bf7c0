/**
 * cmk-guard.yaml's `overrides.<rule>.effect` is the effect a rule is evaluated with "as an
 * assignment would give it": deploy gives the assignment that effect, so what a pull request or
 * `evaluate --scope` reports is what Azure then enforces. Through the CLI against loopback ARM.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule, storedAt } from '../support/arm-policy.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedResources } from '../support/arm-resourcegraph.js';
import { cli, eachTestPackAndServer, publish, RG, SUB, type Repository } from './support.js';

function config(repo: Repository, lines: string[]): void {
  writeFileSync(path.join(repo.root, 'cmk-guard.yaml'), `${lines.join('\n')}\n`);
}

const OVERRIDES = [
  'overrides:',
  '  foundry-tools-cmk:',
  '    effect: deny',
  '  key-vault-soft-delete:',
  '    effect: Disabled',
  '    severity: warning'
];

describe('overrides.<rule>.effect reaches the assignment', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(
    made => ({ server, repo } = made),
    () => startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule], pageSize: 3 })
  );
  beforeEach(() => {
    seedResources(server, [
      {
        id: `${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`,
        name: 'legacy',
        type: 'Microsoft.CognitiveServices/accounts',
        kind: 'OpenAI',
        properties: {}
      },
      {
        id: `${RG}/providers/Microsoft.KeyVault/vaults/keys`,
        name: 'keys',
        type: 'Microsoft.KeyVault/vaults',
        properties: { enableSoftDelete: false, enablePurgeProtection: true }
      }
    ]);
  });

  const assignedEffects = () => {
    const [assignment] = storedAt(server, SUB, 'policyAssignments');
    return Object.fromEntries(
      Object.entries((assignment.body.properties.parameters ?? {}) as Record<string, { value: string }>).map(
        ([name, { value }]) => [name, value]
      )
    );
  };

  it('deploy assigns the effects evaluate --scope checks with, and a second deploy writes nothing', async () => {
    config(repo, OVERRIDES);
    const deployed = await publish(server, repo, 'deploy', SUB, ['--format', 'json']);
    expect(deployed.code).toBe(0);
    // Spelled as the rule spells it; the rules with no override keep their default.
    expect(assignedEffects()).toEqual({ foundryToolsCmkEffect: 'Deny', keyVaultSoftDeleteEffect: 'Disabled' });
    const plan = JSON.parse(deployed.stdout) as { effects: { rule: string; effect: string; overridden: boolean }[] };
    expect(plan.effects).toEqual(
      expect.arrayContaining([
        { rule: 'foundry-tools-cmk', effect: 'Deny', overridden: true },
        { rule: 'key-vault-soft-delete', effect: 'Disabled', overridden: true },
        { rule: 'key-vault-purge-protection', effect: 'Audit', overridden: false }
      ])
    );

    const evaluated = await cli(server, repo, [
      'evaluate',
      '--scope',
      SUB,
      '--policies',
      repo.policies,
      '--format',
      'json'
    ]);
    const document = JSON.parse(evaluated.stdout) as FindingsDocument;
    const legacy = document.findings.find(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant');
    expect(legacy?.effect).toBe('Deny');
    // Disabled: the assignment does not evaluate it, and neither does cmk-guard.
    expect(document.findings.filter(f => f.definition === 'key-vault-soft-delete')).toEqual([]);
    const parameters = assignedEffects();
    for (const finding of document.findings)
      expect(finding.effect.toLowerCase()).toBe(
        (
          parameters[`${finding.definition.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Effect`] ??
          finding.effect
        ).toLowerCase()
      );

    const writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });

  it('an effect chosen for the deploy wins for the assignment, and the plan notes what pull requests check', async () => {
    config(repo, OVERRIDES);
    const run = await publish(server, repo, 'plan', SUB, ['--effect', 'foundry-tools-cmk=Audit']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'The assignment gives foundry-tools-cmk the effect Audit, as chosen for this deploy; cmk-guard.yaml:2 overrides it to deny, which pull requests are checked with.'
    );
    expect(run.stdout).toContain('key-vault-soft-delete Disabled (chosen)');
  });

  it('refuses, before asking Azure, a file whose overrides and azure.effects disagree, or an effect a rule does not allow', async () => {
    config(repo, [...OVERRIDES, 'azure:', '  effects: { foundry-tools-cmk: Audit }']);
    const split = await publish(server, repo, 'plan', SUB);
    expect(split.code).toBe(2);
    expect(split.stderr).toContain('cmk-guard.yaml:2:3:');
    expect(split.stderr).toContain(
      '`overrides` gives `foundry-tools-cmk` the effect `deny`, but `azure.effects` assigns it `Audit`: pull requests would be checked with one and Azure would enforce the other. Keep one of them.'
    );
    config(repo, ['overrides:', '  foundry-tools-cmk:', '    effect: Modify']);
    const refused = await publish(server, repo, 'plan', SUB);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '`foundry-tools-cmk` does not allow the effect `Modify`; use one of `Audit`, `Deny`, `Disabled`.'
    );
    expect(server.requests).toEqual([]);
  });
});
