/**
 * Where a deployment goes is not in its template: `resourceGroup().location` and, above a resource group,
 * `deployment().location` are unknown unless the run is told them. `--resource-group-location` and
 * `--deployment-location` (the action inputs and the cmk-guard.yaml keys of those names) tell it.
 *
 * The templates are public quickstarts (azure-quickstart-templates: 101-cognitive-services-universalkey,
 * subscription-deployments/create-rg) and one that deploys into its own group and, inner-scoped, into another;
 * the definitions are Azure's built-ins Allowed locations (e56962a6, Indexed: a group's resources) and Allowed
 * locations for resource groups (e765b5de, All: the group a subscription deployment creates, which Indexed does
 * not evaluate), each with a default list, westeurope and northeurope, and Audit.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { givenSettings as actionSettings, readInputs } from '../../src/action/inputs.js';
import { givenSettings as cliSettings } from '../../src/commands/evaluate.js';
import { runCli } from '../../src/commands/index.js';
import { resolveSettings } from '../../src/config/settings.js';
import type { FindingsDocument } from '../../src/model/finding.js';

const fixture = path.resolve('__tests__/fixtures/cli/deployment-location');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-location-'));
  cpSync(fixture, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function evaluate(...flags: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    ['evaluate', '-t', 'infra', '-t', 'sub', '--definitions', 'defs', '--policies', 'none', '-f', 'json', ...flags],
    { cwd: dir, env: {}, stdout: t => (stdout += t), stderr: t => (stderr += t) }
  );
  return { code, stderr, document: stdout ? (JSON.parse(stdout) as FindingsDocument) : undefined };
}

/** Each resource's verdict, by name. */
function verdicts(document: FindingsDocument | undefined): Record<string, string> {
  return Object.fromEntries((document?.findings ?? []).map(f => [f.resource.name, f.verdict]));
}

const UNKNOWN = {
  'CognitiveService-dojm7b5lc3trm': 'indeterminate',
  stdojm7b5lc3trm: 'indeterminate',
  kvbsbn5devoihho: 'indeterminate',
  vnet: 'indeterminate',
  'GEN-UNIQUE': 'indeterminate'
};

describe('the deployment’s location, given or not', () => {
  it('unknown when not given: Allowed locations is indeterminate on [resourceGroup().location], saying why', async () => {
    const run = await evaluate('--config', 'none');
    expect(verdicts(run.document)).toEqual(UNKNOWN);
    const reasons = Object.fromEntries(run.document!.findings.map(f => [f.resource.name, f.reason]));
    expect(reasons['CognitiveService-dojm7b5lc3trm']).toMatch(/location of resource group 'rg'/);
    expect(reasons['GEN-UNIQUE']).toMatch(/location of the deployment/);
  });

  it('--resource-group-location decides the group’s resources, not another group’s nor a subscription deployment', async () => {
    // Written as its display name, it is the short name ARM gives back.
    const allowed = await evaluate('--config', 'none', '--resource-group-location', 'West Europe');
    expect(verdicts(allowed.document)).toEqual({
      ...UNKNOWN,
      'CognitiveService-dojm7b5lc3trm': 'compliant',
      stdojm7b5lc3trm: 'compliant',
      // A nested deployment to the same group takes it; one to rg-keys does not, as in ARM.
      vnet: 'compliant'
    });
    const elsewhere = await evaluate('--config', 'none', '--resource-group-location', 'eastus');
    expect(verdicts(elsewhere.document)).toEqual({
      ...UNKNOWN,
      'CognitiveService-dojm7b5lc3trm': 'noncompliant',
      stdojm7b5lc3trm: 'noncompliant',
      vnet: 'noncompliant'
    });
  });

  it('--deployment-location decides deployment().location of a subscription deployment only', async () => {
    const run = await evaluate('--config', 'none', '--deployment-location', 'eastus');
    expect(verdicts(run.document)).toEqual({ ...UNKNOWN, 'GEN-UNIQUE': 'noncompliant' });
    const both = await evaluate(
      '--config',
      'none',
      '--deployment-location',
      'northeurope',
      '--resource-group-location',
      'eastus'
    );
    expect(verdicts(both.document)).toMatchObject({ 'GEN-UNIQUE': 'compliant', vnet: 'noncompliant' });
  });

  it('cmk-guard.yaml gives them under the same names; a flag wins over the file', async () => {
    writeFileSync(
      path.join(dir, 'cmk-guard.yaml'),
      'resource-group-location: East US\ndeployment-location: westeurope\n'
    );
    const fromFile = await evaluate();
    expect(verdicts(fromFile.document)).toMatchObject({ stdojm7b5lc3trm: 'noncompliant', 'GEN-UNIQUE': 'compliant' });
    const flag = await evaluate('--resource-group-location', 'westeurope');
    expect(verdicts(flag.document)).toMatchObject({ stdojm7b5lc3trm: 'compliant', 'GEN-UNIQUE': 'compliant' });
  });

  it('the action inputs of the same names say the same as the flags', () => {
    const inputs: Record<string, string> = {
      'resource-group-location': ' West Europe ',
      'deployment-location': 'northeurope'
    };
    const action = actionSettings(readInputs(name => inputs[name] ?? ''));
    const cli = cliSettings({ 'resource-group-location': 'westeurope', 'deployment-location': 'northeurope' });
    const defaults = { bundledPolicies: '/pack', packWithDefinitions: false };
    const resolved = resolveSettings({ ...action, config: 'none' }, dir, defaults);
    expect(resolved.request).toMatchObject({ resourceGroupLocation: 'westeurope', deploymentLocation: 'northeurope' });
    expect(resolved).toEqual(resolveSettings({ ...cli, config: 'none' }, dir, defaults));
  });

  it('what is not a region is refused: the flag, the input, and the file at its line', async () => {
    const flag = await evaluate('--config', 'none', '--resource-group-location', 'west;europe');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      "--resource-group-location is 'west;europe', which is not a region; give a region name such as westeurope."
    );
    expect(() => readInputs(name => (name === 'deployment-location' ? '$(id)' : ''))).toThrow(
      "the input `deployment-location` is '$(id)', which is not a region; give a region name such as westeurope."
    );
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'fail-on: error\nresource-group-location: ""\n');
    const file = await evaluate();
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/cmk-guard\.yaml:2:\d+: .*a region name, e\.g\. `westeurope`/);
  });
});

describe('on a pull request, the base’s location applies until the change is merged', () => {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  it('a change that names an allowed region for its group does not pass itself', async () => {
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'resource-group-location: eastus\nfail-on: warning\n');
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const base = git('rev-parse', 'HEAD').toString().trim();
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'resource-group-location: westeurope\nfail-on: warning\n');
    git('commit', '-qam', 'move the group on paper');

    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', base);
    expect(checked.code).toBe(1);
    expect(verdicts(checked.document)).toMatchObject({ stdojm7b5lc3trm: 'noncompliant' });
    expect(checked.document!.skipped).toContainEqual({
      atBase: true,
      file: 'cmk-guard.yaml',
      reason:
        '`resource-group-location` is "westeurope" in this change and "eastus" at the base: the base\'s applies until the change is merged.'
    });
  });
});
