/**
 * On a pull request, where `plan` connects, what it signs in as and which scope it acts on come from the base's
 * cmk-guard.yaml wherever the change says otherwise (config/settings.ts `resolveAzureSettings`); inputs and flags
 * still win, and what the change proposes to publish (owner, prune, enforcement mode, effects) is its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import { resolveAzureSettings } from '../../src/config/settings.js';
import { UserError } from '../../src/model/errors.js';
import type { DeploymentPlan } from '../../src/model/plan.js';
import type { ArmServer } from '../support/arm-server.js';
import { eachTestArmAndElsewhere, type ElsewhereServer } from '../support/elsewhere-server.js';
import { git, initRepository } from '../support/git.js';

const BASE = [
  'azure:',
  '  scope: /providers/Microsoft.Management/managementGroups/platform',
  '  arm-endpoint: https://management.local.azurestack.external',
  '  tenant-id: 11111111-1111-1111-1111-111111111111',
  '  client-id: 22222222-2222-2222-2222-222222222222',
  '  owner: platform-team',
  ''
].join('\n');

/** Every connection and scope setting moved, and every setting of what to publish changed. */
const CHANGED = [
  'azure:',
  '  scope: /providers/Microsoft.Management/managementGroups/other-team',
  '  assignment-scope: /subscriptions/33333333-3333-3333-3333-333333333333',
  '  subscription-id: 33333333-3333-3333-3333-333333333333',
  '  cloud: AzureChinaCloud',
  '  arm-endpoint: https://attacker.example',
  '  tenant-id: 99999999-9999-9999-9999-999999999999',
  '  client-id: 88888888-8888-8888-8888-888888888888',
  '  owner: someone-else',
  '  prune: true',
  '  enforcement-mode: DoNotEnforce',
  '  effects: { foundry-tools-cmk: Deny }',
  '  location: westeurope',
  ''
].join('\n');

let dir: string;
let base: string;

