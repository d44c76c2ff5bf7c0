/**
 * The action end to end, as the runner runs it: `node dist/index.js` in a child process
 * with INPUT_* variables (action.yml's defaults plus `with:`), a real pull_request event
 * payload, GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files, and GITHUB_API_URL pointing at a
 * GitHub API on loopback that the real @actions/github client talks to.
 *
 * It needs the built action (`npm run bundle`) and builds nothing itself; without
 * dist/index.js it is skipped and says so.
 */
import type { FindingsDocument } from '../../src/model/finding.js';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { COMMENT_MARKER, PLAN_END, PLAN_START } from '../../src/report/comment.js';
import { policyModule, storedAt } from '../support/arm-policy.js';
import { bundleHolds } from '../support/built.js';
import type { GitHubServer } from '../support/github-server.js';
import { startGitHubServer } from '../support/github-server.js';
import { sarifValidator } from '../support/sarif.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { exemptionState, exemptionsModule } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';
import { policyInsightsModule, policyInsightsState, policyStateRecord } from '../support/arm-policyinsights.js';
import { generateEstate, SUBSCRIPTIONS } from '../support/live-estate.js';
import { LOOPBACK_CERTIFICATE, startSignInServers, type SignInServers } from '../support/entra-server.js';
import { eachTestArmAndElsewhere, type ElsewhereServer } from '../support/elsewhere-server.js';

const entry = path.resolve('dist/index.js');
const built = existsSync(entry);
// Landing runs the tests before it rebuilds dist/: a test of what a build older than it lacks waits for the build.
const builtWith = (marker: string) => bundleHolds(entry, marker);
const itWithRelativeErrors = builtWith('messageRelativeTo') ? it : it.skip;
const itWithLogText = builtWith('function logText') ? it : it.skip;
const itWithBaseSection = builtWith('Taken from the base') ? it : it.skip;
const action = loadYaml(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: string }> };
const payloadFile = path.resolve('__tests__/fixtures/action/pull_request.synchronize.json');
const payload = JSON.parse(readFileSync(payloadFile, 'utf8')) as { pull_request: { head: { sha: string } } };
const headSha = payload.pull_request.head.sha;

/** A push to main (where `deploy` runs), as the runner gives it: GITHUB_EVENT_NAME and the event file. */
function pushEvent(dir: string): NodeJS.ProcessEnv {
  const file = path.join(dir, 'push.json');
  writeFileSync(
    file,
    JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233'
    })
  );
  return { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: file, GITHUB_REF: 'refs/heads/main' };
}

/**
 * A workspace in `gate` whose base commit has cmk-guard.yaml as `atBase` says and whose pull request changes it to
 * `changed` (or leaves it so); the event file of that pull request.
 */
function configPullRequest(gate: string, atBase: string, changed: string): NodeJS.ProcessEnv {
  const workspace = path.join(gate, 'workspace');
  cpSync(path.resolve('__tests__/fixtures/action/workspace'), workspace, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .trim();
  writeFileSync(path.join(workspace, 'cmk-guard.yaml'), atBase);
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  const baseSha = git('rev-parse', 'HEAD');
  writeFileSync(path.join(workspace, 'cmk-guard.yaml'), changed);
  git('commit', '-q', '--allow-empty', '-am', 'change');
  const event = path.join(gate, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ ...payload, pull_request: { ...payload.pull_request, base: { sha: baseSha } } })
  );
  return { GITHUB_EVENT_PATH: event };
}

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses GITHUB_OUTPUT as the runner does: `name<<delimiter` … `delimiter` blocks, or `name=value` lines. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      outputs[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) {
      outputs[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return outputs;
}

function runAction(
  root: string,
  server: GitHubServer,
  withInputs: Record<string, string>,
  name: string,
  extraEnv: NodeJS.ProcessEnv = {}
): Promise<ActionRun> {
  const summaryFile = path.join(root, `${name}.summary.md`);
  const outputFile = path.join(root, `${name}.output`);
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const inputs: Record<string, string> = {};
  for (const [input, spec] of Object.entries(action.inputs)) {
    const value =
      withInputs[input] ?? (spec.default === '${{ github.token }}' ? 'ghs_e2e_token' : (spec.default ?? ''));
    inputs[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...inputs,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: path.join(root, 'workspace'),
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: payloadFile,
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_SHA: 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233',
    GITHUB_REF: 'refs/pull/2/merge',
    GITHUB_RUN_ID: '1234567',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: server.url,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: path.join(root, 'runner-temp'),
    ...extraEnv
  };
  return new Promise(resolve => {
    execFile(
      process.execPath,
      [entry],
      { cwd: path.join(root, 'workspace'), env, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
          summary: readFileSync(summaryFile, 'utf8')
        });
      }
    );
  });
}

const describeBuilt = built ? describe : describe.skip;
if (!built) {
  console.warn(`Skipping the end-to-end action test: ${entry} is missing. Build it with \`npm run bundle\`.`);
}

