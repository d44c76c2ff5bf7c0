import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { givenSettings as actionSettings, readInputs } from '../../src/action/inputs.js';
import { givenSettings as cliSettings, evaluateSettings } from '../../src/commands/evaluate.js';
import { runCli } from '../../src/commands/index.js';
import { loadConfig } from '../../src/config/load.js';
import { resolveAzureSettings, resolveSettings, subscriptionScope } from '../../src/config/settings.js';
import { isUserError, UserErrors } from '../../src/model/errors.js';
import { exitCodeFor } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';

const defaults = { bundledPolicies: '/pack', packWithDefinitions: false };

function withConfig(yaml: string, check: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-settings-'));
    try {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), yaml);
      await check(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const file = [
  'policies: [rules, more-rules]',
  'definitions: [builtin]',
  'templates: [infra/**/*.json]',
  'parameters: [infra/main.parameters.json]',
  'parameter-values: { location: westeurope, replicas: 2 }',
  'resources: [snapshot.json]',
  'fail-on: warning',
  'baseline: .cmk-guard/baseline.json',
  'azure:',
  '  scope: /providers/Microsoft.Management/managementGroups/platform',
  '  owner: platform-team',
  '  enforcement-mode: DoNotEnforce',
  ''
].join('\n');

describe('one mapping from flags, inputs and the file to the request', () => {
  it(
    'takes the file when nothing is given',
    withConfig(file, dir => {
      const resolved = resolveSettings({}, dir, defaults);
      expect(resolved.failOn).toBe('warning');
      expect(resolved.request).toEqual({
        cwd: dir,
        policies: ['rules', 'more-rules'],
        definitions: ['builtin'],
        templates: ['infra/**/*.json'],
        parameters: ['infra/main.parameters.json'],
        parameterOverrides: { location: 'westeurope', replicas: 2 },
        resources: ['snapshot.json'],
        overrides: [],
        exceptions: [],
        selection: {
          rules: [],
          skipRules: [],
          spelling: {
            rules: '`rules` in cmk-guard.yaml',
            skipRules: '`skip-rules` in cmk-guard.yaml',
            minSeverity: '`min-severity` in cmk-guard.yaml'
          }
        },
        baseline: '.cmk-guard/baseline.json'
      });
    })
  );

  it(
    'a flag or input given wins over the file, setting by setting; lists replace, parameter values merge',
    withConfig(file, dir => {
      const resolved = resolveSettings(
        { templates: ['main.json'], failOn: 'never', parameterValues: { replicas: 3 }, policies: null },
        dir,
        defaults
      );
      expect(resolved.failOn).toBe('never');
      expect(resolved.request).toMatchObject({
        policies: undefined,
        templates: ['main.json'],
        definitions: ['builtin'],
        parameterOverrides: { location: 'westeurope', replicas: 3 }
      });
    })
  );

  it(
    'the CLI flags and the action inputs say the same things the same way',
    withConfig(file, dir => {
      const cli = cliSettings({
        templates: ['a.json'],
        'fail-on': 'note',
        parameter: ['replicas=3'],
        baseline: 'b.json'
      });
      const action = actionSettings(
        readInputs(
          name => ({ templates: 'a.json', 'fail-on': 'note', parameters: 'replicas=3', baseline: 'b.json' })[name] ?? ''
        )
      );
      expect(resolveSettings(cli, dir, defaults)).toEqual(resolveSettings(action, dir, defaults));
    })
  );

  it(
    'defaults: the bundled pack (for the CLI, unless definitions are given), error, and the door’s templates',
    withConfig('# empty\n', dir => {
      expect(resolveSettings({}, dir, defaults)).toMatchObject({
        failOn: 'error',
        request: { policies: ['/pack'], templates: [] }
      });
      expect(resolveSettings({ definitions: ['d'] }, dir, defaults).request.policies).toBeUndefined();
      const action = { ...defaults, packWithDefinitions: true, templates: ['**/*.json'] };
      expect(resolveSettings({ definitions: ['d'] }, dir, action).request).toMatchObject({
        policies: ['/pack'],
        templates: ['**/*.json']
      });
      expect(resolveSettings({ resources: ['s.json'] }, dir, action).request.templates).toEqual([]);
    })
  );

  it(
    'Azure: inputs over the file over the defaults; the assignment scope is the scope unless said',
    withConfig(file, dir => {
      const config = loadConfig(path.join(dir, 'cmk-guard.yaml'), dir);
      expect(resolveAzureSettings({ owner: 'from-input' }, config)).toEqual({
        scope: '/providers/Microsoft.Management/managementGroups/platform',
        assignmentScope: '/providers/Microsoft.Management/managementGroups/platform',
        owner: 'from-input',
        enforcementMode: 'DoNotEnforce',
        cloud: 'AzureCloud',
        prune: false,
        effects: {},
        effectOverrides: []
      });
      expect(resolveAzureSettings({}, null)).toEqual({
        cloud: 'AzureCloud',
        enforcementMode: 'Default',
        prune: false,
        effects: {},
        effectOverrides: []
      });
    })
  );
});

describe('choosing what runs and how it is reported, from the file', () => {
  const yaml = [
    'templates: [main.json]',
    'rules: [key-vault-*, foundry-tools-cmk]',
    'skip-rules: [key-vault-soft-delete]',
    'min-severity: warning',
    'fail-on-indeterminate: true',
    'format: compact',
    ''
  ].join('\n');

  it(
    'the file sets the selection, the failure policy and the format; flags win',
    withConfig(yaml, dir => {
      const fromFile = evaluateSettings({}, { cwd: dir }, '/pack');
      expect(fromFile.request.selection).toMatchObject({
        rules: ['key-vault-*', 'foundry-tools-cmk'],
        skipRules: ['key-vault-soft-delete'],
        minSeverity: 'warning'
      });
      expect(fromFile.report).toEqual({ format: 'compact', failOn: 'error', failOnIndeterminate: true });
      const flags = evaluateSettings(
        { rules: ['ai-hub-*'], 'fail-on-indeterminate': false, format: 'JSON' },
        { cwd: dir },
        '/pack'
      );
      expect(flags.request.selection).toMatchObject({ rules: ['ai-hub-*'], skipRules: ['key-vault-soft-delete'] });
      expect(flags.report).toEqual({ format: 'json', failOn: 'error', failOnIndeterminate: false });
    })
  );

  it(
    'a pattern from the file that matches nothing is named as the file’s',
    withConfig('templates: [main.json]\nrules: [no-such-rule]\n', async dir => {
      writeFileSync(path.join(dir, 'main.json'), readFileSync('examples/foundry-tools-cmk/noncompliant.json'));
      const err: string[] = [];
      const io = { cwd: dir, env: {}, stdout: () => undefined, stderr: (t: string) => err.push(t) };
      expect(await runCli(['evaluate'], io)).toBe(2);
      expect(err.join('')).toContain('`rules` in cmk-guard.yaml');
      expect(err.join('')).toContain('no-such-rule');
    })
  );
});

describe('per-rule overrides', () => {
  const examples = path.resolve('examples');
  async function evaluate(yaml: string, templates = ['foundry-tools-cmk/noncompliant.json']) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-overrides-'));
    try {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), yaml);
      const config = loadConfig(path.join(dir, 'cmk-guard.yaml'), dir);
      return await evaluateRepository({
        cwd: examples,
        policies: bundledPolicies(),
        templates,
        baseTemplates: ['cmk-no-key-type-switch/base/*.json'],
        overrides: config.overrides
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const noncompliant = (d: Awaited<ReturnType<typeof evaluate>>, rule: string) =>
    d.findings.filter(f => f.definition === rule && f.verdict === 'noncompliant');

  it('severity: the findings get it, and the threshold reads it', async () => {
    const document = await evaluate('overrides:\n  foundry-tools-cmk:\n    severity: warning\n');
    expect(noncompliant(document, 'foundry-tools-cmk').map(f => f.severity)).toEqual(['warning', 'warning']);
    expect([exitCodeFor(document, { failOn: 'error' }), exitCodeFor(document, { failOn: 'warning' })]).toEqual([0, 1]);
  });

  it('effect: a policy rule is evaluated with it, as an assignment would; Disabled turns it off', async () => {
    const deny = await evaluate('overrides:\n  foundry-tools-cmk:\n    effect: deny\n');
    expect(noncompliant(deny, 'foundry-tools-cmk').map(f => f.effect)).toEqual(['Deny', 'Deny']);
    const off = await evaluate('overrides:\n  foundry-tools-cmk:\n    effect: Disabled\n');
    expect(off.findings.filter(f => f.definition === 'foundry-tools-cmk')).toEqual([]);
    expect(off.findings.filter(f => f.definition === 'foundry-tools-cmk-identity').length).toBeGreaterThan(0);
  });

  it('effect Disabled on a rule that runs in pull requests only drops its findings', async () => {
    const templates = ['cmk-no-key-type-switch/*.json'];
    const on = await evaluate('# none\n', templates);
    expect(noncompliant(on, 'cmk-no-key-type-switch').length).toBeGreaterThan(0);
    const off = await evaluate('overrides:\n  cmk-no-key-type-switch:\n    effect: Disabled\n', templates);
    expect(off.findings.filter(f => f.definition === 'cmk-no-key-type-switch')).toEqual([]);
  });

  it('names a loaded rule and an effect it allows, or says what to change at its line', async () => {
    let thrown: unknown;
    try {
      await evaluate(
        [
          'overrides:',
          '  key-vault-soft-delete:',
          '    effect: Modify',
          '  foundry-tool-cmk:',
          '    severity: note',
          '  cmk-no-key-type-switch:',
          '    effect: Deny',
          ''
        ].join('\n')
      );
    } catch (error) {
      thrown = error;
    }
    expect(isUserError(thrown)).toBe(true);
    expect((thrown as UserErrors).errors.map(e => e.describe())).toEqual([
      'cmk-guard.yaml:2:3: `key-vault-soft-delete` does not allow the effect `Modify`; use one of `Audit`, `Deny`, `Disabled`.',
      'cmk-guard.yaml:4:3: `overrides` names `foundry-tool-cmk`, which no loaded rule or definition is called; did you mean `foundry-tools-cmk`?',
      'cmk-guard.yaml:6:3: `cmk-no-key-type-switch` does not allow the effect `Deny`; use one of `Audit`, `Disabled`.'
    ]);
  });

  it('the CLI reports a broken configuration with its file and line and exits 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-cli-config-'));
    try {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: [main.json]\nfail-on: always\n');
      const err: string[] = [];
      const io = { cwd: dir, env: {}, stdout: () => undefined, stderr: (t: string) => err.push(t) };
      expect(await runCli(['evaluate'], io)).toBe(2);
      expect(err.join('')).toBe(
        'cmk-guard: cmk-guard.yaml:2:10: `fail-on` is `always`; change it to one of `error`, `warning`, `note`, `never`.\n'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('subscriptionScope', () => {
  it('makes the subscription-id input the scope plan and deploy use when none is given', () => {
    expect(subscriptionScope(undefined)).toBeUndefined();
    expect(subscriptionScope(' 0000000A-0000-0000-0000-0000000000AA ')).toBe(
      '/subscriptions/0000000a-0000-0000-0000-0000000000aa'
    );
    let error: unknown;
    try {
      subscriptionScope('contoso-prod');
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(
      "the input `subscription-id` is 'contoso-prod', which is not a subscription id; give its GUID, e.g. 00000000-0000-0000-0000-000000000000."
    );
  });

  it('names the setting the caller read the id from in its error', () => {
    expect(() => subscriptionScope('contoso-prod', '`azure.subscription-id`')).toThrow(
      "`azure.subscription-id` is 'contoso-prod', which is not a subscription id; give its GUID, e.g. 00000000-0000-0000-0000-000000000000."
    );
  });
});
