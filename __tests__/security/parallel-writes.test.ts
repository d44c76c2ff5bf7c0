/**
 * A resource written by two nested deployments that no dependsOn orders ends in the state of whichever ARM
 * finishes last: it runs them side by side. The gate took the one declared last as the end state, so a pull
 * request that declared a Microsoft-managed write first and a customer-managed one after passed, though Azure may
 * keep the first. Each write that may end last is evaluated as a state the resource ends in; relation rules hold
 * only if they hold whichever write ends last, and a transition from a base that may be in several states is sure
 * only where they agree.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../../src/model/finding.js';
import { evaluateRepository } from '../../src/run.js';
import { bundledPolicies } from '../../src/paths.js';
import { commitFiles, git, initRepository } from '../support/git.js';
import { armTemplate, nestedDeployment, type J } from '../support/arm-templates.js';
import { CMK, MMK, racedAccount as account, racedVault as vault } from '../support/race-fixtures.js';

/** The account with this key source (an expression, too) and the customer-managed key's properties. */
function keyedAccount(keySource: string): J {
  return {
    ...account(CMK),
    properties: {
      encryption: {
        keySource,
        keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://kv-raced.vault.azure.net/' }
      }
    }
  };
}

/** A nested deployment (outer scope) of `resources`. */
function nested(name: string, resources: J[], dependsOn?: string[]): J {
  return nestedDeployment(name, resources, { dependsOn });
}

/**
 * The deployments a copy loop makes (`copy`: the loop's name, count, mode and batch size), `<prefix>-<index>`,
 * each deploying `resources` from a template of its own (inner scope) that declares one parameter and is given
 * its value, an expression of copyIndex().
 */
function copyLoop(
  prefix: string,
  copy: J,
  parameter: { name: string; type: string; value: string },
  resources: J[]
): J {
  return nestedDeployment(`[concat('${prefix}-', copyIndex())]`, resources, {
    members: { copy },
    scope: 'inner',
    parameters: { [parameter.name]: { value: parameter.value } },
    template: { parameters: { [parameter.name]: { type: parameter.type } } }
  });
}

/** A copy loop of `count` writes of `resource`, each tagged with its index, so that no two write the same body. */
function eachTagged(prefix: string, copy: J, resource: J): J {
  const tagged = { ...resource, tags: { writer: "[string(parameters('index'))]" } };
  return copyLoop(prefix, copy, { name: 'index', type: 'int', value: '[copyIndex()]' }, [tagged]);
}

function deployment(name: string, keySource: string, dependsOn?: string[]): J {
  return nested(name, [account(keySource)], dependsOn);
}

const grantingVault = () => vault(true);

function template(resources: J[]): string {
  return JSON.stringify(armTemplate(resources), null, 2);
}

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-parallel-'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function findings(resources: J[], rule = 'foundry-tools-cmk'): Promise<Finding[]> {
  writeFileSync(path.join(repo, 'main.json'), template(resources));
  const document = await evaluateRepository({ cwd: repo, policies: bundledPolicies(), templates: ['main.json'] });
  expect(document.errors ?? []).toEqual([]);
  return document.findings.filter(f => f.definition === rule);
}

async function verdicts(resources: J[], rule = 'foundry-tools-cmk'): Promise<string[]> {
  return (await findings(resources, rule)).map(f => f.verdict).sort();
}

/** The line (from 1) of the `n`th (from 1) declaration of the raced account in main.json: where its `{` is. */
function accountLine(n: number): number {
  const lines = readFileSync(path.join(repo, 'main.json'), 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    // `type` is the first member: the `{` is on the line before it.
    if (lines[i].includes('"Microsoft.CognitiveServices/accounts"') && ++seen === n) return i;
  }
  throw new Error(`no declaration ${n}`);
}

