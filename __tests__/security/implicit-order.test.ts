/**
 * ARM orders a resource after another of the same template when its properties read that one with `reference()`
 * or a `list*()` function by its name (by its symbolic name in languageVersion 2.0, `references()` too), but not
 * by its resource id ("If you pass the resource ID into the reference or list functions, an implicit reference
 * isn't created", resource-dependency#reference-and-list-functions). Two writes of one resource ordered that way
 * are not a race: the later one is the end state. Forms ARM does not document as ordering stay a race.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../../src/model/finding.js';
import { evaluateRepository } from '../../src/run.js';
import { bundledPolicies } from '../../src/paths.js';
import { expandTemplateFile } from '../../src/sources/templates.js';
import { armTemplate, nestedDeployment, type J } from '../support/arm-templates.js';
import { CMK, MMK, racedAccount as account, racedVault as vault } from '../support/race-fixtures.js';

/** A nested deployment (inner scope) whose template writes `resource`, with an output `x`. */
function source(name: string, resource: J, extra: J = {}): J {
  return nestedDeployment(name, [resource], {
    members: extra,
    scope: 'inner',
    template: { outputs: { x: { type: 'string', value: 'from-' + name } } }
  });
}

/**
 * A nested deployment (inner scope) that passes `read` (an expression evaluated in the parent template) as its
 * parameter `x` and writes `resource` with the tag `read` set to it.
 */
function reader(name: string, read: string, resource: J, extra: J = {}): J {
  return nestedDeployment(name, [{ ...resource, tags: { read: "[parameters('x')]" } }], {
    members: extra,
    scope: 'inner',
    parameters: { x: { value: read } },
    template: { parameters: { x: { type: 'string' } } }
  });
}

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-implicit-order-'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function findings(template: J, rule = 'foundry-tools-cmk'): Promise<Finding[]> {
  writeFileSync(path.join(repo, 'main.json'), JSON.stringify(template, null, 2));
  const document = await evaluateRepository({ cwd: repo, policies: bundledPolicies(), templates: ['main.json'] });
  expect(document.errors ?? []).toEqual([]);
  return document.findings.filter(f => f.definition === rule);
}

const plain = (resources: J[], parameters: J = {}): J => armTemplate(resources, { parameters });

async function verdicts(template: J, rule = 'foundry-tools-cmk'): Promise<string[]> {
  return (await findings(template, rule)).map(f => f.verdict).sort();
}

describe('reference() and list*() by name order the writes of one template', () => {
  it("a deployment that reads reference('A').outputs runs after A: the account ends in its write alone", async () => {
    const ordered = [
      source('first', account(MMK)),
      reader('second', "[reference('first').outputs.x.value]", account(CMK))
    ];
    const found = await findings(plain(ordered));
    expect(found.map(f => f.verdict)).toEqual(['compliant']);
    expect(found[0].message).not.toContain('no dependsOn orders');
    // Declared in the other order, the reader still runs last.
    expect(await verdicts(plain([...ordered].reverse()))).toEqual(['compliant']);
    // And the reader reads the output: the deployment it reads was expanded first.
    writeFileSync(path.join(repo, 'main.json'), JSON.stringify(plain([...ordered].reverse()), null, 2));
    const expanded = expandTemplateFile(path.join(repo, 'main.json'));
    const tags = expanded.resources.map(r => (r.json.tags as J | undefined)?.read).filter(t => t !== undefined);
    expect(tags).toEqual(['from-first']);
    // The Microsoft-managed write read last is the end state: noncompliant alone.
    expect(
      await verdicts(
        plain([source('first', account(CMK)), reader('second', "[reference('first').outputs.x.value]", account(MMK))])
      )
    ).toEqual(['noncompliant']);
  });

  it('both writing one Key Vault: the grant read after the bare vault is the end state, so the relation holds', async () => {
    const access = 'key-vault-key-access';
    expect(
      await verdicts(
        plain([
          account(CMK),
          reader('grant', "[reference('bare').outputs.x.value]", vault(true)),
          source('bare', vault(false))
        ]),
        access
      )
    ).toEqual(['compliant']);
    // Unordered, the bare vault may end last: the grant is not sure.
    expect(
      await verdicts(plain([account(CMK), source('grant', vault(true)), source('bare', vault(false))]), access)
    ).toEqual(['noncompliant']);
  });

  it('a top-level resource read by name, with reference() or listKeys(), comes before the deployment that reads it', async () => {
    expect(
      await verdicts(plain([reader('set-key', "[reference('oai-raced').endpoint]", account(CMK)), account(MMK)]))
    ).toEqual(['compliant']);
    expect(
      await verdicts(
        plain([reader('set-key', "[listKeys('oai-raced', '2024-10-01').key1]", account(CMK)), account(MMK)])
      )
    ).toEqual(['compliant']);
    // A name computed from parameters and variables is a name all the same.
    expect(
      await verdicts(
        plain(
          [reader('set-key', "[reference(concat('oai-', parameters('suffix'))).endpoint]", account(CMK)), account(MMK)],
          { suffix: { type: 'string', defaultValue: 'raced' } }
        )
      )
    ).toEqual(['compliant']);
  });

  it('inside a copy loop, each instance is ordered after the one it reads', async () => {
    const loop = nestedDeployment(
      "[concat('write-', copyIndex())]",
      [
        {
          ...account(CMK),
          tags: { after: "[parameters('after')]" },
          properties: {
            encryption: {
              keySource: "[parameters('keySource')]",
              keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://kv-raced.vault.azure.net/' }
            }
          }
        }
      ],
      {
        members: { copy: { name: 'writes', count: 2 } },
        scope: 'inner',
        parameters: {
          keySource: { value: `[createArray('${MMK}', '${CMK}')[copyIndex()]]` },
          after: {
            value:
              "[if(equals(copyIndex(), 0), 'none', reference(concat('write-', sub(copyIndex(), 1))).outputs.x.value)]"
          }
        },
        template: {
          parameters: { keySource: { type: 'string' }, after: { type: 'string' } },
          outputs: { x: { type: 'string', value: 'done' } }
        }
      }
    );
    // write-1 (customer-managed) reads write-0 (Microsoft-managed): it ends last.
    expect(await verdicts(plain([loop]))).toEqual(['compliant']);
  });

  it('a resource whose condition is not known is read first whenever it deploys', async () => {
    const found = await verdicts(
      plain(
        [
          source('first', account(MMK), { condition: "[parameters('deployFirst')]" }),
          reader('second', "[reference('first').outputs.x.value]", account(CMK))
        ],
        { deployFirst: { type: 'bool' } }
      )
    );
    expect(found).toEqual(['compliant']);
  });
});

