/**
 * Which resource group and subscription a template deploys to is not in the template: `resourceGroup().name`,
 * `resourceGroup().id` and `subscription().subscriptionId` of its resources are unknown unless the run is told them.
 * `--resource-group` and `--deployment-subscription-id` (the action inputs and the cmk-guard.yaml keys of those names)
 * tell it, for the head's templates, the base's, and the baseline's places alike.
 *
 * The template deploys one storage account named from its group's id (`uniqueString(resourceGroup().id)`), with
 * public blob access; the definitions audit a storage account outside groups named `prod-*`, outside the subscription
 * 11111111-…, and one that allows public blob access (which does not read where it is).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { givenSettings as actionSettings, readInputs } from '../../src/action/inputs.js';
import { givenSettings as cliSettings } from '../../src/commands/evaluate.js';
import { runCli } from '../../src/commands/index.js';
import { resolveSettings } from '../../src/config/settings.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import type { FindingsDocument } from '../../src/model/finding.js';

const fixture = path.resolve('__tests__/fixtures/cli/deployment-group');
const PROD_SUBSCRIPTION = '11111111-1111-1111-1111-111111111111';
const ZEROS = '00000000-0000-0000-0000-000000000000';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-group-'));
  cpSync(fixture, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(command: 'evaluate' | 'baseline', ...flags: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    [
      command,
      '-t',
      'infra',
      '--definitions',
      'defs',
      '--policies',
      'none',
      ...(command === 'evaluate' ? ['-f', 'json'] : []),
      ...flags
    ],
    { cwd: dir, env: {}, stdout: t => (stdout += t), stderr: t => (stderr += t) }
  );
  const json = command === 'evaluate' && stdout;
  return { code, stderr, document: json ? (JSON.parse(json) as FindingsDocument) : undefined };
}
const evaluate = (...flags: string[]) => run('evaluate', ...flags);

/** Each definition's verdict on the one storage account. */
function verdicts(document: FindingsDocument | undefined): Record<string, string> {
  return Object.fromEntries((document?.findings ?? []).map(f => [f.definition, f.verdict]));
}

const UNKNOWN = {
  'prod-groups-only': 'indeterminate',
  'prod-subscription-only': 'indeterminate',
  'no-public-blobs': 'noncompliant'
};

