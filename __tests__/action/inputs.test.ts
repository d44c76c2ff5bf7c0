import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { readRunContext } from '../../src/action/context.js';
import { readInputs } from '../../src/action/inputs.js';
import { isUserError } from '../../src/model/errors.js';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
}
const action = loadYaml(readFileSync('action.yml', 'utf8')) as ActionYml;

/** Inputs as the runner gives them: action.yml's defaults, overridden by the workflow's `with:`. */
function reader(withInputs: Record<string, string> = {}) {
  const asked: string[] = [];
  const read = (name: string) => {
    asked.push(name);
    return withInputs[name] ?? action.inputs[name]?.default ?? '';
  };
  return { read, asked };
}

describe('action.yml', () => {
  it('runs dist/index.js on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the action reads, each with a description', () => {
    const { read, asked } = reader();
    readInputs(read);
    expect(Object.keys(action.inputs).sort()).toEqual([...new Set(asked)].sort());
    for (const [name, input] of Object.entries(action.inputs))
      expect([name, input.description.length > 20]).toEqual([name, true]);
  });

  it('has the inputs and outputs the README promises', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(
      [
        'command',
        'config',
        'policies',
        'definitions',
        'templates',
        'parameters',
        'resource-group-location',
        'deployment-location',
        'resource-group',
        'deployment-subscription-id',
        'resources',
        'base',
        'changed-files-only',
        'fail-on',
        'fail-on-indeterminate',
        'rules',
        'skip-rules',
        'min-severity',
        'baseline',
        'sarif-file',
        'findings-file',
        'summary',
        'comment',
        'github-token',
        'scope',
        'live',
        'assignment-scope',
        'trigger-scan',
        'scan-timeout',
        'run-timeout',
        'client-id',
        'tenant-id',
        'subscription-id',
        'cloud',
        'arm-endpoint',
        'owner',
        'prune',
        'enforcement-mode',
        'effects',
        'location'
      ].sort()
    );
    expect(Object.keys(action.outputs).sort()).toEqual([
      'baselined',
      'compliant',
      'findings-file',
      'indeterminate',
      'noncompliant',
      'plan-file',
      'result',
      'sarif-file',
      'suppressed'
    ]);
    expect(action.inputs['github-token'].default).toBe('${{ github.token }}');
  });
});

describe('readInputs', () => {
  it('gives a newcomer working defaults', () => {
    expect(readInputs(reader().read)).toEqual({
      command: 'evaluate',
      config: undefined,
      policies: undefined,
      definitions: [],
      templates: [],
      parameterFiles: [],
      parameterOverrides: {},
      resources: [],
      base: undefined,
      changedFilesOnly: 'auto',
      failOn: undefined,
      failOnIndeterminate: undefined,
      selection: {
        rules: [],
        skipRules: [],
        spelling: {
          rules: 'the `rules` input',
          skipRules: 'the `skip-rules` input',
          minSeverity: 'the `min-severity` input'
        }
      },
      baseline: undefined,
      sarifFile: undefined,
      findingsFile: undefined,
      summary: true,
      comment: true,
      githubToken: '${{ github.token }}',
      live: false,
      azure: {
        scope: undefined,
        clientId: undefined,
        tenantId: undefined,
        subscriptionId: undefined,
        cloud: undefined,
        armEndpoint: undefined,
        owner: undefined,
        prune: undefined,
        enforcementMode: undefined,
        location: undefined,
        triggerScan: false,
        scanTimeoutMs: 3600000,
        runTimeoutMs: undefined
      }
    });
  });

  it('reads lists one per line, skipping blanks and comments, and splits parameter files from overrides', () => {
    const inputs = readInputs(
      reader({
        templates: 'infra/**/*.json\n\n# not this\n  examples/{a,b}.json  ',
        parameters: 'infra/main.parameters.json\nkeySource=Microsoft.KeyVault\nreplicas=3\nflags=["a"]',
        'changed-files-only': 'false',
        'fail-on': 'Warning',
        policies: 'none'
      }).read
    );
    expect(inputs.templates).toEqual(['infra/**/*.json', 'examples/{a,b}.json']);
    expect(inputs.parameterFiles).toEqual(['infra/main.parameters.json']);
    expect(inputs.parameterOverrides).toEqual({ keySource: 'Microsoft.KeyVault', replicas: 3, flags: ['a'] });
    expect(inputs.changedFilesOnly).toBe(false);
    expect(inputs.failOn).toBe('warning');
    expect(inputs.policies).toBeNull();
  });

  it('reads the rule selection and fail-on-indeterminate', () => {
    const inputs = readInputs(
      reader({
        rules: 'key-vault-*, foundry-tools-cmk\n# a comment\nai-hub-cmk',
        'skip-rules': 'key-vault-soft-delete',
        'min-severity': 'Warning',
        'fail-on-indeterminate': 'true'
      }).read
    );
    expect(inputs.selection).toMatchObject({
      rules: ['key-vault-*, foundry-tools-cmk', 'ai-hub-cmk'],
      skipRules: ['key-vault-soft-delete'],
      minSeverity: 'warning'
    });
    expect(inputs.failOnIndeterminate).toBe(true);
  });

  it.each([
    ['fail-on', 'critical', "the input `fail-on` is 'critical'; use one of error, warning, note, never."],
    ['summary', 'maybe', "the input `summary` is 'maybe'; use true or false."],
    ['min-severity', 'high', "the input `min-severity` is 'high'; use one of error, warning, note."],
    ['fail-on-indeterminate', 'sure', "the input `fail-on-indeterminate` is 'sure'; use true or false."],
    ['command', 'destroy', "the input `command` is 'destroy'; use one of evaluate, compliance, compile, plan, deploy."],
    ['enforcement-mode', 'Audit', "the input `enforcement-mode` is 'Audit'; use one of Default, DoNotEnforce."],
    ['scan-timeout', '30m', "the input `scan-timeout` is '30m'; give a whole number of seconds, such as 1800."],
    ['run-timeout', '0', "the input `run-timeout` is '0'; give a whole number of seconds, such as 1800."]
  ])('refuses %s: %s with a sentence saying what to use', (name, value, message) => {
    let thrown: unknown;
    try {
      readInputs(reader({ [name]: value }).read);
    } catch (error) {
      thrown = error;
    }
    expect(isUserError(thrown) && thrown.message).toBe(message);
  });

  it('reads what compliance and a live scope need', () => {
    const inputs = readInputs(
      reader({
        command: 'Compliance',
        scope: '/providers/Microsoft.Management/managementGroups/contoso',
        'assignment-scope': '/subscriptions/11111111-1111-1111-1111-111111111111',
        'trigger-scan': 'true',
        'scan-timeout': '900',
        'run-timeout': '1200',
        'arm-endpoint': 'https://management.local.azurestack.external'
      }).read
    );
    expect(inputs.command).toBe('compliance');
    expect(inputs.azure).toMatchObject({
      scope: '/providers/Microsoft.Management/managementGroups/contoso',
      assignmentScope: '/subscriptions/11111111-1111-1111-1111-111111111111',
      triggerScan: true,
      scanTimeoutMs: 900_000,
      runTimeoutMs: 1_200_000,
      armEndpoint: 'https://management.local.azurestack.external'
    });
  });
});