describe('one resource written by deployments ARM runs side by side', () => {
  it('a Microsoft-managed write declared first may end last: it is evaluated, noncompliant, naming both writers', async () => {
    const found = await findings([deployment('first', MMK), deployment('second', CMK)]);
    expect(found.map(f => f.verdict).sort()).toEqual(['compliant', 'noncompliant']);
    const bad = found.find(f => f.verdict === 'noncompliant')!;
    // At the Microsoft-managed write, saying that it depends on the order and where the other write is.
    expect(bad.resource.line).toBeGreaterThanOrEqual(accountLine(1));
    expect(bad.resource.line).toBeLessThan(accountLine(2));
    expect(bad.message).toContain('no dependsOn orders');
    // And how to order them: either way ARM documents.
    expect(bad.message).toContain(
      'Make one deployment depend on the other: dependsOn, or a reference() to it by its name.'
    );
    expect(bad.message).toContain(`main.json:${accountLine(1)}`);
    expect(bad.message).toContain(`main.json:${accountLine(2)}`);
    // In either document order.
    expect(await verdicts([deployment('first', CMK), deployment('second', MMK)])).toEqual([
      'compliant',
      'noncompliant'
    ]);
  });

  it('ordered by dependsOn, the later write is the end state alone, and nothing speaks of a race', async () => {
    const found = await findings([deployment('first', MMK), deployment('second', CMK, ['first'])]);
    expect(found.map(f => f.verdict)).toEqual(['compliant']);
    expect(found[0].message).not.toContain('no dependsOn orders');
    // Through a deployment between them, too.
    expect(
      await verdicts([
        deployment('first', MMK),
        nested('between', [], ['first']),
        deployment('second', CMK, ['between'])
      ])
    ).toEqual(['compliant']);
    // The same body written twice leaves one state, whichever ends last.
    expect(await verdicts([deployment('first', CMK), deployment('second', CMK)])).toEqual(['compliant']);
  });

  it('written inside two nested levels, the writes are ordered where their deployments part', async () => {
    const twice = (name: string, keySource: string, dependsOn?: string[]) =>
      nested(name, [deployment(`${name}-inner`, keySource)], dependsOn);
    expect(await verdicts([twice('first', MMK), twice('second', CMK)])).toEqual(['compliant', 'noncompliant']);
    expect(await verdicts([twice('first', MMK), twice('second', CMK, ['first'])])).toEqual(['compliant']);
  });

  it('a resource of the template and a nested deployment that rewrites it race unless dependsOn orders them', async () => {
    expect(await verdicts([account(MMK), deployment('set-key', CMK)])).toEqual(['compliant', 'noncompliant']);
    expect(
      await verdicts([
        account(MMK),
        deployment('set-key', CMK, ["[resourceId('Microsoft.CognitiveServices/accounts', 'oai-raced')]"])
      ])
    ).toEqual(['compliant']);
  });

  it('a copy loop of deployments races unless serial, one at a time', async () => {
    // The first write Microsoft-managed, the second customer-managed.
    const loop = (copy: J) =>
      copyLoop(
        'write',
        { name: 'writes', count: 2, ...copy },
        { name: 'keySource', type: 'string', value: `[createArray('${MMK}', '${CMK}')[copyIndex()]]` },
        [keyedAccount("[parameters('keySource')]")]
      );
    expect(await verdicts([loop({})])).toEqual(['compliant', 'noncompliant']);
    expect(await verdicts([loop({ mode: 'parallel' })])).toEqual(['compliant', 'noncompliant']);
    // Serial, one at a time: the second (customer-managed) completes last.
    expect(await verdicts([loop({ mode: 'serial', batchSize: 1 })])).toEqual(['compliant']);
    // Serial, two at a time: both in one batch, side by side.
    expect(await verdicts([loop({ mode: 'serial', batchSize: 2 })])).toEqual(['compliant', 'noncompliant']);
  });

  it('three writers: each that may end last is a state, and one ordered before another is not', async () => {
    const three = await findings([deployment('a', MMK), deployment('b', CMK), nested('c', [account(CMK, 'other')])]);
    expect(three.map(f => f.verdict).sort()).toEqual(['compliant', 'compliant', 'noncompliant']);
    const bad = three.find(f => f.verdict === 'noncompliant')!;
    for (const n of [1, 2, 3]) expect(bad.message).toContain(`main.json:${accountLine(n)}`);
    expect(bad.message).toContain('one of 3 states');
    // a (Microsoft-managed) before b: a never ends last; b and c race, both customer-managed.
    expect(
      await verdicts([deployment('a', MMK), deployment('b', CMK, ['a']), nested('c', [account(CMK, 'other')])])
    ).toEqual(['compliant', 'compliant']);
  });

  it('a write that races none itself, whose redeclaration may not deploy, is a state too, naming every write', async () => {
    // The second declaration deploys only if something unknown holds; the nested deployment writes the first's body.
    const found = await findings([
      account(MMK),
      {
        ...account(CMK),
        condition:
          "[equals(reference(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').primaryEndpoints.blob, 'x')]"
      },
      nested('other', [account(MMK)])
    ]);
    expect(found.map(f => f.verdict).sort()).toEqual(['compliant', 'indeterminate', 'noncompliant']);
    const unless = found.find(f => f.verdict === 'indeterminate')!;
    expect(unless.reason).toContain(`only if the redeclaration at main.json:${accountLine(2)} does not deploy`);
    expect(unless.message).toContain(
      ` This is one of 3 states oai-raced may end in, and which depends on the order ARM runs deployments that no ` +
        `dependsOn orders in (it is written at main.json:${accountLine(1)}, main.json:${accountLine(2)}, ` +
        `main.json:${accountLine(3)}): this is the state the write at main.json:${accountLine(1)} leaves if it ` +
        `completes last.`
    );
  });

  it('one template declaring the resource twice is not a race: ARM refuses the template, and the last is kept', async () => {
    const found = await findings([account(MMK), account(CMK)]);
    expect(found.map(f => f.verdict)).toEqual(['compliant']);
    expect(found[0].message).not.toContain('no dependsOn orders');
  });
});