describe('the resource group and subscription the templates deploy to, given or not', () => {
  it('unknown when not given: a rule on the group’s name or the subscription is indeterminate', async () => {
    const { document } = await evaluate('--config', 'none');
    expect(verdicts(document)).toEqual(UNKNOWN);
  });

  it('--resource-group decides resourceGroup().name; --deployment-subscription-id subscription().subscriptionId', async () => {
    const prod = await evaluate('--config', 'none', '--resource-group', 'prod-app');
    expect(verdicts(prod.document)).toEqual({ ...UNKNOWN, 'prod-groups-only': 'compliant' });
    const dev = await evaluate('--config', 'none', '--resource-group', 'dev-app');
    expect(verdicts(dev.document)).toEqual({ ...UNKNOWN, 'prod-groups-only': 'noncompliant' });
    // Their resources' ids are built with them, as ARM builds them.
    expect(prod.document!.findings[0].resource.id).toMatch(
      /^\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourceGroups\/prod-app\/providers\/Microsoft\.Storage\/storageAccounts\/st/
    );
    const both = await evaluate(
      '--config',
      'none',
      '--resource-group',
      'prod-app',
      '--deployment-subscription-id',
      PROD_SUBSCRIPTION.toUpperCase()
    );
    expect(verdicts(both.document)).toEqual({
      'prod-groups-only': 'compliant',
      'prod-subscription-only': 'compliant',
      'no-public-blobs': 'noncompliant'
    });
    // A group or subscription the run is told is judged even where it is named as the placeholders.
    const rg = await evaluate('--config', 'none', '--resource-group', 'RG', '--deployment-subscription-id', ZEROS);
    expect(verdicts(rg.document)).toEqual({
      'prod-groups-only': 'noncompliant',
      'prod-subscription-only': 'noncompliant',
      'no-public-blobs': 'noncompliant'
    });
    const elsewhere = await evaluate(
      '--config',
      'none',
      '--deployment-subscription-id',
      `2${PROD_SUBSCRIPTION.slice(1)}`
    );
    expect(verdicts(elsewhere.document)).toEqual({ ...UNKNOWN, 'prod-subscription-only': 'noncompliant' });
  });

  it('finding ids stay those of the placeholder deployment, so a baseline written without them keeps matching', async () => {
    const unplaced = await evaluate('--config', 'none');
    const placed = await evaluate('--config', 'none', '--resource-group', 'prod-app');
    const account = (document: FindingsDocument | undefined) =>
      document!.findings.find(f => f.definition === 'no-public-blobs')!;
    // The name reads the group's id: it differs, the id findings are known by does not.
    expect(account(placed.document).resource.name).not.toEqual(account(unplaced.document).resource.name);
    expect(fingerprint(account(placed.document))).toEqual(fingerprint(account(unplaced.document)));

    expect((await run('baseline', '--config', 'none', '--out', 'baseline.json')).code).toBe(0);
    const baselined = await evaluate(
      '--config',
      'none',
      '--baseline',
      'baseline.json',
      '--resource-group',
      'prod-app',
      '--deployment-subscription-id',
      PROD_SUBSCRIPTION
    );
    expect(account(baselined.document).baselined).toBe(true);
    expect(baselined.code).toBe(0);
    // And one written with them matches a run told the same.
    expect(
      (await run('baseline', '--config', 'none', '--out', 'placed.json', '--resource-group', 'prod-app')).code
    ).toBe(0);
    const again = await evaluate('--config', 'none', '--baseline', 'placed.json', '--resource-group', 'prod-app');
    expect(account(again.document).baselined).toBe(true);
  });

  it('cmk-guard.yaml gives them under the same names; a flag wins over the file', async () => {
    writeFileSync(
      path.join(dir, 'cmk-guard.yaml'),
      `resource-group: dev-app\ndeployment-subscription-id: ${PROD_SUBSCRIPTION}\n`
    );
    const fromFile = await evaluate();
    expect(verdicts(fromFile.document)).toEqual({
      'prod-groups-only': 'noncompliant',
      'prod-subscription-only': 'compliant',
      'no-public-blobs': 'noncompliant'
    });
    const flag = await evaluate('--resource-group', 'prod-app');
    expect(verdicts(flag.document)).toMatchObject({ 'prod-groups-only': 'compliant' });
  });

  it('the action inputs of the same names say the same as the flags; `subscription-id` places nothing', () => {
    const inputs: Record<string, string> = {
      'resource-group': ' prod-app ',
      'deployment-subscription-id': PROD_SUBSCRIPTION.toUpperCase()
    };
    const action = actionSettings(readInputs(name => inputs[name] ?? ''));
    const cli = cliSettings({ 'resource-group': 'prod-app', 'deployment-subscription-id': PROD_SUBSCRIPTION });
    const defaults = { bundledPolicies: '/pack', packWithDefinitions: false };
    const resolved = resolveSettings({ ...action, config: 'none' }, dir, defaults);
    expect(resolved.request).toMatchObject({ resourceGroup: 'prod-app', deploymentSubscriptionId: PROD_SUBSCRIPTION });
    expect(resolved).toEqual(resolveSettings({ ...cli, config: 'none' }, dir, defaults));
    // The subscription azure/login connects to is another setting: it does not say where the templates deploy.
    const login = actionSettings(readInputs(name => (name === 'subscription-id' ? PROD_SUBSCRIPTION : '')));
    expect(resolveSettings({ ...login, config: 'none' }, dir, defaults).request).not.toHaveProperty(
      'deploymentSubscriptionId'
    );
  });

  it('what is not a group name or a subscription id is refused: the flag, the input, and the file at its line', async () => {
    const tooLong = 'g'.repeat(91);
    for (const [flag, value, message] of [
      ['--resource-group', 'prod.', 'not a resource group name'],
      ['--resource-group', tooLong, 'not a resource group name'],
      ['--resource-group', 'prod/app', 'not a resource group name'],
      ['--deployment-subscription-id', 'prod', 'not a subscription id']
    ]) {
      const refused = await evaluate('--config', 'none', flag, value);
      expect([flag, value, refused.code]).toEqual([flag, value, 2]);
      expect(refused.stderr).toContain(`${flag} is '${value}', which is ${message}`);
    }
    // Azure allows letters of any script, digits, underscores, hyphens, periods and parentheses, up to 90.
    for (const name of ['rg_(prod).eu-1', 'ö', 'g'.repeat(90)])
      expect(cliSettings({ 'resource-group': name }).resourceGroup).toBe(name);
    expect(() => readInputs(name => (name === 'resource-group' ? 'a b' : ''))).toThrow(
      "the input `resource-group` is 'a b', which is not a resource group name; give 1 to 90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period."
    );
    expect(() => readInputs(name => (name === 'deployment-subscription-id' ? '$(id)' : ''))).toThrow(
      "the input `deployment-subscription-id` is '$(id)', which is not a subscription id"
    );
    // `expand` takes them as `--resource-group` and `--subscription-id`, checked alike.
    for (const [flag, value] of [
      ['--resource-group', 'prod.'],
      ['--subscription-id', 'prod']
    ]) {
      let stderr = '';
      const code = await runCli(['expand', 'infra/storage.json', flag, value], {
        cwd: dir,
        env: {},
        stdout: () => undefined,
        stderr: t => (stderr += t)
      });
      expect([flag, code]).toEqual([flag, 2]);
      expect(stderr).toContain(`${flag} is '${value}', which is not a`);
    }
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'fail-on: error\nresource-group: "prod."\n');
    const file = await evaluate();
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/cmk-guard\.yaml:2:\d+: .*a resource group name: 1 to 90 letters/);
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'deployment-subscription-id: prod\n');
    const subscription = await evaluate();
    expect(subscription.code).toBe(2);
    expect(subscription.stderr).toMatch(/cmk-guard\.yaml:1:\d+: .*a subscription id, its GUID/);
  });
});

