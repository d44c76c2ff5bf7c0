/**
 * A pull request edits cmk-guard.yaml in its own checkout, and the README's workflow gives no `fail-on`, no
 * `skip-rules` and no `config` input. The settings of the file that decide whether the run fails must not
 * let the pull request pass itself: checked against its base, each of them that the change alters is taken
 * as it is at the base (the change applies once merged), and the report says so.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { prepareSettings, resolveSettings } from '../../src/config/settings.js';
import { commitFiles, git, initRepository } from '../support/git.js';
import { accountsCmkDefinition, evaluateIn, type Evaluation } from './support.js';

const NONCOMPLIANT = readFileSync(path.resolve('examples/foundry-tools-cmk/noncompliant.json'), 'utf8');

let dir: string;
let base: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-gate-'));
  mkdirSync(path.join(dir, 'infra'));
  writeFileSync(path.join(dir, 'infra', 'main.json'), NONCOMPLIANT);
  writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\n');
  initRepository(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  base = git(dir, 'rev-parse', 'HEAD');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const evaluate = (...flags: string[]): Promise<Evaluation> => evaluateIn(dir, ...flags);

const loosenings: [string, string, string][] = [
  ['fail-on: never', 'fail-on: never', 'fail-on'],
  ['skip-rules', 'skip-rules: [foundry-tools-cmk]', 'skip-rules'],
  ['rules', 'rules: [key-vault-soft-delete]', 'rules'],
  ['a severity override', 'overrides:\n  foundry-tools-cmk:\n    severity: note', 'overrides'],
  ['effect: Disabled', 'overrides:\n  foundry-tools-cmk:\n    effect: Disabled', 'overrides'],
  ['policies: none with a definition of its own', 'policies: none\ndefinitions: [lax.json]', 'policies']
];

describe("a pull request's cmk-guard.yaml does not loosen its own gate", () => {
  it.each(loosenings)('%s passes without the base, and fails as the base does with it', async (_, added, setting) => {
    // The pull request's change; lax.json is a definition that finds nothing.
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), `templates: ["infra/*.json"]\n${added}\n`);
    writeFileSync(
      path.join(dir, 'lax.json'),
      JSON.stringify({
        name: 'lax',
        properties: {
          displayName: 'lax',
          mode: 'Indexed',
          policyRule: { if: { field: 'type', equals: 'Nothing/atAll' }, then: { effect: 'audit' } }
        }
      })
    );
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'loosen');

    // Without a base (a push, a local run), the file is what it says.
    const alone = await evaluate();
    expect(alone.code).toBe(0);

    const checked = await evaluate('--base', base);
    expect(checked.code).toBe(1);
    expect(checked.document.summary.noncompliant).toBeGreaterThan(0);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason: expect.stringMatching(
        new RegExp(`^\`${setting}\` .*the base's appl(y|ies) until the change is merged\\.$`)
      ) as string,
      atBase: true
    });
  });

  it('deleting the file does not drop what the base made stricter', async () => {
    writeFileSync(
      path.join(dir, 'cmk-guard.yaml'),
      'templates: ["infra/*.json"]\nfail-on: warning\noverrides:\n  key-vault-soft-delete:\n    severity: warning\n'
    );
    git(dir, 'commit', '-qam', 'stricter');
    const stricter = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'rm', '-q', 'cmk-guard.yaml');
    git(dir, 'commit', '-qm', 'delete');
    const checked = await evaluate('--templates', 'infra/*.json', '--base', stricter);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`fail-on` is not set in this change and "warning" at the base: the base\'s applies until the change is merged.',
      atBase: true as const
    });
  });

  it('a change that leaves those settings alone is not flagged, and a flag still wins over both', async () => {
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), '# the targets\ntemplates: ["infra/*.json"]\n');
    git(dir, 'commit', '-qam', 'comment');
    const same = await evaluate('--base', base);
    expect(same.code).toBe(1);
    expect(same.document.skipped ?? []).toEqual([]);

    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\nfail-on: never\n');
    git(dir, 'commit', '-qam', 'never');
    const flagged = await evaluate('--base', base, '--fail-on', 'never');
    expect(flagged.code).toBe(0);
  });

  it('narrowing `templates` does not leave a template out: the base’s patterns are evaluated too, and may match nothing', async () => {
    // The pull request adds a noncompliant template and narrows `templates` so that it matches only a compliant one.
    mkdirSync(path.join(dir, 'infra', 'ok'));
    writeFileSync(
      path.join(dir, 'infra', 'ok', 'vault.json'),
      readFileSync(path.resolve('examples/key-vault-purge-protection/compliant.json'), 'utf8')
    );
    writeFileSync(path.join(dir, 'infra', 'new.json'), NONCOMPLIANT);
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/ok/*.json"]\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'narrow');
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', base);
    expect(checked.code).toBe(1);
    expect(new Set(checked.document.findings.map(f => f.resource.file))).toEqual(
      new Set(['infra/main.json', 'infra/new.json', 'infra/ok/vault.json'])
    );
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`templates` leaves out "infra/*.json" in this change, which the base checks: they are evaluated too until the change is merged.',
      atBase: true as const
    });
    // A base pattern that matches nothing now (the folder moved) is no error; the head's patterns still must match.
    git(dir, 'mv', 'infra', 'deploy');
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["deploy/**/*.json"]\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'move');
    const moved = await evaluate('--base', base);
    expect(moved.document.errors ?? []).toEqual([]);
    expect(moved.code).toBe(1);
    // A flag naming the templates wins over both files, as for the other settings.
    const named = await evaluate('--base', base, '--templates', 'deploy/ok/vault.json');
    expect(named.code).toBe(0);
  });

  it('the rule files of the repository’s own folder are read as they are at the base: a pull request cannot loosen or drop the rule that judges it', async () => {
    // The repository keeps its own copy of the rules, and the base's checks the accounts.
    cpSync(path.resolve('policies'), path.join(dir, 'rules'), {
      recursive: true,
      filter: source => !source.includes(`${path.sep}compiled`) && !source.endsWith('README.md')
    });
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\npolicies: rules\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'own rules');
    const withRules = git(dir, 'rev-parse', 'HEAD');
    const before = await evaluate('--base', withRules);
    expect(before.code).toBe(1);
    const judged = before.document.findings.filter(
      f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant'
    );
    expect(judged.length).toBeGreaterThan(0);

    // The pull request drops the rule from the pack and deletes its file, and links another rule file out.
    const pack = readFileSync(path.join(dir, 'rules', 'pack.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'rules', 'pack.yaml'), pack.replace(/^\s*- foundry-tools-cmk\s*$/m, ''));
    rmSync(path.join(dir, 'rules', 'foundry-tools-cmk.yaml'));
    rmSync(path.join(dir, 'rules', 'ai-hub-cmk.yaml'));
    symlinkSync(path.join(os.tmpdir(), 'nowhere.yaml'), path.join(dir, 'rules', 'ai-hub-cmk.yaml'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'drop the rule');

    // Without a base (a push, once merged), the folder is what it says.
    const alone = await evaluate();
    expect(alone.document.findings.some(f => f.definition === 'foundry-tools-cmk')).toBe(false);

    const checked = await evaluate('--base', withRules);
    expect(checked.code).toBe(1);
    expect(
      checked.document.findings.filter(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant')
    ).toHaveLength(judged.length);
    expect(checked.document.errors ?? []).toEqual([]);
    expect(checked.document.skipped).toEqual(
      expect.arrayContaining([
        {
          file: 'rules/foundry-tools-cmk.yaml',
          reason: 'this change removes the rule file: it is read as it is at the base until the change is merged.',
          atBase: true as const
        },
        {
          file: 'rules/pack.yaml',
          reason: 'this change alters the rule file: it is read as it is at the base until the change is merged.',
          atBase: true as const
        },
        {
          file: 'rules/ai-hub-cmk.yaml',
          reason: 'this change removes the rule file: it is read as it is at the base until the change is merged.',
          atBase: true as const
        }
      ])
    );
  });

  it.each([
    ['its folder', 'rules', 'policies: rules'],
    ['a folder named before it', 'early', 'policies: [early, rules]']
  ])(
    'a rule file the pull request adds under the name of a base rule, in %s, is the one refused: the base rule still judges it',
    async (_, folder, policies) => {
      cpSync(path.resolve('policies'), path.join(dir, 'rules'), {
        recursive: true,
        filter: source => !source.includes(`${path.sep}compiled`) && !source.endsWith('README.md')
      });
      mkdirSync(path.join(dir, 'early'));
      writeFileSync(
        path.join(dir, 'early', 'other.yaml'),
        readFileSync(path.join(dir, 'rules', 'key-vault-soft-delete.yaml'), 'utf8').replace(
          /^name: key-vault-soft-delete$/m,
          'name: early-soft-delete'
        )
      );
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), `templates: ["infra/*.json"]\n${policies}\n`);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'own rules');
      const withRules = git(dir, 'rev-parse', 'HEAD');
      const judged = (await evaluate('--base', withRules)).document.findings.filter(
        f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant'
      ).length;
      expect(judged).toBeGreaterThan(0);

      // A file that sorts first, with the rule's name and a schema every account satisfies.
      const rule = readFileSync(path.join(dir, 'rules', 'foundry-tools-cmk.yaml'), 'utf8');
      const lax = rule.replace(/^appliesTo:[\s\S]*?(?=^remediation:)/m, 'schema: {}\n');
      expect(lax).not.toBe(rule);
      writeFileSync(path.join(dir, folder, 'aaa-foundry-tools-cmk.yaml'), lax);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'a rule of the same name');

      const checked = await evaluate('--base', withRules);
      expect(checked.code).toBe(2);
      expect(
        checked.document.findings.filter(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant')
      ).toHaveLength(judged);
      expect(checked.document.errors).toEqual([
        expect.objectContaining({
          file: `${folder}/aaa-foundry-tools-cmk.yaml`,
          message: expect.stringMatching(/^rule name `foundry-tools-cmk` is already used by .*foundry-tools-cmk\.yaml/)
        })
      ]);
    }
  );

  it('a base that cannot be read says the settings were not compared', async () => {
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\nfail-on: never\n');
    const checked = await evaluate('--base', '0123456789abcdef0123456789abcdef01234567');
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason: expect.stringMatching(
        /^the settings that decide whether the run fails are read from this change, not compared with the base: /
      ) as string,
      atBase: true as const
    });
  });
});