describeBuilt(
  `the action, run from ${built ? 'dist/index.js' : 'dist/index.js (missing: run `npm run bundle`)'}`,
  () => {
    let root: string;
    let server: GitHubServer;

    beforeAll(async () => {
      root = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-e2e-'));
      cpSync(path.resolve('__tests__/fixtures/action/workspace'), path.join(root, 'workspace'), { recursive: true });
      server = await startGitHubServer({
        pullFiles: { 2: [{ filename: 'templates/accounts.json', status: 'modified' }] }
      });
    });
    afterAll(async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    });

    let first: ActionRun;

    it('annotates, summarises, writes SARIF and outputs, comments once and publishes a check run beyond 10 errors', async () => {
      first = await runAction(root, server, {}, 'first');
      const errors = first.stdout.split('\n').filter(line => line.startsWith('::error file='));

      // Twelve accounts without customer-managed keys: ten error annotations, the rest in a check run.
      expect(errors).toHaveLength(10);
      expect(errors.every(line => line.startsWith('::error file=templates/accounts.json,line='))).toBe(true);
      expect(Number(first.outputs.noncompliant)).toBeGreaterThanOrEqual(12);
      expect(first.outputs.result).toBe('fail');
      expect(first.code).toBe(1);
      expect(first.stdout).toMatch(/^::error::cmk-guard found \d+ noncompliant findings at or above severity 'error'/m);

      // Hostile names reach the log only inside annotations (escaped) or between stop-commands markers.
      const hostile = first.stdout.split('\n').filter(line => line.includes('<img src=x onerror=alert(1)>'));
      expect(hostile.length).toBeGreaterThan(0);

      // The base commit is not in this checkout (no fetch-depth: 0): a warning names the rules that did not run.
      expect(first.stdout.split('\n').filter(line => line.startsWith('::warning::cmk-guard did not run'))).toEqual([
        expect.stringMatching(
          /^::warning::cmk-guard did not run cmk-key-same-vault, cmk-no-key-type-switch: the base could not be read: cannot read the base '[0-9a-f]{40}' .*fetch-depth: 0/
        ) as string
      ]);
      expect(first.summary).toContain(
        '> ⚠️ Not run: `cmk-key-same-vault`, `cmk-no-key-type-switch`: the base could not be read'
      );

      // The problem matcher for --format compact: off while the action prints its own report, then registered
      // for the steps after it.
      const lines = first.stdout.split('\n');
      const removed = lines.indexOf('::remove-matcher owner=cmk-guard::');
      const stopped = lines.findIndex(line => line.startsWith('::stop-commands::'));
      expect(removed).toBeGreaterThanOrEqual(0);
      expect(removed).toBeLessThan(stopped);
      expect(lines.filter(line => line.startsWith('::add-matcher::'))).toEqual([
        `::add-matcher::${path.resolve('.github/cmk-guard-matcher.json')}`
      ]);
      expect(lines.findIndex(line => line.startsWith('::add-matcher::'))).toBeGreaterThan(stopped);

      // The job summary: totals, links at the head commit, hostile names as code, and the hidden count.
      expect(first.summary).toContain('## cmk-guard: ❌');
      expect(first.summary).toContain(
        `https://github.com/Codertocat/Hello-World/blob/${headSha}/templates/accounts.json#L`
      );
      expect(first.summary).toContain('| `<img src=x onerror=alert(1)>` |');
      expect(first.summary).toContain('| `@everyone` |');
      expect(first.summary).toMatch(
        /> \d+ findings are not shown as annotations: .* The check run \[cmk-guard\]\(https:\/\/github.com\/Codertocat\/Hello-World\/runs\/\d+\) lists them all/
      );

      // SARIF where the output says, valid against the schema, with repository-relative locations.
      expect(first.outputs['sarif-file']).toBe(path.join(root, 'runner-temp', 'cmk-guard', 'results.sarif'));
      const sarif = JSON.parse(readFileSync(first.outputs['sarif-file'], 'utf8')) as {
        runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
      };
      const validate = sarifValidator();
      expect(validate(sarif) ? [] : validate.errors).toEqual([]);
      expect(new Set(sarif.runs[0].results.map(r => r.locations[0].physicalLocation.artifactLocation.uri))).toEqual(
        new Set(['templates/accounts.json'])
      );
      const findings = JSON.parse(readFileSync(first.outputs['findings-file'], 'utf8')) as {
        summary: { noncompliant: number };
      };
      expect(String(findings.summary.noncompliant)).toBe(first.outputs.noncompliant);

      // The requests: changed files listed, one comment created, one check run with every annotation.
      expect(server.requestsTo('GET', /^\/repos\/Codertocat\/Hello-World\/pulls\/2\/files$/)).toHaveLength(1);
      expect(server.requestsTo('POST', /^\/repos\/Codertocat\/Hello-World\/issues\/2\/comments$/)).toHaveLength(1);
      expect(server.comments).toHaveLength(1);
      expect(server.comments[0].body.startsWith(COMMENT_MARKER)).toBe(true);
      expect(server.comments[0].body).toContain('`<img src=x onerror=alert(1)>`');
      expect(server.checkRuns).toHaveLength(1);
      expect(server.checkRuns[0]).toMatchObject({ name: 'cmk-guard', head_sha: headSha, conclusion: 'failure' });
      expect(server.checkRuns[0].annotations.length).toBeGreaterThanOrEqual(12);
      expect(server.requests.every(r => r.headers.authorization === 'token ghs_e2e_token')).toBe(true);
      // The token is masked before anything else is printed, and never printed in the clear.
      expect(first.stdout.split('\n')[0]).toBe('::add-mask::ghs_e2e_token');
      expect(first.stdout.split('\n').filter(line => line.includes('ghs_e2e_token'))).toHaveLength(1);
    });

    it('updates the same comment on the next push instead of adding another', async () => {
      const second = await runAction(root, server, {}, 'second');
      expect(second.code).toBe(1);
      expect(server.requestsTo('POST', /\/issues\/2\/comments$/)).toHaveLength(1);
      expect(server.comments).toHaveLength(1);
      // The body is unchanged, so nothing needs writing; change it and it is updated in place.
      server.comments[0].body = `${COMMENT_MARKER}\nan older run`;
      const third = await runAction(root, server, {}, 'third');
      expect(third.code).toBe(1);
      expect(server.requestsTo('PATCH', /^\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+$/)).toHaveLength(1);
      expect(server.comments).toHaveLength(1);
      expect(server.comments[0].body).toContain('cmk-guard: ❌');
    });

    it('with a fork’s read-only token: warns once, still annotates, summarises and writes SARIF, and does not fail for it', async () => {
      server.options.readOnly = true;
      const before = server.requests.length;
      try {
        const fork = await runAction(root, server, { 'fail-on': 'never' }, 'fork');
        const writes = server.requests.slice(before).filter(r => r.method !== 'GET');
        expect(writes.length).toBeGreaterThan(0);
        const warnings = fork.stdout.split('\n').filter(line => line.startsWith('::warning::cmk-guard could not'));
        expect(warnings).toHaveLength(1);
        expect(fork.stdout.split('\n').filter(line => line.startsWith('::error file='))).toHaveLength(10);
        expect(fork.summary).toContain('## cmk-guard: ❌');
        expect(existsSync(fork.outputs['sarif-file'])).toBe(true);
        expect(fork.outputs.result).toBe('pass');
        expect(fork.code).toBe(0);
      } finally {
        server.options.readOnly = false;
      }
    });

    it('with the API unreachable: warns once, still annotates, summarises and writes SARIF, and does not fail for it', async () => {
      // A port nothing listens on: every request fails to connect.
      const closed = await startGitHubServer();
      const url = closed.url;
      await closed.close();
      const run = await runAction(root, { ...server, url }, { 'fail-on': 'never' }, 'unreachable');
      const warnings = run.stdout.split('\n').filter(line => line.startsWith('::warning::cmk-guard could not'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /^::warning::cmk-guard could not list the files the pull request changed: GitHub answered 500/
      );
      expect(run.stdout.split('\n').filter(line => line.startsWith('::error file='))).toHaveLength(10);
      expect(run.summary).toContain('## cmk-guard: ❌');
      expect(existsSync(run.outputs['sarif-file'])).toBe(true);
      expect(run.outputs.result).toBe('pass');
      expect(run.code).toBe(0);
    });

    it('with `policies: none` and no definitions: fails, saying there is nothing to check with, instead of passing', async () => {
      const run = await runAction(root, server, { policies: 'none', 'fail-on': 'never', comment: 'false' }, 'none');
      expect(run.code).toBe(1);
      expect(run.outputs.result).toBe('fail');
      expect(run.stdout).toMatch(
        /^::error::there is nothing to evaluate with: no rules \(the policies are turned off\)/m
      );
      expect(run.summary).toContain('there is nothing to evaluate with');
    });

    itWithRelativeErrors(
      'annotates a broken rule file at its line, with the path relative to the workspace',
      async () => {
        const rules = path.join(root, 'workspace', 'broken-rules');
        mkdirSync(rules);
        writeFileSync(path.join(rules, 'bad.yaml'), 'name: bad-rule\nseverity: [not, a, severity]\n');
        try {
          const run = await runAction(root, server, { policies: 'broken-rules', comment: 'false' }, 'broken-rules');
          expect(run.code).toBe(1);
          expect(run.outputs.result).toBe('fail');
          expect(run.stdout).toMatch(/^::error file=broken-rules\/bad\.yaml,line=\d+/m);
          const failed = run.stdout.split('\n').filter(line => line.startsWith('::error::'));
          expect(failed).toHaveLength(1);
          expect(failed[0]).toMatch(/^::error::broken-rules\/bad\.yaml:1:1: the rule is missing `displayName`/);
          expect(failed[0]).not.toContain(root);
        } finally {
          rmSync(rules, { recursive: true });
        }
      }
    );

    it('masks the token before it reports a wrong input', async () => {
      const run = await runAction(root, server, { 'fail-on': 'sometimes' }, 'bad-input');
      expect(run.code).toBe(1);
      expect(run.stdout.split('\n')[0]).toBe('::add-mask::ghs_e2e_token');
      expect(run.stdout).toMatch(
        /^::error::the input `fail-on` is 'sometimes'; use one of error, warning, note, never\./m
      );
    });

    it('refuses to write SARIF through a symbolic link the pull request committed, and still reports', async () => {
      const victim = path.join(root, 'victim.txt');
      writeFileSync(victim, 'untouched\n');
      const link = path.join(root, 'workspace', 'results.sarif');
      symlinkSync(victim, link);
      try {
        const run = await runAction(
          root,
          server,
          { 'sarif-file': 'results.sarif', 'fail-on': 'never', comment: 'false' },
          'symlink'
        );
        expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/^::error::the input `sarif-file` is 'results.sarif', which is a symbolic link/m);
        expect(run.outputs['sarif-file']).toBe('');
        expect(existsSync(run.outputs['findings-file'])).toBe(true);
        expect(run.summary).toContain('## cmk-guard: ❌');
        expect(run.summary).toContain('which is a symbolic link');
      } finally {
        rmSync(link);
      }
    });

    // Landing runs the tests before it rebuilds dist/: a build older than plan and deploy skips this one.
    const planBuilt = builtWith(PLAN_START);
    (planBuilt ? it : it.skip)(
      'plans the pack against an Azure scope into the same sticky comment as the findings, then deploys',
      async () => {
        // Beside the policy endpoints, what Azure always has: exemptions, and Resource Graph, which a
        // management group's plan asks for the pack's assignments in its subscriptions.
        const arm = await startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule] });
        seedManagementGroup(arm, 'contoso', {});
        const scope = '/providers/Microsoft.Management/managementGroups/contoso';
        const azure = { scope, 'arm-endpoint': arm.url };
        const env = { CMK_GUARD_AZURE_TOKEN: arm.token };
        try {
          const plan = await runAction(root, server, { ...azure, command: 'plan' }, 'plan', env);
          expect(plan.code).toBe(0);
          expect(plan.outputs.result).toBe('pass');
          // The Azure token is masked first, and never printed in the clear.
          expect(plan.stdout.split('\n').slice(0, 2)).toContain(`::add-mask::${arm.token}`);
          expect(plan.stdout.split('\n').filter(line => line.includes(arm.token))).toHaveLength(1);
          expect(JSON.parse(readFileSync(plan.outputs['plan-file'], 'utf8')).owner).toBe(
            'github.com/Codertocat/Hello-World'
          );
          const sentence =
            'This change will create 7 policy definitions, create 1 initiative and create 1 assignment at management group contoso.';
          expect(plan.summary).toContain('### cmk-guard plan: management group contoso');
          expect(plan.summary).toContain(sentence);
          expect(arm.writeRequests()).toBe(0);
          // One comment: the findings an evaluate step wrote, and now the plan below them.
          expect(server.comments).toHaveLength(1);
          const body = server.comments[0].body;
          expect(body.startsWith(COMMENT_MARKER)).toBe(true);
          expect(body).toContain('cmk-guard: ❌');
          expect(body).toContain(`${PLAN_START}\n### cmk-guard plan: management group contoso`);
          expect(body).toContain(sentence);
          expect(body).toContain('| policy definition | `foundry-tools-cmk` | ➕ create |');
          expect(body.trimEnd().endsWith(PLAN_END)).toBe(true);

          // The next evaluate keeps the plan; the deploy on main publishes it.
          await runAction(root, server, {}, 'evaluate-after-plan');
          expect(server.comments[0].body).toContain(sentence);
          const deploy = await runAction(root, server, { ...azure, command: 'deploy', comment: 'false' }, 'deploy', {
            ...env,
            ...pushEvent(root)
          });
          expect(deploy.code).toBe(0);
          expect(deploy.summary).toContain('Deployed: 9 writes done, nothing left.');
          expect(storedAt(arm, scope, 'policyAssignments')).toHaveLength(1);
        } finally {
          await arm.close();
        }
      }
    );

    // As above: a build older than the subscription-id input's use skips this one.
    (builtWith('which is not a subscription id') ? it : it.skip)(
      'plans at the subscription of the subscription-id input when no scope is given',
      async () => {
        const arm = await startArmServer({ modules: [policyModule] });
        try {
          const plan = await runAction(
            root,
            server,
            {
              command: 'plan',
              'subscription-id': '00000000-0000-0000-0000-0000000000aa',
              'arm-endpoint': arm.url,
              comment: 'false'
            },
            'plan-subscription',
            { CMK_GUARD_AZURE_TOKEN: arm.token }
          );
          expect(plan.code).toBe(0);
          expect(plan.summary).toContain('### cmk-guard plan: subscription 00000000-0000-0000-0000-0000000000aa');
          expect(arm.requests.map(r => r.path)).toContain(
            '/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/policyDefinitions'
          );
        } finally {
          await arm.close();
        }
      }
    );

    // As above: a build older than AZURE_AUTHORITY_HOST skips this one.
    describe("signs in with GitHub OpenID Connect: the runner's ID token exchanged with Entra ID", () => {
      const tenantId = '72f988bf-0000-4000-8000-000000000001';
      const clientId = '0b1f0e6e-0000-4000-8000-000000000002';
      const accessToken = 'entra-access-token-e2e';
      const itBuilt = builtWith('AZURE_AUTHORITY_HOST') ? it : it.skip;
      let signIn: SignInServers;
      let arm: ArmServer;
      beforeEach(async () => {
        signIn = await startSignInServers({ tenantId, clientId, accessToken });
        arm = await startArmServer({ token: accessToken, modules: [policyModule] });
      });
      afterEach(async () => {
        await signIn.close();
        await arm.close();
      });
      const oidcEnv = () => ({
        ACTIONS_ID_TOKEN_REQUEST_URL: signIn.idTokenRequestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: signIn.idTokenRequestToken,
        AZURE_AUTHORITY_HOST: signIn.authorityHost,
        NODE_EXTRA_CA_CERTS: LOOPBACK_CERTIFICATE
      });
      const subscription = '00000000-0000-0000-0000-0000000000aa';
      /** `plan` at the subscription with OpenID Connect: `client` and `env` change what is given. */
      const planOidc = (name: string, client: string, env: NodeJS.ProcessEnv = {}) =>
        runAction(
          root,
          server,
          {
            command: 'plan',
            'subscription-id': subscription,
            'arm-endpoint': arm.url,
            'client-id': client,
            'tenant-id': tenantId,
            comment: 'false'
          },
          name,
          { ...oidcEnv(), ...env }
        );

      itBuilt("plans with the access token Entra ID gives for the runner's token, and prints neither", async () => {
        const plan = await planOidc('plan-oidc', clientId);
        expect(plan.stderr).toBe('');
        expect(plan.code).toBe(0);
        expect(plan.summary).toContain(`### cmk-guard plan: subscription ${subscription}`);
        // The runner's token, asked for with the job's request token, for the audience Entra ID federates.
        expect(signIn.idTokenRequests.length).toBeGreaterThan(0);
        for (const request of signIn.idTokenRequests) {
          expect(request.authorization).toBe(`Bearer ${signIn.idTokenRequestToken}`);
          expect(request.query).toEqual({ 'api-version': '2.0', audience: 'api://AzureADTokenExchange' });
        }
        // Exchanged at the tenant's token endpoint (found in its OpenID configuration), for Resource Manager.
        const exchanges = signIn.authorityRequests.filter(r => r.method === 'POST');
        expect(exchanges.map(r => r.path)).toEqual([`/${tenantId}/oauth2/v2.0/token`]);
        expect(exchanges[0].form).toMatchObject({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_assertion: signIn.idToken,
          scope: `${arm.url}/.default`
        });
        // Every request to Resource Manager carried that access token (the server refuses any other).
        expect(arm.requests.length).toBeGreaterThan(0);
        expect(arm.requests.filter(r => r.status === 401)).toEqual([]);
        // The runner's token is masked before anything else, and neither token is printed in the clear.
        expect(plan.stdout).toContain(`::add-mask::${signIn.idToken}`);
        const lines = plan.stdout.split('\n').filter(line => !line.startsWith('::add-mask::'));
        expect(lines.filter(line => line.includes(signIn.idToken) || line.includes(accessToken))).toEqual([]);
        expect(plan.summary).not.toContain(accessToken);
      });

      itBuilt('fails with what Entra ID said when the application has no federated credential', async () => {
        const plan = await planOidc('plan-oidc-refused', '11111111-0000-4000-8000-000000000003');
        expect(plan.code).not.toBe(0);
        expect(plan.stdout).toMatch(/::error[^\n]*AADSTS700016/);
        expect(arm.requests).toEqual([]);
        const lines = plan.stdout.split('\n').filter(line => !line.startsWith('::add-mask::'));
        expect(lines.filter(line => line.includes(signIn.idToken))).toEqual([]);
      });

      itBuilt(
        'refuses an authority that is not https, naming AZURE_AUTHORITY_HOST, before asking for a token',
        async () => {
          const plan = await planOidc('plan-oidc-http', clientId, {
            AZURE_AUTHORITY_HOST: signIn.authorityHost.replace('https:', 'http:')
          });
          expect(plan.code).not.toBe(0);
          expect(plan.stdout).toMatch(
            /::error[^\n]*AZURE_AUTHORITY_HOST is 'http:\/\/127\.0\.0\.1:\d+'; Entra ID is reached over https only/
          );
          expect(signIn.idTokenRequests).toEqual([]);
          expect(arm.requests).toEqual([]);
        }
      );
    });

    // A build older than where to connect being taken from the base skips these.
    (builtWith('named only by a configuration file') ? describe : describe.skip)(
      'on a pull request, its cmk-guard.yaml does not choose where plan connects, and deploy does not run',
      () => {
        const tenantId = '72f988bf-0000-4000-8000-000000000001';
        const clientId = '0b1f0e6e-0000-4000-8000-000000000002';
        const accessToken = 'entra-access-token-pr';
        const subscription = '00000000-0000-0000-0000-0000000000aa';
        let signIn: SignInServers;
        let arm: ArmServer;
        let elsewhere: ElsewhereServer;
        let gate: string;
        beforeEach(async () => {
          signIn = await startSignInServers({ tenantId, clientId, accessToken });
          gate = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-e2e-connect-'));
        });
        afterEach(async () => {
          await signIn.close();
          rmSync(gate, { recursive: true, force: true });
        });
        // Its ARM has the exemptions: with a configuration file, plan reads those its exceptions would be kept as.
        eachTestArmAndElsewhere(servers => ({ arm, elsewhere } = servers), { token: accessToken });

        /**
         * A workspace whose base commit has cmk-guard.yaml as `atBase` says and whose pull request changes it to
         * `changed`; the event file of that pull request.
         */
        const pullRequest = (atBase: string, changed: string) => configPullRequest(gate, atBase, changed);
        const oidc = () => ({
          ACTIONS_ID_TOKEN_REQUEST_URL: signIn.idTokenRequestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: signIn.idTokenRequestToken,
          AZURE_AUTHORITY_HOST: signIn.authorityHost,
          NODE_EXTRA_CA_CERTS: LOOPBACK_CERTIFICATE
        });
        const noRequestElsewhere = () => expect(elsewhere.requests).toEqual([]);

        it("plans where the base's file says, signed in as the workflow says, though the change names another endpoint and scope", async () => {
          const event = pullRequest(
            `azure:\n  arm-endpoint: ${arm.url}\n`,
            `azure:\n  arm-endpoint: ${elsewhere.url}\n  scope: /subscriptions/00000000-0000-0000-0000-0000000000bb\n`
          );
          const plan = await runAction(
            gate,
            server,
            {
              command: 'plan',
              'subscription-id': subscription,
              'client-id': clientId,
              'tenant-id': tenantId,
              comment: 'false'
            },
            'plan-pinned',
            { ...oidc(), ...event }
          );
          noRequestElsewhere();
          expect(plan.stderr).toBe('');
          expect(plan.code).toBe(0);
          // The base's endpoint, with a token Entra ID gave for it, at the subscription of the workflow's input.
          const exchanges = signIn.authorityRequests.filter(r => r.method === 'POST');
          expect(exchanges.map(r => r.form.scope)).toEqual([`${arm.url}/.default`]);
          expect(arm.requests.length).toBeGreaterThan(0);
          expect(arm.requests.map(r => r.path)).toContain(
            `/subscriptions/${subscription}/providers/Microsoft.Authorization/policyDefinitions`
          );
          expect(arm.requests.filter(r => JSON.stringify(r).includes('0000000000bb'))).toEqual([]);
          expect(plan.summary).toContain(`### cmk-guard plan: subscription ${subscription}`);
          // Said on the pull request as the gate's settings are, and marked in the plan's JSON.
          expect(plan.summary).toContain('#### Taken from the base');
          // A URL in text the pull request wrote is broken with a zero-width space, so GitHub does not link it.
          const unlinked = (url: string) => url.replace('://', '\u200b://');
          expect(plan.summary).toContain(
            `| \`cmk-guard.yaml\` | \\\`azure.arm-endpoint\\\` is "${unlinked(elsewhere.url)}" in this change and "${unlinked(arm.url)}" at the base: the base's applies until the change is merged. |`
          );
          const written = JSON.parse(readFileSync(plan.outputs['plan-file'], 'utf8')) as {
            skipped: { file: string; reason: string; atBase: true }[];
          };
          expect(written.skipped).toEqual([
            {
              file: 'cmk-guard.yaml',
              reason: `\`azure.arm-endpoint\` is "${elsewhere.url}" in this change and "${arm.url}" at the base: the base's applies until the change is merged.`,
              atBase: true
            },
            {
              file: 'cmk-guard.yaml',
              reason:
                '`azure.scope` is "/subscriptions/00000000-0000-0000-0000-0000000000bb" in this change and not set at the base: the base\'s applies until the change is merged.',
              atBase: true
            }
          ]);
        });

        // A build older than the file's azure.subscription-id being used skips this one.
        (builtWith('a subscription id, its GUID') ? it : it.skip)(
          "plans at the subscription of the base's azure.subscription-id when nothing names a scope, though the change names another",
          async () => {
            const event = pullRequest(
              `azure:\n  arm-endpoint: ${arm.url}\n  subscription-id: ${subscription}\n`,
              `azure:\n  arm-endpoint: ${arm.url}\n  subscription-id: 00000000-0000-0000-0000-0000000000bb\n`
            );
            const plan = await runAction(
              gate,
              server,
              { command: 'plan', 'client-id': clientId, 'tenant-id': tenantId, comment: 'false' },
              'plan-subscription-at-base',
              { ...oidc(), ...event }
            );
            expect(plan.stderr).toBe('');
            expect(plan.code).toBe(0);
            expect(plan.summary).toContain(`### cmk-guard plan: subscription ${subscription}`);
            expect(arm.requests.map(r => r.path)).toContain(
              `/subscriptions/${subscription}/providers/Microsoft.Authorization/policyDefinitions`
            );
            expect(arm.requests.filter(r => JSON.stringify(r).includes('0000000000bb'))).toEqual([]);
            expect(plan.summary).toContain(
              `| \`cmk-guard.yaml\` | \\\`azure.subscription-id\\\` is "00000000-0000-0000-0000-0000000000bb" in this change and "${subscription}" at the base: the base's applies until the change is merged. |`
            );
          }
        );

        it('sends the token of CMK_GUARD_AZURE_TOKEN only to the endpoint the workflow names', async () => {
          const event = pullRequest(
            `azure:\n  arm-endpoint: ${arm.url}\n`,
            `azure:\n  arm-endpoint: ${elsewhere.url}\n`
          );
          const inputs = { command: 'plan', 'subscription-id': subscription, comment: 'false' };
          const token = { CMK_GUARD_AZURE_TOKEN: accessToken };
          // Named by a configuration file only (the base's here, the change's is not read): refused, nothing sent.
          const refused = await runAction(gate, server, inputs, 'plan-static-refused', { ...token, ...event });
          expect(refused.code).toBe(1);
          expect(refused.stdout).toContain(
            `::error::cmk-guard sends the token in CMK_GUARD_AZURE_TOKEN on a pull request only to the Resource Manager the workflow names (the \`arm-endpoint\` input, or --arm-endpoint) or to a named cloud's, and ${arm.url} is named only by a configuration file`
          );
          expect(arm.requests).toEqual([]);
          noRequestElsewhere();
          // Named by the workflow: planned there.
          const named = await runAction(gate, server, { ...inputs, 'arm-endpoint': arm.url }, 'plan-static', {
            ...token,
            ...event
          });
          expect(named.code).toBe(0);
          expect(arm.requests.length).toBeGreaterThan(0);
          noRequestElsewhere();
        });

        it('refuses deploy on a pull request, before reaching Azure', async () => {
          const event = pullRequest(
            `azure:\n  arm-endpoint: ${arm.url}\n`,
            `azure:\n  arm-endpoint: ${arm.url}\n  prune: true\n`
          );
          const deploy = await runAction(
            gate,
            server,
            { command: 'deploy', 'subscription-id': subscription, 'arm-endpoint': arm.url, comment: 'false' },
            'deploy-on-pull-request',
            { CMK_GUARD_AZURE_TOKEN: accessToken, ...event }
          );
          expect(deploy.code).toBe(1);
          expect(deploy.outputs.result).toBe('fail');
          expect(deploy.stdout).toMatch(
            /^::error::the input `command` is 'deploy' on a pull request \(the event is pull_request\), which would publish rules and settings no one has merged/m
          );
          expect(arm.requests).toEqual([]);
          // pull_request_target too, whose workflow is the base's but whose checkout may be the pull request's.
          const target = await runAction(
            gate,
            server,
            { command: 'deploy', 'subscription-id': subscription, 'arm-endpoint': arm.url, comment: 'false' },
            'deploy-on-pull-request-target',
            { CMK_GUARD_AZURE_TOKEN: accessToken, ...event, GITHUB_EVENT_NAME: 'pull_request_target' }
          );
          expect(target.code).toBe(1);
          expect(target.stdout).toContain('(the event is pull_request_target)');
          expect(arm.requests).toEqual([]);
        });
      }
    );

    it('fails with the file and line of a template that cannot be read, after reporting it', async () => {
      const broken = path.join(root, 'workspace', 'templates', 'broken.json');
      writeFileSync(
        broken,
        '{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n  "resources": [ { "type": }\n}\n'
      );
      try {
        const run = await runAction(
          root,
          server,
          { templates: 'templates/broken.json', 'changed-files-only': 'false', comment: 'false' },
          'broken'
        );
        expect(run.code).toBe(1);
        expect(run.outputs.result).toBe('fail');
        expect(run.stdout).toMatch(/^::error file=templates\/broken\.json,line=\d+/m);
        expect(run.stdout).toMatch(/^::error::templates\/broken\.json:\d+/m);
        expect(run.summary).toContain('Inputs cmk-guard could not read');
        expect(existsSync(run.outputs['sarif-file'])).toBe(true);
      } finally {
        rmSync(broken);
      }
    });
    itWithLogText(
      'shows the control characters of a file name in the failure line and every log line, and starts no command with them',
      async () => {
        // An ANSI escape clears or colours the log, OSC 8 makes a link, a bell rings; a line break would start a command.
        const name = 'x\u001b[2J\u001b]8;;https:evil.example\u0007y';
        const broken = path.join(root, 'workspace', 'templates', `${name}.json`);
        writeFileSync(
          broken,
          '{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n  "resources": [ { "type": }\n}\n'
        );
        try {
          const run = await runAction(
            root,
            server,
            { templates: 'templates/*.json', 'changed-files-only': 'false', comment: 'false' },
            'control'
          );
          expect(run.outputs.result).toBe('fail');
          const failed = run.stdout.split('\n').filter(line => line.startsWith('::error::'));
          expect(failed).toEqual([
            expect.stringContaining('templates/x\\u{1B}[2J\\u{1B}]8;;https:evil.example\\u{7}y.json:3:') as string
          ]);
          // Outside the file property of an annotation (which names the file as it is), no control character reaches the log.
          const logged = run.stdout
            .split('\n')
            .map(line => line.replace(/^(::(?:error|warning|notice) file=)[^,]*/, '$1'))
            .join('\n');
          // Matching control characters is the point here.
          // eslint-disable-next-line no-control-regex
          expect(logged).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        } finally {
          rmSync(broken);
        }
      }
    );
    (builtWith('templateFileMatcher') ? it : it.skip)(
      'checks a template the pull request renamed to .JSON or .jsonc, or stripped of its $schema, with the default pattern',
      async () => {
        const templates = path.join(root, 'workspace', 'templates');
        const template = JSON.parse(readFileSync(path.join(templates, 'accounts.json'), 'utf8')) as Record<
          string,
          unknown
        >;
        const written = ['renamed.JSON', 'renamed.jsonc', 'no-schema.json'].map(name => path.join(templates, name));
        writeFileSync(written[0], JSON.stringify(template, null, 2));
        writeFileSync(written[1], `// comments, as VS Code writes them\n${JSON.stringify(template, null, 2)}`);
        delete template.$schema;
        writeFileSync(written[2], JSON.stringify(template, null, 2));
        try {
          const run = await runAction(root, server, { 'changed-files-only': 'false', comment: 'false' }, 'renamed');
          expect(run.outputs.result).toBe('fail');
          // Four templates of twelve accounts each (the runner shows ten annotations; the summary lists every finding).
          expect(run.stdout).toMatch(/^::error::cmk-guard found 48 noncompliant findings/m);
          for (const file of ['templates/no-schema.json', 'templates/renamed.JSON', 'templates/renamed.jsonc'])
            expect(run.summary).toContain(`[\`${file}:`);
          expect(run.summary).not.toContain('no-schema.json: not a deployment template');
        } finally {
          for (const file of written) rmSync(file);
        }
      }
    );
    it('reads cmk-guard.yaml: its exceptions accept findings, which are counted, listed and not failing', async () => {
      const config = path.join(root, 'workspace', 'cmk-guard.yaml');
      writeFileSync(
        config,
        [
          'fail-on: error',
          'exceptions:',
          '  - rule: foundry-tools-cmk',
          '    resources: [{ file: templates/** }]',
          '    reason: The accounts move to the platform vault next sprint.',
          '    owner: team-ai',
          ''
        ].join('\n')
      );
      try {
        const run = await runAction(root, server, { 'changed-files-only': 'false', comment: 'false' }, 'config');
        expect(run.stdout).toContain('Configuration: cmk-guard.yaml');
        expect(Number(run.outputs.suppressed)).toBeGreaterThanOrEqual(12);
        expect(
          run.stdout.split('\n').filter(line => line.includes('foundry-tools-cmk') && line.startsWith('::error file='))
        ).toEqual([]);
        expect(run.summary).toContain('Accepted by exceptions (');
        expect(run.summary).toContain(
          'waiver by exception (cmk-guard.yaml:3), owner team-ai: The accounts move to the platform vault next sprint.'
        );
        const sarif = JSON.parse(readFileSync(run.outputs['sarif-file'], 'utf8')) as {
          runs: { results: { ruleId: string; suppressions?: { kind: string }[] }[] }[];
        };
        const cmk = sarif.runs[0].results.filter(r => r.ruleId === 'foundry-tools-cmk');
        expect(cmk.length).toBeGreaterThanOrEqual(12);
        expect(cmk.every(r => r.suppressions?.[0].kind === 'external')).toBe(true);
        // With the input given, the file's exceptions still apply but its threshold does not.
        const never = await runAction(
          root,
          server,
          { 'changed-files-only': 'false', comment: 'false', 'fail-on': 'never' },
          'config-never'
        );
        expect(never.outputs.result).toBe('pass');
      } finally {
        rmSync(config);
      }
    });
    itWithBaseSection(
      "on a pull request, the base's cmk-guard.yaml decides whether it fails: the pull request's `skip-rules` waits for the merge, and the summary and the comment say so",
      async () => {
        const gate = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-e2e-gate-'));
        try {
          const loosened = 'templates: ["templates/*.json"]\nskip-rules: [foundry-tools-cmk]\nfail-on: never\n';
          const event = configPullRequest(gate, 'templates: ["templates/*.json"]\n', loosened);
          const run = await runAction(gate, server, { 'changed-files-only': 'false' }, 'gate', event);
          expect(run.outputs.result).toBe('fail');
          expect(run.code).toBe(1);
          expect(run.stdout).toMatch(/^::error file=templates\/accounts\.json,line=\d+.*customer-managed key::/m);
          // Listed with what the run passed over, in the summary's Markdown (the backticks escaped).
          const row =
            '| `cmk-guard.yaml` | \\`skip-rules\\` is \\["foundry-tools-cmk"\\] in this change and not set at the base: the base\'s applies until the change is merged. |';
          expect(run.summary).toContain(`### Taken from the base`);
          expect(run.summary).toContain(row);
          // The sticky comment (the one this describe's runs share) now holds this run's, with the same row.
          expect(server.comments).toHaveLength(1);
          expect(server.comments[0].body).toContain('#### Taken from the base');
          expect(server.comments[0].body).toContain(row);
          // And the findings JSON marks it.
          const findings = JSON.parse(readFileSync(run.outputs['findings-file'], 'utf8')) as FindingsDocument;
          expect(findings.skipped).toContainEqual({
            file: 'cmk-guard.yaml',
            reason: expect.stringMatching(/^`skip-rules` is/) as string,
            atBase: true
          });
        } finally {
          rmSync(gate, { recursive: true, force: true });
        }
      }
    );
  }
);