describe('many writers: the states are bounded', () => {
  /** `count` deployments in parallel (or `mode`), each writing the account with its own tag. */
  const many = (count: number, keyOf: string, copy: J = {}) =>
    eachTagged('write', { name: 'writes', count, ...copy }, keyedAccount(keyOf));

  it('up to 16 states are each evaluated', async () => {
    const found = await findings([many(16, `[if(equals(parameters('index'), 3), '${MMK}', '${CMK}')]`)]);
    expect(found).toHaveLength(16);
    expect(found.filter(f => f.verdict === 'noncompliant')).toHaveLength(1);
  });

  it('past 16, one state stands for them all: a verdict that it complies is indeterminate, saying why', async () => {
    const found = await findings([many(17, CMK)]);
    expect(found.map(f => f.verdict)).toEqual(['indeterminate']);
    expect(found[0].reason).toContain('no dependsOn orders');
    expect(found[0].message).toContain('more than the 16');
    expect(found[0].message).toContain('dependsOn, or a reference() to it by its name.');
    // Ordered one at a time, the last is the end state, however many.
    expect(await verdicts([many(17, CMK, { mode: 'serial', batchSize: 1 })])).toEqual(['compliant']);
  });

  it('a thousand and more writers do not hang the run', async () => {
    const started = Date.now();
    // 1,200 writers in two deployments (ARM deploys at most 800 resources in one template). Inner scope: in an
    // outer-scope template, the copies' template would be evaluated in the top template first, which has no 'index'.
    const apart = (name: string) => nestedDeployment(name, [many(600, CMK)], { scope: 'inner' });
    const found = await findings([apart('one'), apart('two')]);
    expect(found.map(f => f.verdict)).toEqual(['indeterminate']);
    // 800 parallel writers, each with its own body, worked out pair by pair.
    const pairwise = await findings([many(800, CMK)]);
    expect(pairwise.map(f => f.verdict)).toEqual(['indeterminate']);
    // About 2 seconds on a quiet machine.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

describe('relation rules with a resource that may end in several states', () => {
  it('the identity is granted only if it is granted whichever write of the vault ends last', async () => {
    const access = 'key-vault-key-access';
    // The grant declared last: the gate took it as the end state.
    const raced = await findings(
      [account(CMK), nested('bare', [vault(false)]), nested('grant', [vault(true)])],
      access
    );
    expect(raced.map(f => f.verdict)).toEqual(['noncompliant']);
    expect(raced[0].message).toContain('kv-raced ends in the state its write at main.json:');
    expect(
      await verdicts([account(CMK), nested('grant', [vault(true)]), nested('bare', [vault(false)])], access)
    ).toEqual(['noncompliant']);
    // Ordered, the grant ends last.
    expect(
      await verdicts([account(CMK), nested('bare', [vault(false)]), nested('grant', [vault(true)], ['bare'])], access)
    ).toEqual(['compliant']);
    // Both writes grant: it holds either way.
    expect(
      await verdicts(
        [account(CMK), nested('one', [vault(true)]), nested('two', [{ ...vault(true), tags: { x: 'y' } }])],
        access
      )
    ).toEqual(['compliant']);
  });
});

describe('relation rules past the combinations checked one by one', () => {
  it('a relation that holds as listed is indeterminate when the combinations are more than 64', async () => {
    const copies = (count: number, resource: J, name: string): J => eachTagged(name, { name, count }, resource);
    const access = 'key-vault-key-access';
    // 8 states of the account and 8 of the vault: 64 combinations, each checked; all grant.
    expect(await verdicts([copies(8, account(CMK), 'accounts'), copies(8, grantingVault(), 'vaults')], access)).toEqual(
      Array(8).fill('compliant')
    );
    // 8 × 9 = 72: checked as listed, and not sure.
    const past = await findings([copies(8, account(CMK), 'accounts'), copies(9, grantingVault(), 'vaults')], access);
    expect(past.map(f => f.verdict)).toEqual(['indeterminate']);
    expect(past[0].reason).toContain('more than 64 combinations');
  });
});

describe('transition rules where the base or the head may end in several states', () => {
  async function transition(base: J[], head: J[]): Promise<Finding[]> {
    rmSync(repo, { recursive: true, force: true });
    repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-parallel-'));
    initRepository(repo);
    commitFiles(repo, 'base', { 'main.json': template(base) });
    git(repo, 'tag', 'base');
    commitFiles(repo, 'head', { 'main.json': template(head) });
    const document = await evaluateRepository({
      cwd: repo,
      policies: bundledPolicies(),
      templates: ['main.json'],
      base: 'base',
      selection: { rules: ['cmk-no-key-type-switch'] }
    });
    expect(document.errors).toEqual([]);
    return document.findings.filter(f => f.definition === 'cmk-no-key-type-switch');
  }

  it('a head that may end Microsoft-managed switches a customer-managed base back: noncompliant', async () => {
    const found = await transition([account(CMK)], [deployment('first', MMK), deployment('second', CMK)]);
    expect(found.map(f => f.verdict).sort()).toEqual(['compliant', 'noncompliant']);
    expect(found.find(f => f.verdict === 'noncompliant')!.message).toContain('no dependsOn orders');
  });

  it('a base that may be in either state: a switch to Microsoft-managed keys is indeterminate, not compliant', async () => {
    const found = await transition([deployment('first', MMK), deployment('second', CMK)], [account(MMK)]);
    expect(found.map(f => f.verdict)).toEqual(['indeterminate']);
    expect(found[0].reason).toContain('which state the base left oai-raced in');
    // Customer-managed keys are allowed from either state.
    const kept = await transition([deployment('first', MMK), deployment('second', CMK)], [account(CMK)]);
    expect(kept.map(f => f.verdict)).toEqual(['compliant']);
  });
});