/** The compliant example with its key source a parameter: Microsoft-managed keys unless the value says otherwise. */
const KEY_SOURCE_PARAMETER = JSON.stringify(
  (() => {
    const template = JSON.parse(readFileSync(path.resolve('examples/foundry-tools-cmk/compliant.json'), 'utf8')) as {
      parameters: Record<string, unknown>;
      resources: { properties: { encryption: { keySource: string } } }[];
    };
    template.parameters.keySource = { type: 'string', defaultValue: 'Microsoft.CognitiveServices' };
    template.resources[0].properties.encryption.keySource = "[parameters('keySource')]";
    return template;
  })(),
  null,
  2
);

/** The snapshot of one account with Microsoft-managed keys. */
function snapshot(name: string, keySource: string): string {
  return JSON.stringify({
    value: [
      {
        id: `/subscriptions/1111/resourceGroups/prod/providers/Microsoft.CognitiveServices/accounts/${name}`,
        name,
        type: 'Microsoft.CognitiveServices/accounts',
        kind: 'OpenAI',
        location: 'westeurope',
        identity: { type: 'SystemAssigned' },
        properties: {
          encryption:
            keySource === 'Microsoft.KeyVault'
              ? {
                  keySource,
                  keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://kv-cmk-example.vault.azure.net/' }
                }
              : { keySource }
        }
      }
    ]
  });
}

