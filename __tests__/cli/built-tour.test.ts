/**
 * The built CLI (dist/cli/index.js) through every command and each family of flags, in its own process, as a
 * user runs it. Unit tests start with the rule tooling (ajv, js-yaml, RE2) loaded (see
 * __tests__/support/loadTooling.ts), so a path that forgets to load it first fails only here: each run must end
 * with its exit code and no internal error. Plan, deploy, compliance and `evaluate --scope` run against the
 * loopback ARM.
 *
 * It needs the built CLI (`npm run bundle`) and builds nothing itself; without it, it is skipped.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule } from '../support/arm-policy.js';
import { exemptionsModule, seedExemptionGroup } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';
import { policyInsightsModule, policyInsightsState } from '../support/arm-policyinsights.js';
import { generateEstate, SUBSCRIPTIONS } from '../support/live-estate.js';

const entry = path.resolve('dist/cli/index.js');
const built = existsSync(entry);
const MG = '/providers/Microsoft.Management/managementGroups/contoso';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      [entry, ...args],
      { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr })
    );
  });
}

/** A run that ended as the CLI means to: one of the codes, and nothing said about a module used unloaded. */
function expectEnded(run: Run, codes: number[], args: string[]): void {
  const said = `cmk-guard ${args.join(' ')}\n${run.stderr}`;
  expect(said).not.toMatch(/used before it was loaded|internal error|TypeError|ReferenceError/);
  if (!codes.includes(run.code))
    throw new Error(`exit ${run.code}, wanted ${codes.join(' or ')}: ${said}\n${run.stdout.slice(0, 2000)}`);
}

const vault = (name: string, purgeProtection: boolean) => ({
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name,
  location: "[parameters('location')]",
  properties: {
    tenantId: '[subscription().tenantId]',
    sku: { family: 'A', name: 'standard' },
    enableSoftDelete: true,
    ...(purgeProtection ? { enablePurgeProtection: true } : {})
  }
});

const template = (purgeProtection: boolean) =>
  JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: {
        location: { type: 'string', defaultValue: 'westeurope' },
        vaultName: { type: 'string', defaultValue: 'kv-tour' }
      },
      resources: [vault("[parameters('vaultName')]", purgeProtection)]
    },
    null,
    2
  );

const describeBuilt = built ? describe : describe.skip;
if (!built) console.warn(`Skipping the tour of the built CLI: ${entry} is missing; run \`npm run bundle\`.`);