describe('languageVersion 2.0: reference() and references() by symbolic name', () => {
  const symbolic = (resources: J): J => armTemplate(resources, { languageVersion: '2.0' });

  it("reference('<symbolic name>') orders; the loop's instances by index; references() after every instance", async () => {
    expect(
      await verdicts(
        symbolic({
          second: reader('second', "[reference('first').outputs.x.value]", account(CMK)),
          first: source('first', account(MMK))
        })
      )
    ).toEqual(['compliant']);
    const writers = (count: number) => ({
      ...source("[format('w-{0}', copyIndex())]", account(MMK)),
      copy: { name: 'writers', count }
    });
    expect(
      await verdicts(
        symbolic({
          last: reader('last', "[string(length(references('writers')))]", account(CMK)),
          writers: writers(2)
        })
      )
    ).toEqual(['compliant']);
    // After instance 1 only: instance 0 still races the last write.
    expect(
      await verdicts(
        symbolic({
          last: reader('last', "[reference('writers[1]').outputs.x.value]", account(CMK)),
          writers: writers(2)
        })
      )
    ).toEqual(['compliant', 'noncompliant']);
  });
});

describe('forms that ARM does not document as ordering stay a race', () => {
  const race = ['compliant', 'noncompliant'];

  it('reference() or listKeys() given the resource id', async () => {
    expect(
      await verdicts(
        plain([
          source('first', account(MMK)),
          reader(
            'second',
            "[reference(resourceId('Microsoft.Resources/deployments', 'first'), '2022-09-01').outputs.x.value]",
            account(CMK)
          )
        ])
      )
    ).toEqual(race);
    expect(
      await verdicts(
        plain([
          reader(
            'set-key',
            "[listKeys(resourceId('Microsoft.CognitiveServices/accounts', 'oai-raced'), '2024-10-01').key1]",
            account(CMK)
          ),
          account(MMK)
        ])
      )
    ).toEqual(race);
  });

  it('a branch of if() that is not known to be taken, or known not to be', async () => {
    const branch = (condition: string) =>
      plain(
        [
          source('first', account(MMK)),
          reader('second', `[if(${condition}, reference('first').outputs.x.value, 'none')]`, account(CMK))
        ],
        { known: { type: 'bool', defaultValue: false }, unknown: { type: 'bool' } }
      );
    expect(await verdicts(branch("parameters('unknown')"))).toEqual(race);
    expect(await verdicts(branch("parameters('known')"))).toEqual(race);
    // Known to be taken, it orders.
    expect(await verdicts(branch("not(parameters('known'))"))).toEqual(['compliant']);
  });

  it("a call in the nested deployment's own template, in a template's outputs, or outside properties", async () => {
    // Inner scope: the nested template's reference('first') is evaluated by the nested deployment, not its parent.
    const inside = source('second', { ...account(CMK), tags: { read: "[reference('first', '2022-09-01').outputs]" } });
    expect(await verdicts(plain([source('first', account(MMK)), inside]))).toEqual(race);
    expect(
      await verdicts({
        ...plain([source('first', account(MMK)), source('second', account(CMK))]),
        outputs: { x: { type: 'string', value: "[reference('first').outputs.x.value]" } }
      })
    ).toEqual(race);
    // reference() is valid only in properties (and outputs): a tag of the deployment resource orders nothing.
    expect(
      await verdicts(
        plain([
          source('first', account(MMK)),
          source('second', account(CMK), { tags: { read: "[reference('first').outputs.x.value]" } })
        ])
      )
    ).toEqual(race);
  });

  it('in a template with symbolic names, reference() by the resource name instead of the symbolic name', async () => {
    expect(
      await verdicts(
        armTemplate(
          {
            one: source('first-deployment', account(MMK)),
            two: reader('second', "[reference('first-deployment').outputs.x.value]", account(CMK))
          },
          { languageVersion: '2.0' }
        )
      )
    ).toEqual(race);
  });
});

describe('a cycle made by reference()', () => {
  it('is the template error ARM gives, naming reference() as a way out', async () => {
    writeFileSync(
      path.join(repo, 'main.json'),
      JSON.stringify(
        plain([
          reader('first', "[reference('second').outputs.x.value]", account(MMK)),
          { ...reader('second', "[reference('first').outputs.x.value]", account(CMK)) }
        ]),
        null,
        2
      )
    );
    const document = await evaluateRepository({ cwd: repo, policies: bundledPolicies(), templates: ['main.json'] });
    const messages = (document.errors ?? []).map(e => e.message).join('\n');
    expect(messages).toMatch(/Circular dependency between resources: 'first' -> 'second' -> 'first'/);
    expect(messages).toContain('a reference() or list*() call that names the resource');
  });
});