// The committed dist/ is rebuilt when a change lands: until then it may predate the Azure inputs.
const builtWithAzure = builtWith('trigger-scan');
if (built && !builtWithAzure) {
  console.warn(`Skipping the action's live-scope tests: ${entry} predates them. Rebuild it with \`npm run bundle\`.`);
}

(builtWithAzure ? describe : describe.skip)('the action against a live Azure scope (loopback Resource Manager)', () => {
  let root: string;
  let github: GitHubServer;
  let arm: ArmServer;
  const MG = '/providers/Microsoft.Management/managementGroups/contoso';
  const env = () => ({ CMK_GUARD_AZURE_TOKEN: arm.token, CMK_GUARD_AZURE_RETRY_DELAY_MS: '1' });

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-e2e-azure-'));
    cpSync(path.resolve('__tests__/fixtures/action/workspace'), path.join(root, 'workspace'), { recursive: true });
    github = await startGitHubServer({ pullFiles: { 2: [] } });
    arm = await startArmServer({
      modules: [policyModule, resourceGraphModule, policyInsightsModule, exemptionsModule]
    });
    seedManagementGroup(arm, 'contoso', { subscriptions: SUBSCRIPTIONS });
    exemptionState(arm).groups.set('contoso', { subscriptions: new Set(SUBSCRIPTIONS.map(s => s.toLowerCase())) });
    seedResources(arm, generateEstate({ count: 60, uncovered: 10 }));
    const insights = policyInsightsState(arm);
    insights.groups.set('contoso', new Set(SUBSCRIPTIONS));
    insights.records.push(
      policyStateRecord({
        resourceId: `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/openai-1`,
        resourceType: 'Microsoft.CognitiveServices/accounts',
        complianceState: 'NonCompliant',
        policyAssignmentId: `${MG}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-t`,
        policySetDefinitionId: `${MG}/providers/Microsoft.Authorization/policySetDefinitions/cmk-guard-foundry-tools`,
        policyDefinitionReferenceId: 'foundry-tools-cmk'
      })
    );
  });
  afterAll(async () => {
    await github.close();
    await arm.close();
    rmSync(root, { recursive: true, force: true });
  });

  // A build older than compliance and a live evaluate taking their scope as plan does skips these.
  (builtWith('the input `live` is true') ? describe : describe.skip)(
    'without the `scope` input, compliance and evaluate with `live` act where plan would',
    () => {
      const [ONE, TWO] = SUBSCRIPTIONS;
      const statesAt = (scope: string) =>
        `${scope}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults`;
      /** What the run asked of Azure: its Policy Insights queries, and the scopes of its Resource Graph queries. */
      const asked = (from: number) => ({
        states: arm.requests
          .slice(from)
          .filter(r => /queryResults$/i.test(r.path))
          .map(r => r.path),
        graph: [
          ...new Set(
            arm.requests
              .slice(from)
              .filter(r => /Microsoft\.ResourceGraph\/resources$/i.test(r.path))
              .map(r => {
                const body = r.body as { subscriptions?: string[]; managementGroups?: string[] };
                return [...(body.subscriptions ?? []), ...(body.managementGroups ?? [])].join(',');
              })
          )
        ]
      });
      let gate: string;
      beforeEach(() => {
        gate = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-e2e-scope-'));
      });
      afterEach(() => rmSync(gate, { recursive: true, force: true }));
      const pullRequest = (atBase: string, changed: string) => configPullRequest(gate, atBase, changed);

      it('compliance reads the states at the subscription of the `subscription-id` input', async () => {
        const from = arm.requests.length;
        const run = await runAction(
          root,
          github,
          { command: 'compliance', 'subscription-id': ONE, 'arm-endpoint': arm.url, comment: 'false' },
          'compliance-subscription',
          env()
        );
        expect(run.stdout).not.toContain('needs the input `scope`');
        expect(run.outputs.result).toBe('pass');
        expect(asked(from).states).toEqual([statesAt(`/subscriptions/${ONE}`)]);
      });

      it("compliance on a pull request reads at the base's azure.subscription-id, not the change's, and says so", async () => {
        const event = pullRequest(`azure:\n  subscription-id: ${ONE}\n`, `azure:\n  subscription-id: ${TWO}\n`);
        const from = arm.requests.length;
        const run = await runAction(
          gate,
          github,
          { command: 'compliance', 'arm-endpoint': arm.url, comment: 'false' },
          'compliance-at-base',
          { ...env(), ...event }
        );
        expect(run.outputs.result).toBe('pass');
        expect(asked(from).states).toEqual([statesAt(`/subscriptions/${ONE}`)]);
        const findings = JSON.parse(readFileSync(run.outputs['findings-file'], 'utf8')) as FindingsDocument;
        expect(findings.skipped).toContainEqual({
          file: 'cmk-guard.yaml',
          reason: expect.stringMatching(/^`azure\.subscription-id` is/) as string,
          atBase: true
        });
      });

      it("evaluate with `live` reads the live resources of cmk-guard.yaml's azure.subscription-id, not the templates", async () => {
        const file = `azure:\n  subscription-id: ${ONE}\n`;
        const event = pullRequest(file, file);
        const from = arm.requests.length;
        const run = await runAction(
          gate,
          github,
          { live: 'true', 'arm-endpoint': arm.url, comment: 'false', 'fail-on': 'never' },
          'live-subscription',
          { ...env(), ...event }
        );
        expect(run.code).toBe(0);
        expect(asked(from).graph).toEqual([ONE]);
        expect(run.stdout).not.toMatch(/^::error file=/m);
        const findings = JSON.parse(readFileSync(run.outputs['findings-file'], 'utf8')) as FindingsDocument;
        expect(findings.findings.length).toBeGreaterThan(0);
        expect(findings.findings.every(f => f.resource.id.startsWith(`/subscriptions/${ONE}/`))).toBe(true);
      });

      it('evaluate with `live` and nothing that names a scope fails, saying every way to give one', async () => {
        const from = arm.requests.length;
        const run = await runAction(
          root,
          github,
          { live: 'true', 'arm-endpoint': arm.url, comment: 'false' },
          'live-nothing',
          env()
        );
        expect(run.code).toBe(1);
        expect(run.stdout).toContain(
          'the input `live` is true, which needs the input `scope` (or `subscription-id`, for that subscription), or `azure.scope` or `azure.subscription-id` in cmk-guard.yaml.'
        );
        expect(arm.requests.length).toBe(from);
      });
    }
  );

  it('evaluates the live resources of a scope (and not the templates) and reports them by resource id', async () => {
    const run = await runAction(root, github, { scope: MG, 'arm-endpoint': arm.url }, 'live', env());
    expect(run.stdout).toContain(`::add-mask::${arm.token}`);
    expect(run.stdout).toMatch(/Read 60 resources\./);
    expect(run.outputs.result).toBe('fail');
    expect(Number(run.outputs.noncompliant)).toBeGreaterThan(0);
    // No template was read: every finding is a live resource, named by id in the summary.
    expect(run.stdout).not.toMatch(/^::error file=/m);
    expect(run.summary).toMatch(/`\/subscriptions\/11111111-1111-1111-1111-111111111111\/resourceGroups\/rg-/);
    const findings = JSON.parse(readFileSync(run.outputs['findings-file'], 'utf8')) as {
      findings: { resource: { file: string | null } }[];
    };
    expect(findings.findings.every(f => f.resource.file === null)).toBe(true);
    const sarif = JSON.parse(readFileSync(run.outputs['sarif-file'], 'utf8')) as unknown;
    expect(sarifValidator()(sarif)).toBe(true);
  });

  // A build older than the run's time limit skips this one.
  (builtWith('cmkGuardRunDeadline') ? it : it.skip)(
    'stops at `run-timeout` when Resource Graph never answers, fails the step saying what it was doing, and still reports',
    async () => {
      arm.scriptFaults([{ method: 'POST', path: /Microsoft\.ResourceGraph/i, action: { kind: 'hang' } }]);
      try {
        const start = Date.now();
        const run = await runAction(
          root,
          github,
          { scope: MG, 'arm-endpoint': arm.url, 'run-timeout': '3' },
          'live-timeout',
          {
            ...env(),
            // Each request may take two minutes: what ends the run is the limit.
            CMK_GUARD_AZURE_TIMEOUT_MS: '120000'
          }
        );
        expect(Date.now() - start).toBeLessThan(30_000);
        expect(run.code).toBe(1);
        expect(run.outputs.result).toBe('fail');
        expect(run.stdout).toContain(
          "cmk-guard stopped while reading the resources of management group contoso from Resource Graph: the run's time limit (`run-timeout` 3 s) passed."
        );
        // The reports are written all the same.
        expect(existsSync(run.outputs['findings-file'])).toBe(true);
        expect(sarifValidator()(JSON.parse(readFileSync(run.outputs['sarif-file'], 'utf8')) as unknown)).toBe(true);
      } finally {
        arm.scriptFaults();
      }
    }
  );

  it('reports Azure Policy’s compliance states for the initiative, with the comment and summary', async () => {
    const run = await runAction(
      root,
      github,
      { command: 'compliance', scope: MG, 'arm-endpoint': arm.url },
      'compliance',
      env()
    );
    expect(run.outputs.noncompliant).toBe('1');
    expect(run.outputs.result).toBe('fail');
    expect(run.summary).toContain('openai-1');
    expect(github.comments.at(-1)?.body).toContain('Azure Policy reports this resource noncompliant');
    expect(run.stdout.replace(`::add-mask::${arm.token}`, '')).not.toContain(arm.token);
  });

  it("on a pull request, compliance fails as the base's cmk-guard.yaml says: the pull request's `fail-on: never` waits for the merge", async () => {
    const gate = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-e2e-compliance-gate-'));
    try {
      const event = configPullRequest(
        gate,
        'templates: ["templates/*.json"]\n',
        'templates: ["templates/*.json"]\nfail-on: never\n'
      );
      const run = await runAction(
        gate,
        github,
        { command: 'compliance', scope: MG, 'arm-endpoint': arm.url, comment: 'false' },
        'compliance-gate',
        { ...env(), ...event }
      );
      expect(run.outputs.noncompliant).toBe('1');
      expect(run.outputs.result).toBe('fail');
      expect(run.code).toBe(1);
      expect(run.summary).toContain('### Taken from the base');
      const findings = JSON.parse(readFileSync(run.outputs['findings-file'], 'utf8')) as FindingsDocument;
      expect(findings.skipped).toContainEqual({
        file: 'cmk-guard.yaml',
        reason: expect.stringMatching(/^`fail-on` is/) as string,
        atBase: true
      });
    } finally {
      rmSync(gate, { recursive: true, force: true });
    }
  });

  // A build older than deploy's exemptions skips this one (landing rebuilds dist/ after the tests).
  const builtWithExemptions = builtWithAzure && builtWith('a resource in Azure has no template file');
  (builtWithExemptions ? it : it.skip)(
    'deploys cmk-guard.yaml’s exceptions as exemptions for the assignment, and a second deploy writes nothing',
    async () => {
      const config = path.join(root, 'workspace', 'cmk-guard.yaml');
      const account = `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/openai-1`;
      // Azure holds the account (Resource Graph lists it): an exemption on a resource that is gone is not written.
      seedResources(arm, [
        {
          id: account,
          name: 'openai-1',
          type: 'Microsoft.CognitiveServices/accounts',
          kind: 'OpenAI',
          location: 'westeurope',
          properties: {}
        }
      ]);
      writeFileSync(
        config,
        [
          'exceptions:',
          '  - rule: foundry-tools-cmk',
          '    resources:',
          `      - id: ${account}`,
          '    reason: Moves to the platform vault next quarter.',
          '    expires: 2027-03-31',
          '  - rule: foundry-tools-cmk',
          '    resources:',
          '      - file: templates/accounts.json',
          '    reason: Reviewed in the pull request.',
          // The effect pull requests are checked with is the one the assignment gets.
          'overrides:',
          '  foundry-tools-cmk:',
          '    effect: Deny'
        ].join('\n') + '\n'
      );
      try {
        const inputs = { command: 'deploy', scope: MG, 'arm-endpoint': arm.url, comment: 'false' };
        const first = await runAction(root, github, inputs, 'deploy-exemptions', { ...env(), ...pushEvent(root) });
        expect(first.outputs.result).toBe('pass');
        expect(first.code).toBe(0);
        expect(first.summary).toContain('Deployed: 10 writes done, nothing left.');
        // The selector by file is a pull request's: the plan says so instead of writing it.
        expect(first.stdout).toContain(
          'cmk-guard.yaml:7: a selector with `file` applies in pull requests only (a resource in Azure has no template file)'
        );
        const stored = [...exemptionState(arm).exemptions.values()];
        expect(stored.map(e => e.id.split('/providers/Microsoft.Authorization/policyExemptions/')[0])).toEqual([
          account
        ]);
        expect(stored[0].body.properties).toMatchObject({
          policyAssignmentId: `${MG}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-tools`,
          policyDefinitionReferenceIds: ['foundry-tools-cmk'],
          exemptionCategory: 'Waiver',
          expiresOn: '2027-04-01T00:00:00.000Z',
          description: 'Moves to the platform vault next quarter.',
          metadata: { cmkGuard: { owner: 'github.com/Codertocat/Hello-World', source: 'cmk-guard.yaml:2' } }
        });
        const [assignment] = storedAt(arm, MG, 'policyAssignments');
        expect(assignment.body.properties.parameters).toEqual({ foundryToolsCmkEffect: { value: 'Deny' } });
        const writes = arm.writeRequests();
        const again = await runAction(root, github, inputs, 'deploy-exemptions-again', {
          ...env(),
          ...pushEvent(root)
        });
        expect(again.outputs.result).toBe('pass');
        expect(arm.writeRequests()).toBe(writes);
      } finally {
        rmSync(config);
      }
    }
  );
});