const commit = (message: string, files: Record<string, string>, removed: string[] = []): string =>
  commitFiles(dir, message, files, removed);

describe('the files and values cmk-guard.yaml chooses are the base’s on a pull request; the files themselves are the change’s', () => {
  let keyed: string;
  beforeEach(() => {
    // The base: the template takes its key source from a parameter, which defaults to Microsoft-managed keys.
    keyed = commit('parameterised', { 'infra/main.json': KEY_SOURCE_PARAMETER });
  });

  it('`parameter-values` the pull request sets do not turn its noncompliant template compliant', async () => {
    expect((await evaluate('--base', keyed)).code).toBe(1);
    commit('values', {
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\nparameter-values:\n  keySource: Microsoft.KeyVault\n'
    });
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', keyed);
    expect(checked.code).toBe(1);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`parameter-values` is {"keySource":"Microsoft.KeyVault"} in this change and not set at the base: the base\'s applies until the change is merged.',
      atBase: true as const
    });
    // A value the workflow gives still wins over both.
    expect((await evaluate('--base', keyed, '--parameter', 'keySource=Microsoft.KeyVault')).code).toBe(0);
  });

  it('`parameters` naming a parameter file of the pull request’s choosing is the base’s; a parameter file itself is content', async () => {
    const values = JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { keySource: { value: 'Microsoft.KeyVault' } }
    });
    commit('a parameter file', {
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\nparameters: ["lax/values.json"]\n',
      'lax/values.json': values
    });
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', keyed);
    expect(checked.code).toBe(1);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`parameters` is ["lax/values.json"] in this change and not set at the base: the base\'s applies until the change is merged.',
      atBase: true as const
    });

    // The parameter file deployed with the template (paired by name) is what the change deploys: it is read as it is.
    commit(
      'the paired parameter file',
      { 'cmk-guard.yaml': 'templates: ["infra/*.json"]\n', 'infra/main.parameters.json': values },
      ['lax/values.json']
    );
    const paired = await evaluate('--base', keyed);
    expect((paired.document.skipped ?? []).filter(s => s.file === 'cmk-guard.yaml')).toEqual([]);
    expect(paired.code).toBe(0);
  });

  it('a parameter file the base names and the pull request removes is left out, and said', async () => {
    const strict = commit('named values', {
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\nparameters: ["infra/prod.json", "infra/dev.json"]\n',
      'infra/prod.json': JSON.stringify({ parameters: { keySource: { value: 'Microsoft.KeyVault' } } }),
      'infra/dev.json': JSON.stringify({ parameters: { location: { value: 'westeurope' } } })
    });
    commit('drop dev', { 'cmk-guard.yaml': 'templates: ["infra/*.json"]\nparameters: ["infra/prod.json"]\n' }, [
      'infra/dev.json'
    ]);
    const checked = await evaluate('--base', strict);
    expect(checked.document.errors ?? []).toEqual([]);
    expect(checked.code).toBe(0);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`parameters` is ["infra/prod.json"] in this change and ["infra/prod.json","infra/dev.json"] at the base: the base\'s applies until the change is merged (this change removes "infra/dev.json": the others apply).',
      atBase: true as const
    });
  });

  it('a snapshot the base names in `resources` is evaluated though the pull request leaves it out; one it adds is evaluated too', async () => {
    const withSnapshot = commit('snapshot', {
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\nresources: ["snap/live.json"]\n',
      'infra/main.json': readFileSync(path.resolve('examples/foundry-tools-cmk/compliant.json'), 'utf8'),
      'snap/live.json': snapshot('oai-live', 'Microsoft.CognitiveServices')
    });
    expect((await evaluate('--base', withSnapshot)).code).toBe(1);
    commit('narrow', {
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\nresources: ["snap/new.json"]\n',
      'snap/new.json': snapshot('oai-new', 'Microsoft.KeyVault')
    });
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', withSnapshot);
    expect(checked.code).toBe(1);
    expect(new Set(checked.document.findings.map(f => f.resource.file))).toEqual(
      new Set(['infra/main.json', 'snap/new.json', 'snap/live.json'])
    );
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`resources` leaves out "snap/live.json" in this change, which the base names: they are evaluated too until the change is merged.',
      atBase: true as const
    });
    // Without `templates` or `resources` in the change's file, the default templates are what it checks: the base's
    // snapshot does not replace them.
    commit('no inputs', { 'cmk-guard.yaml': '{}\n' });
    const defaults = await evaluate('--base', withSnapshot, '--templates', 'infra/*.json');
    expect(new Set(defaults.document.findings.map(f => f.resource.file))).toEqual(
      new Set(['infra/main.json', 'snap/live.json'])
    );
    // A snapshot the change removes from the repository cannot be read: it is said, not an error.
    commit('removed', { 'cmk-guard.yaml': 'templates: ["infra/*.json"]\n' }, ['snap/live.json']);
    const removed = await evaluate('--base', withSnapshot);
    expect(removed.document.errors ?? []).toEqual([]);
    expect(removed.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`resources` leaves out "snap/live.json" in this change, which the base names: this change removes "snap/live.json".',
      atBase: true as const
    });
  });

  it('`baseline` naming another file that accepts the findings is the base’s', async () => {
    // An old baseline that accepts the template's findings is still in the repository, unchanged.
    let out = '';
    const written = await runCli(['baseline', '--templates', 'infra/*.json', '--out', 'old/baseline.json'], {
      cwd: dir,
      stdout: text => (out += text),
      stderr: text => (out += text),
      env: {}
    });
    expect({ written, out }).toEqual({ written: 0, out: expect.any(String) as string });
    const withOld = commit('old baseline', {});
    commit('point at it', { 'cmk-guard.yaml': 'templates: ["infra/*.json"]\nbaseline: old/baseline.json\n' });
    const alone = await evaluate();
    expect(alone.code).toBe(0);
    expect(alone.document.summary.baselined).toBeGreaterThan(0);
    const checked = await evaluate('--base', withOld);
    expect(checked.code).toBe(1);
    expect(checked.document.summary.baselined ?? 0).toBe(0);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`baseline` is "old/baseline.json" in this change and not set at the base: the base\'s applies until the change is merged.',
      atBase: true as const
    });
  });

  it('deleting cmk-guard.yaml to leave a looser cmk-guard.yml does not loosen the gate: the base’s file is compared', async () => {
    const both = commit('a leftover', {
      'cmk-guard.yml': 'templates: ["infra/*.json"]\nskip-rules: [foundry-tools-cmk]\n'
    });
    expect((await evaluate('--base', both)).code).toBe(1);
    commit('delete the strict one', {}, ['cmk-guard.yaml']);
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', both);
    expect(checked.code).toBe(1);
    expect(checked.document.skipped).toEqual(
      expect.arrayContaining([
        {
          file: 'cmk-guard.yml',
          reason:
            'the base reads cmk-guard.yaml, not this file: the settings that decide whether the run fails are compared with that one.',
          atBase: true as const
        },
        {
          file: 'cmk-guard.yml',
          reason:
            '`skip-rules` is ["foundry-tools-cmk"] in this change and not set at the base: the base\'s applies until the change is merged.',
          atBase: true as const
        }
      ])
    );
  });
});