describe('on a pull request, the base’s placement applies until the change is merged', () => {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  it('a change that moves its templates to a group whose name passes does not pass itself', async () => {
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'resource-group: dev-app\nfail-on: note\n');
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const base = git('rev-parse', 'HEAD').toString().trim();
    writeFileSync(
      path.join(dir, 'cmk-guard.yaml'),
      `resource-group: prod-app\ndeployment-subscription-id: ${PROD_SUBSCRIPTION}\nfail-on: note\n`
    );
    git('commit', '-qam', 'move the group on paper');

    const head = await evaluate('--skip-rules', 'no-public-blobs');
    expect(verdicts(head.document)).toMatchObject({ 'prod-groups-only': 'compliant' });
    const checked = await evaluate('--base', base, '--skip-rules', 'no-public-blobs');
    expect(verdicts(checked.document)).toEqual({
      'prod-groups-only': 'noncompliant',
      'prod-subscription-only': 'indeterminate'
    });
    expect(checked.code).toBe(1);
    expect(checked.document!.skipped).toEqual(
      expect.arrayContaining([
        {
          atBase: true,
          file: 'cmk-guard.yaml',
          reason:
            '`resource-group` is "prod-app" in this change and "dev-app" at the base: the base\'s applies until the change is merged.'
        },
        {
          atBase: true,
          file: 'cmk-guard.yaml',
          reason: `\`deployment-subscription-id\` is "${PROD_SUBSCRIPTION}" in this change and not set at the base: the base's applies until the change is merged.`
        }
      ])
    );
    // A flag (the workflow's input) still wins: it is not the pull request's to change.
    const flagged = await evaluate('--base', base, '--skip-rules', 'no-public-blobs', '--resource-group', 'prod-app');
    expect(verdicts(flagged.document)).toMatchObject({ 'prod-groups-only': 'compliant' });
  });

  it('the base’s templates are placed where the head’s are: a transition pairs a resource named from its group', async () => {
    // Foundry resources can move to customer-managed keys but not back (cmk-no-key-type-switch). The account is named
    // from its group's id: were the base expanded elsewhere than the head, the two would not pair and the switch back
    // would pass unseen.
    const account = (keySource: string) =>
      JSON.stringify({
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [
          {
            type: 'Microsoft.CognitiveServices/accounts',
            apiVersion: '2024-10-01',
            name: "[concat('ai', uniqueString(resourceGroup().id))]",
            location: 'westeurope',
            kind: 'AIServices',
            sku: { name: 'S0' },
            identity: { type: 'SystemAssigned' },
            properties: {
              encryption:
                keySource === 'Microsoft.KeyVault'
                  ? {
                      keySource,
                      keyVaultProperties: {
                        keyName: 'k',
                        keyVersion: '',
                        keyVaultUri: 'https://kv.vault.azure.net/'
                      }
                    }
                  : { keySource }
            }
          }
        ]
      });
    rmSync(path.join(dir, 'infra'), { recursive: true });
    rmSync(path.join(dir, 'defs'), { recursive: true });
    mkdirSync(path.join(dir, 'infra'));
    writeFileSync(path.join(dir, 'infra', 'ai.json'), account('Microsoft.KeyVault'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const base = git('rev-parse', 'HEAD').toString().trim();
    writeFileSync(path.join(dir, 'infra', 'ai.json'), account('Microsoft.CognitiveServices'));
    git('commit', '-qam', 'back to Microsoft-managed keys');

    let stdout = '';
    await runCli(
      [
        'evaluate',
        '-t',
        'infra',
        '--config',
        'none',
        '--rules',
        'cmk-no-key-type-switch',
        '--base',
        base,
        '--resource-group',
        'prod-app',
        '--deployment-subscription-id',
        PROD_SUBSCRIPTION,
        '-f',
        'json'
      ],
      { cwd: dir, env: {}, stdout: t => (stdout += t), stderr: () => undefined }
    );
    const findings = (JSON.parse(stdout) as FindingsDocument).findings.filter(
      f => f.definition === 'cmk-no-key-type-switch'
    );
    expect(findings.map(f => [f.resource.id, f.verdict])).toEqual([
      [expect.stringMatching(/^\/subscriptions\/11111111-[-1]+\/resourceGroups\/prod-app\/providers\//), 'noncompliant']
    ]);
  });
});