describeBuilt('the built CLI, every command', () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-tour-'));
    mkdirSync(path.join(repo, 'infra'));
    mkdirSync(path.join(repo, 'before'));
    copyFileSync('examples/foundry-tools-cmk/noncompliant.json', path.join(repo, 'infra', 'accounts.json'));
    writeFileSync(path.join(repo, 'infra', 'vault.json'), template(true));
    writeFileSync(
      path.join(repo, 'infra', 'vault.parameters.json'),
      JSON.stringify({ contentVersion: '1.0.0.0', parameters: { vaultName: { value: 'kv-from-file' } } })
    );
    writeFileSync(path.join(repo, 'before', 'vault.json'), template(true));
    cpSync('__tests__/fixtures/rules/valid', path.join(repo, 'rules'), { recursive: true });
    cpSync('policies/compiled/policyDefinitions', path.join(repo, 'defs'), { recursive: true });
    writeFileSync(
      path.join(repo, 'snapshot.json'),
      JSON.stringify({
        value: [
          {
            id: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-live',
            type: 'Microsoft.KeyVault/vaults',
            name: 'kv-live',
            location: 'westeurope',
            properties: { enableSoftDelete: false }
          }
        ]
      })
    );
    writeFileSync(
      path.join(repo, 'tour.yaml'),
      [
        'templates: [infra]',
        'fail-on: warning',
        'overrides:',
        '  key-vault-soft-delete:',
        '    severity: note',
        'exceptions:',
        '  - rule: foundry-tools-cmk',
        '    resources:',
        '      - name: speech-*',
        '    reason: Speech audio is not stored at rest.',
        '    expires: 2099-01-01',
        ''
      ].join('\n')
    );
    // A git history for --base: the vault had purge protection, and this change takes it away.
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@x',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@x'
        }
      });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    writeFileSync(path.join(repo, 'infra', 'vault.json'), template(false));
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  // Each run: what it shows, its arguments (split at spaces), and the exit codes it may end with.
  const offline: [string, string, number[]][] = [
    ['evaluate, text, inside a root', 'evaluate -t infra --config none --root .', [1]],
    ['evaluate, SARIF to a file', 'evaluate -t infra/**/*.json --config none -f sarif -o out/a.sarif', [1]],
    [
      'evaluate, JUnit of a selection',
      'evaluate -t infra --config none -f junit --rules key-vault-* --min-severity warning',
      [0, 1]
    ],
    [
      'evaluate, rules skipped, never failing',
      'evaluate -t infra --config none -f compact --skip-rules foundry-tools-cmk --fail-on never',
      [0]
    ],
    [
      'evaluate, parameter files and values',
      'evaluate -t infra/vault.json --config none -p infra/vault.parameters.json --parameter location=northeurope --fail-on-indeterminate',
      [0, 1]
    ],
    [
      'evaluate, a snapshot with definitions only',
      'evaluate -r snapshot.json --definitions defs --policies none --config none -f json',
      [1]
    ],
    ['evaluate, its own rule folder', 'evaluate --policies rules -t infra --config none -f json', [0, 1]],
    ['evaluate, a base commit', 'evaluate -t infra --config none --base HEAD -f json', [1]],
    ['evaluate, base templates', 'evaluate -t infra/vault.json --config none --base-templates before', [0, 1]],
    ['evaluate, a configuration file', 'evaluate --config tour.yaml -f json', [1]],
    ['rules of a folder and definitions', 'rules --policies rules --definitions defs', [0]],
    ['compile', 'compile --policies rules --out out/compiled', [0]],
    [
      'expand',
      'expand infra/vault.json -p infra/vault.parameters.json --positions --resource-group-location westus2 --subscription-id 00000000-0000-0000-0000-000000000009 --resource-group tour',
      [0]
    ],
    ['check-definitions', 'check-definitions defs', [0]],
    ['demo', 'demo', [0, 1]],
    ['a mistake of usage', 'evaluate --no-such-flag', [2]]
  ];

  it.each(offline)('%s', async (_name, line, codes) => {
    const args = line.split(' ');
    const run = await cli(args, repo);
    expectEnded(run, codes, args);
    if (args.includes('json')) expect(JSON.parse(run.stdout)).toHaveProperty('summary');
  });

  it('evaluate reads the baseline that `baseline` wrote: nothing in it fails', async () => {
    const written = await cli(['baseline', '-t', 'infra', '--config', 'none', '-o', 'out/tour-baseline.json'], repo);
    expectEnded(written, [0], ['baseline']);
    const args = ['evaluate', '-t', 'infra', '--config', 'none', '--baseline', 'out/tour-baseline.json', '-f', 'json'];
    const run = await cli(args, repo);
    expectEnded(run, [0], args);
    const document = JSON.parse(run.stdout) as { summary: { noncompliant: number; baselined?: number } };
    expect(document.summary.noncompliant).toBe(0);
    expect(document.summary.baselined).toBeGreaterThan(0);
  });

  describe('against the loopback ARM', () => {
    let server: ArmServer;
    beforeAll(async () => {
      server = await startArmServer({
        modules: [policyModule, exemptionsModule, resourceGraphModule, policyInsightsModule]
      });
      seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
      seedExemptionGroup(server, 'contoso', SUBSCRIPTIONS);
      seedResources(server, generateEstate({ count: 30 }));
      policyInsightsState(server).groups.set('contoso', new Set(SUBSCRIPTIONS));
    });
    afterAll(() => server.close());

    const azure: [string, string[], number[]][] = [
      ['plan', ['plan', '--scope', MG, '--config', 'none', '--owner', 'github.com/contoso/tour'], [0]],
      [
        'deploy',
        [
          'deploy',
          '--scope',
          MG,
          '--config',
          'none',
          '--owner',
          'github.com/contoso/tour',
          '--enforcement-mode',
          'DoNotEnforce'
        ],
        [0]
      ],
      [
        'plan with a configuration file, as JSON',
        ['plan', '--scope', MG, '--config', 'tour.yaml', '--owner', 'github.com/contoso/tour', '-f', 'json', '--prune'],
        [0]
      ],
      ['compliance', ['compliance', '--scope', MG, '--config', 'none'], [0, 1]],
      ['evaluate a live scope', ['evaluate', '--scope', MG, '--config', 'none', '-f', 'json'], [0, 1]],
      [
        'evaluate a live scope with its own rules',
        ['evaluate', '--scope', MG, '--policies', 'rules', '--config', 'none'],
        [0, 1]
      ]
    ];
    // One after another: deploy makes what compliance and the second plan read.
    it('runs plan, deploy, compliance and evaluate --scope', async () => {
      for (const [, args, codes] of azure) {
        const full = [...args, '--arm-endpoint', server.url];
        const run = await cli(full, repo, { CMK_GUARD_AZURE_TOKEN: server.token, CMK_GUARD_AZURE_RETRY_DELAY_MS: '1' });
        expectEnded(run, codes, full);
      }
    });
  });
});