describe('the definition files of the repository’s own definitions folder are read as they are at the base on a pull request', () => {
  it('a pull request cannot loosen, delete or replace the definition that judges it; a definition it adds is read', async () => {
    const withDefinitions = commit('own definitions', {
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\npolicies: none\ndefinitions: [defs]\n',
      'defs/cmk.json': accountsCmkDefinition('Microsoft.KeyVault'),
      'defs/nested/cmk-too.json': accountsCmkDefinition('Microsoft.KeyVault', 'accounts-cmk-too')
    });
    const before = await evaluate('--base', withDefinitions);
    expect(before.code).toBe(1);
    const judged = before.document.findings.filter(f => f.verdict === 'noncompliant').length;
    expect(judged).toBeGreaterThan(0);

    // The change makes one definition pass everything, deletes the other, and adds one of its own.
    commit(
      'loosen',
      {
        'defs/cmk.json': accountsCmkDefinition('Nothing').replace('notEquals', 'equals'),
        'defs/added.json': JSON.stringify({
          name: 'added',
          properties: {
            displayName: 'added',
            mode: 'Indexed',
            policyRule: { if: { field: 'type', equals: 'Nothing/atAll' }, then: { effect: 'audit' } }
          }
        })
      },
      ['defs/nested/cmk-too.json']
    );
    const alone = await evaluate();
    expect(alone.code).toBe(0);

    const checked = await evaluate('--base', withDefinitions);
    expect(checked.document.errors ?? []).toEqual([]);
    expect(checked.code).toBe(1);
    expect(checked.document.findings.filter(f => f.verdict === 'noncompliant')).toHaveLength(judged);
    // The base's two definitions and the one the change adds.
    expect(before.document.summary.definitions).toBe(2);
    expect(checked.document.summary.definitions).toBe(3);
    expect(checked.document.skipped).toEqual(
      expect.arrayContaining([
        {
          file: 'defs/cmk.json',
          reason: 'this change alters the definition file: it is read as it is at the base until the change is merged.',
          atBase: true as const
        },
        {
          file: 'defs/nested/cmk-too.json',
          reason:
            'this change removes the definition file: it is read as it is at the base until the change is merged.',
          atBase: true as const
        }
      ])
    );
    expect((checked.document.skipped ?? []).some(s => s.file === 'defs/added.json')).toBe(false);

    // A definitions path that is one file, deleted by the change, is read as it is at the base too.
    const single = commit('one file', {
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\npolicies: none\ndefinitions: [defs/cmk.json]\n',
      'defs/cmk.json': accountsCmkDefinition('Microsoft.KeyVault')
    });
    commit(
      'delete it',
      { 'cmk-guard.yaml': 'templates: ["infra/*.json"]\npolicies: none\ndefinitions: [defs/added.json]\n' },
      ['defs/cmk.json']
    );
    const deleted = await evaluate('--base', single);
    expect(deleted.document.errors ?? []).toEqual([]);
    expect(deleted.code).toBe(1);
    expect(deleted.document.skipped).toContainEqual({
      file: 'defs/cmk.json',
      reason: 'this change removes the definition file: it is read as it is at the base until the change is merged.',
      atBase: true as const
    });
  });
});