function commitBase(text: string | null): void {
  if (text !== null) writeFileSync(path.join(dir, 'cmk-guard.yaml'), text);
  writeFileSync(path.join(dir, 'README.md'), 'base\n');
  initRepository(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  base = git(dir, 'rev-parse', 'HEAD');
}

/** The change's file, and the settings as `plan` resolves them with the inputs `given`, on the pull request or not. */
function resolve(change: string, given: Parameters<typeof resolveAzureSettings>[0] = {}, onPullRequest = true) {
  writeFileSync(path.join(dir, 'cmk-guard.yaml'), change);
  const file = findConfigFile(dir, undefined);
  const config = file === null ? null : loadConfig(file, dir);
  return resolveAzureSettings(given, config, onPullRequest ? { base, file, cwd: dir } : undefined);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-azure-base-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("a pull request's cmk-guard.yaml does not choose where plan connects or what it acts on", () => {
  it('takes each connection and scope setting the change moves from the base, and lists it', () => {
    commitBase(BASE);
    // Without a pull request (a push, the CLI), the file is what it says.
    expect(resolve(CHANGED, {}, false)).toMatchObject({
      armEndpoint: 'https://attacker.example',
      scope: '/providers/Microsoft.Management/managementGroups/other-team'
    });
    const settings = resolve(CHANGED);
    expect(settings).toEqual({
      // Where to connect, as whom and on what: the base's (not set there: not set).
      scope: '/providers/Microsoft.Management/managementGroups/platform',
      assignmentScope: '/providers/Microsoft.Management/managementGroups/platform',
      armEndpoint: 'https://management.local.azurestack.external',
      tenantId: '11111111-1111-1111-1111-111111111111',
      clientId: '22222222-2222-2222-2222-222222222222',
      cloud: 'AzureCloud',
      // What to publish: the change's, which the plan shows as merging it would publish it.
      owner: 'someone-else',
      prune: true,
      enforcementMode: 'DoNotEnforce',
      effects: { 'foundry-tools-cmk': 'Deny' },
      effectOverrides: [],
      location: 'westeurope',
      pinned: [
        ['cloud', '"AzureChinaCloud"', 'not set'],
        ['arm-endpoint', '"https://attacker.example"', '"https://management.local.azurestack.external"'],
        ['tenant-id', '"99999999-9999-9999-9999-999999999999"', '"11111111-1111-1111-1111-111111111111"'],
        ['client-id', '"88888888-8888-8888-8888-888888888888"', '"22222222-2222-2222-2222-222222222222"'],
        [
          'scope',
          '"/providers/Microsoft.Management/managementGroups/other-team"',
          '"/providers/Microsoft.Management/managementGroups/platform"'
        ],
        ['assignment-scope', '"/subscriptions/33333333-3333-3333-3333-333333333333"', 'not set'],
        ['subscription-id', '"33333333-3333-3333-3333-333333333333"', 'not set']
      ].map(([name, head, before]) => ({
        file: 'cmk-guard.yaml',
        reason: `\`azure.${name}\` is ${head} in this change and ${before} at the base: the base's applies until the change is merged.`
      }))
    });
  });

  it('lets an input win, and lists only what the file decides', () => {
    commitBase(BASE);
    const settings = resolve(CHANGED, {
      armEndpoint: 'https://management.workflow.example',
      scope: '/subscriptions/44444444-4444-4444-4444-444444444444'
    });
    expect(settings.armEndpoint).toBe('https://management.workflow.example');
    expect(settings.scope).toBe('/subscriptions/44444444-4444-4444-4444-444444444444');
    expect(settings.pinned?.map(entry => /^`azure\.([a-z-]+)`/.exec(entry.reason)?.[1])).toEqual([
      'cloud',
      'tenant-id',
      'client-id',
      'assignment-scope',
      'subscription-id'
    ]);
  });

  it('lists nothing when the change leaves them as they are', () => {
    commitBase(BASE);
    const settings = resolve(BASE.replace('owner: platform-team', 'owner: platform-team\n  prune: true'));
    expect(settings.pinned).toBeUndefined();
    expect(settings.prune).toBe(true);
    expect(settings.armEndpoint).toBe('https://management.local.azurestack.external');
  });

  it('a base without the file, or with a broken one, sets none of them', () => {
    commitBase(null);
    const added = resolve(CHANGED);
    expect(added.armEndpoint).toBeUndefined();
    expect(added.scope).toBeUndefined();
    expect(added.cloud).toBe('AzureCloud');
    expect(added.pinned).toHaveLength(7);
    expect(added.pinned?.[1].reason).toBe(
      '`azure.arm-endpoint` is "https://attacker.example" in this change and not set at the base: the base\'s applies until the change is merged.'
    );

    rmSync(path.join(dir, '.git'), { recursive: true, force: true });
    commitBase('azure:\n  no-such-setting: true\n');
    const broken = resolve(CHANGED);
    expect(broken.armEndpoint).toBeUndefined();
    expect(broken.tenantId).toBeUndefined();
    expect(broken.pinned).toHaveLength(7);
  });

  it('stops when the base cannot be read and the change sets any of them that no input gives', () => {
    // Not a git checkout: the base cannot be read.
    base = '0123456789abcdef0123456789abcdef01234567';
    const error = (() => {
      try {
        resolve(CHANGED, {
          cloud: 'AzureCloud',
          tenantId: 't',
          clientId: 'c',
          scope: '/subscriptions/44444444-4444-4444-4444-444444444444',
          assignmentScope: '/subscriptions/44444444-4444-4444-4444-444444444444',
          subscriptionId: '44444444-4444-4444-4444-444444444444'
        });
      } catch (e) {
        return e;
      }
    })() as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.location).toEqual({ file: 'cmk-guard.yaml' });
    expect(error.message).toMatch(
      /^`azure\.arm-endpoint` in cmk-guard\.yaml decides where cmk-guard connects or what it acts on, and on a pull request it is taken from the base, which cannot be read: cannot read the base '0123456789abcdef0123456789abcdef01234567' .*fetch-depth: 0.*Fetch the base, or give it as an input\.$/
    );
    // With every one of them given, or none of them in the file, there is nothing to compare.
    expect(
      resolve(CHANGED, {
        armEndpoint: 'https://w.example',
        cloud: 'AzureCloud',
        tenantId: 't',
        clientId: 'c',
        scope: '/s',
        assignmentScope: '/s',
        subscriptionId: 's'
      }).pinned
    ).toBeUndefined();
    expect(resolve('azure:\n  owner: me\n').owner).toBe('me');
  });

  it('compares with the file the base reads, and with none when the workflow says `config: none`', () => {
    writeFileSync(path.join(dir, 'cmk-guard.yml'), BASE);
    commitBase(null);
    // The change adds cmk-guard.yaml beside the base's cmk-guard.yml: the base's .yml is what it is compared with.
    const settings = resolve(CHANGED);
    expect(settings.armEndpoint).toBe('https://management.local.azurestack.external');
    expect(settings.pinned?.[0].file).toBe('cmk-guard.yaml');
    expect(resolveAzureSettings({}, null, { base, file: null, named: 'none', cwd: dir })).toEqual(
      resolveAzureSettings({}, null)
    );
  });
});

describe("the CLI's plan and deploy in a pull request's job", () => {
  const SUB = '/subscriptions/00000000-0000-0000-0000-0000000000aa';
  let arm: ArmServer;
  let elsewhere: ElsewhereServer;
  eachTestArmAndElsewhere(servers => ({ arm, elsewhere } = servers));

  async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      cwd: dir,
      env: { CMK_GUARD_AZURE_TOKEN: arm.token, CMK_GUARD_AZURE_RETRY_DELAY_MS: '1', ...env },
      stdout: text => (stdout += text),
      stderr: text => (stderr += text)
    });
    return { code, stdout, stderr };
  }

  it('--base takes where to connect and what to act on from the base, and the plan says so', async () => {
    commitBase(`azure:\n  arm-endpoint: ${arm.url}\n  scope: ${SUB}\n`);
    writeFileSync(
      path.join(dir, 'cmk-guard.yaml'),
      `azure:\n  arm-endpoint: ${elsewhere.url}\n  scope: /subscriptions/00000000-0000-0000-0000-0000000000bb\n`
    );
    const plan = await cli(['plan', '--owner', 'platform', '--format', 'json', '--base', base]);
    expect(elsewhere.requests).toEqual([]);
    expect(plan.code).toBe(0);
    const written = JSON.parse(plan.stdout) as DeploymentPlan;
    expect(written.scope).toBe(SUB);
    expect(written.skipped?.map(entry => entry.reason.split(' ')[0])).toEqual([
      '`azure.arm-endpoint`',
      '`azure.scope`'
    ]);
    expect(written.skipped?.every(entry => entry.atBase && entry.file === 'cmk-guard.yaml')).toBe(true);
    expect(arm.requests.length).toBeGreaterThan(0);
    // Without --base the checkout's file is read as it is: what --base is for.
    await cli(['plan', '--owner', 'platform', '--format', 'json']);
    expect(elsewhere.requests[0]?.authorization).toBe(`Bearer ${arm.token}`);
  });

  it("plans at the subscription the file's azure.subscription-id names when no scope is given, the base's on a pull request", async () => {
    const other = '00000000-0000-0000-0000-0000000000bb';
    commitBase(`azure:\n  arm-endpoint: ${arm.url}\n  subscription-id: 00000000-0000-0000-0000-0000000000AA\n`);
    const plan = await cli(['plan', '--owner', 'platform', '--format', 'json']);
    expect(plan.stderr).toContain('Reading what subscription 00000000-0000-0000-0000-0000000000aa holds.');
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as DeploymentPlan).scope).toBe(SUB);
    expect(arm.requests.map(r => r.path)).toContain(`${SUB}/providers/Microsoft.Authorization/policyDefinitions`);
    // A pull request that names another subscription plans at the base's, and says so; a --scope wins over both.
    writeFileSync(
      path.join(dir, 'cmk-guard.yaml'),
      `azure:\n  arm-endpoint: ${arm.url}\n  subscription-id: ${other}\n`
    );
    const pinned = JSON.parse((await cli(['plan', '--owner', 'platform', '--format', 'json', '--base', base])).stdout);
    expect((pinned as DeploymentPlan).scope).toBe(SUB);
    expect((pinned as DeploymentPlan).skipped?.map(entry => entry.reason.split(' ')[0])).toEqual([
      '`azure.subscription-id`'
    ]);
    expect(
      (JSON.parse((await cli(['plan', '--owner', 'platform', '--format', 'json'])).stdout) as DeploymentPlan).scope
    ).toBe(`/subscriptions/${other}`);
    const scoped = await cli([
      'plan',
      '--owner',
      'platform',
      '--format',
      'json',
      '--scope',
      `/subscriptions/${other}`,
      '--base',
      base
    ]);
    expect((JSON.parse(scoped.stdout) as DeploymentPlan).scope).toBe(`/subscriptions/${other}`);
    // Neither a scope nor a subscription: the error names every way to give one.
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), `azure:\n  arm-endpoint: ${arm.url}\n`);
    const none = await cli(['plan', '--owner', 'platform']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'plan needs --scope (a management group or subscription), or `azure.scope` or `azure.subscription-id` in cmk-guard.yaml.'
    );
  });

  it('deploy does not run in a pull request job', async () => {
    commitBase(`azure:\n  arm-endpoint: ${arm.url}\n  scope: ${SUB}\n`);
    const deploy = await cli(['deploy', '--owner', 'platform', '--arm-endpoint', arm.url], {
      GITHUB_EVENT_NAME: 'pull_request_target'
    });
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toContain(
      "deploy does not run in a pull request's job (GITHUB_EVENT_NAME is pull_request_target): it would publish rules and settings no one has merged"
    );
    expect(arm.requests).toEqual([]);
    const pushed = await cli(['deploy', '--owner', 'platform', '--arm-endpoint', arm.url], {
      GITHUB_EVENT_NAME: 'push'
    });
    expect(pushed.code).toBe(0);
    expect(arm.writeRequests()).toBeGreaterThan(0);
  });
});