describe('readRunContext', () => {
  const payload = JSON.parse(readFileSync('__tests__/fixtures/action/pull_request.synchronize.json', 'utf8')) as Record<
    string,
    unknown
  >;

  it('takes the pull request, its head commit for links and its base commit from a real payload', () => {
    const context = readRunContext(
      {
        GITHUB_WORKSPACE: '/w',
        GITHUB_REPOSITORY: 'Codertocat/Hello-World',
        GITHUB_SHA: 'merge0000',
        GITHUB_RUN_ID: '42',
        GITHUB_SERVER_URL: 'https://github.example.com/',
        GITHUB_STEP_SUMMARY: '/tmp/summary.md'
      },
      payload,
      '/cwd'
    );
    expect(context).toMatchObject({
      workspace: '/w',
      serverUrl: 'https://github.example.com',
      repository: 'Codertocat/Hello-World',
      sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      pullRequest: {
        number: 2,
        headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
        fromFork: false
      },
      runUrl: 'https://github.example.com/Codertocat/Hello-World/actions/runs/42',
      summaryFile: '/tmp/summary.md',
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e'
    });
  });

  // https://docs.github.com/webhooks/webhook-events-and-payloads#push: `before` is all zeros when the push creates the branch.
  it('on a push, compares with the commit the branch pointed at before, unless the push created the branch', () => {
    const before = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
    expect(readRunContext({ GITHUB_SHA: 'abc' }, { before, after: 'abc' }, '/cwd').baseSha).toBe(before);
    expect(readRunContext({}, { before: '0000000000000000000000000000000000000000' }, '/cwd').baseSha).toBeUndefined();
    expect(readRunContext({}, { before: '--upload-pack=x' }, '/cwd').baseSha).toBeUndefined();
  });

  it('outside a pull request uses GITHUB_SHA and the working directory', () => {
    const context = readRunContext({ GITHUB_SHA: 'abc' }, {}, '/cwd');
    expect(context).toMatchObject({ workspace: '/cwd', sha: 'abc', serverUrl: 'https://github.com' });
    expect(context.pullRequest).toBeUndefined();
  });

  it('recognises a pull request from a fork', () => {
    const fork = structuredClone(payload) as { pull_request: { head: { repo: { full_name: string } } } };
    fork.pull_request.head.repo.full_name = 'someone/Hello-World';
    expect(readRunContext({}, fork as unknown as Record<string, unknown>, '/').pullRequest?.fromFork).toBe(true);
  });
});