describe('the templates the base checks are checked on a pull request, whatever the change names instead', () => {
  it('naming only a snapshot in place of `templates` does not leave the base’s templates unchecked', async () => {
    commit('a snapshot instead', {
      'cmk-guard.yaml': 'resources: ["snap/ok.json"]\n',
      'snap/ok.json': snapshot('oai-ok', 'Microsoft.KeyVault')
    });
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', base);
    expect(checked.code).toBe(1);
    expect(new Set(checked.document.findings.map(f => f.resource.file))).toEqual(
      new Set(['infra/main.json', 'snap/ok.json'])
    );
  });

  it('a `templates` that narrows the default (the action checks every JSON file) is evaluated with the default too', async () => {
    const plain = commit('no templates named', { 'cmk-guard.yaml': 'fail-on: error\n' });
    commit('narrow the default', { 'cmk-guard.yaml': 'fail-on: error\ntemplates: ["infra/ok/*.json"]\n' });
    const defaults = { bundledPolicies: 'policies', packWithDefinitions: true, templates: ['**/*.json'] };
    await prepareSettings({}, dir);
    expect(resolveSettings({}, dir, defaults).request).not.toHaveProperty('templatesAtBase');
    const { request } = resolveSettings({ gateBase: plain }, dir, defaults);
    expect(request.templates).toEqual(['infra/ok/*.json']);
    expect(request.templatesAtBase).toEqual(['**/*.json']);
    expect(request.pinned).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`templates` leaves out "**/*.json" in this change, which the base checks: they are evaluated too until the change is merged.'
    });
    // Templates the workflow names win over both files.
    expect(
      resolveSettings({ gateBase: plain, templates: ['infra/ok/*.json'] }, dir, defaults).request
    ).not.toHaveProperty('templatesAtBase');
  });
});
