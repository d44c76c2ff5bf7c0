/**
 * Evaluation by file: the engine runs every definition on one file's resources at a time, within a
 * time bound per file (CMK_GUARD_MAX_EVALUATION_SECONDS). A file that reaches it is that file's
 * error and the other files are still evaluated; all definitions run together on a file, so Append
 * and Modify still change the request Deny and Audit see, as in Azure. The clock is injected:
 * nothing here depends on how fast the machine is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS, EvaluationDeadline, LIMIT_VARIABLES, RunLimitError } from '../../src/model/limits.js';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const PURGE_DEFINITION = path.join(
  bundledPolicies(),
  'compiled',
  'policyDefinitions',
  'key-vault-purge-protection.json'
);
const VARIABLE = LIMIT_VARIABLES.evaluationSecondsPerFile;

let dir: string;
const saved = process.env[VARIABLE];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-evaluation-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = saved;
});

const vault = (name: string) => ({
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name,
  location: 'westus',
  properties: {}
});

function writeTemplate(file: string, resources: object[]): void {
  writeFileSync(path.join(dir, file), JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources }));
}

/** A clock that moves one second each time it is read: a file's evaluation takes as many seconds as its steps. */
function steppingClock(): () => number {
  let now = 0;
  return () => (now += 1000);
}

describe('the time bound on evaluating one file', () => {
  it('has a documented default of 60 seconds and its own variable', () => {
    expect(DEFAULT_LIMITS.evaluationSecondsPerFile).toBe(60);
    expect(VARIABLE).toBe('CMK_GUARD_MAX_EVALUATION_SECONDS');
  });

  it('a file that takes longer is that file’s error, without its findings; the other files are still evaluated', async () => {
    process.env[VARIABLE] = '5';
    writeTemplate(
      'big.json',
      Array.from({ length: 10 }, (_, i) => vault(`big${i}`))
    );
    writeTemplate('small.json', [vault('small')]);
    const document = await evaluateRepository({
      cwd: dir,
      templates: ['big.json', 'small.json'],
      definitions: [PURGE_DEFINITION],
      clock: steppingClock()
    });
    expect(document.errors).toEqual([
      {
        file: 'big.json',
        line: null,
        column: null,
        message:
          'evaluating the resources of this file took more than 5 seconds (CMK_GUARD_MAX_EVALUATION_SECONDS); its findings are not reported. Split the file, run fewer rules on it, or raise the limit.'
      }
    ]);
    expect(document.findings.map(f => [f.resource.file, f.resource.name, f.verdict])).toEqual([
      ['small.json', 'small', 'noncompliant']
    ]);
  });

  it('raising the variable lets the same file through', async () => {
    process.env[VARIABLE] = '1000';
    writeTemplate(
      'big.json',
      Array.from({ length: 10 }, (_, i) => vault(`big${i}`))
    );
    const document = await evaluateRepository({
      cwd: dir,
      templates: ['big.json'],
      definitions: [PURGE_DEFINITION],
      clock: steppingClock()
    });
    expect(document.errors ?? []).toEqual([]);
    expect(document.summary.noncompliant).toBe(10);
  });

  it('with no seconds at all, every file stops with its own error (the real clock)', async () => {
    process.env[VARIABLE] = '0';
    writeTemplate('a.json', [vault('a')]);
    writeTemplate('b.json', [vault('b')]);
    const document = await evaluateRepository({
      cwd: dir,
      templates: ['a.json', 'b.json'],
      definitions: [PURGE_DEFINITION]
    });
    expect(document.errors?.map(e => [e.file, e.message.slice(0, 60)])).toEqual([
      ['a.json', 'evaluating the resources of this file took more than 0 secon'],
      ['b.json', 'evaluating the resources of this file took more than 0 secon']
    ]);
    expect(document.findings).toEqual([]);
  });

  it('the deadline is read before each resource and each definition on it', () => {
    let now = 0;
    const deadline = new EvaluationDeadline('main.json', () => now);
    now = DEFAULT_LIMITS.evaluationSecondsPerFile * 1000 - 1;
    expect(() => deadline.check()).not.toThrow();
    now += 1;
    expect(() => deadline.check()).toThrow(expect.objectContaining({ location: { file: 'main.json' } }));
  });
});

describe('every definition runs together on a file, in Azure’s order', () => {
  const ACCOUNTS = 'Microsoft.CognitiveServices/accounts';
  const openToPublic = {
    allOf: [
      { field: 'type', equals: ACCOUNTS },
      { field: 'Microsoft.CognitiveServices/accounts/publicNetworkAccess', notEquals: 'Disabled' }
    ]
  };
  const definition = (name: string, then: object) => ({
    name,
    properties: { displayName: name, mode: 'Indexed', policyRule: { if: openToPublic, then } }
  });

  it('a Modify definition changes the request a Deny definition from another file sees', async () => {
    writeFileSync(
      path.join(dir, 'modify.json'),
      JSON.stringify(
        definition('disable-public', {
          effect: 'modify',
          details: {
            roleDefinitionIds: [
              '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c'
            ],
            operations: [
              {
                operation: 'addOrReplace',
                field: 'Microsoft.CognitiveServices/accounts/publicNetworkAccess',
                value: 'Disabled'
              }
            ]
          }
        })
      )
    );
    writeFileSync(path.join(dir, 'deny.json'), JSON.stringify(definition('public-deny', { effect: 'deny' })));
    writeTemplate('main.json', [
      {
        type: ACCOUNTS,
        apiVersion: '2024-10-01',
        name: 'open',
        location: 'eastus2',
        kind: 'AIServices',
        sku: { name: 'S0' },
        properties: { publicNetworkAccess: 'Enabled' }
      }
    ]);
    const run = (definitions: string[]) => evaluateRepository({ cwd: dir, templates: ['main.json'], definitions });
    const verdict = (document: Awaited<ReturnType<typeof run>>) =>
      document.findings.find(f => f.definition === 'public-deny')?.verdict;
    expect(verdict(await run(['modify.json', 'deny.json']))).toBe('compliant');
    expect(verdict(await run(['deny.json']))).toBe('noncompliant');
  });
});

describe('the time bound on a whole run', () => {
  const RUN = LIMIT_VARIABLES.runSeconds;
  const savedRun = process.env[RUN];
  afterEach(() => {
    if (savedRun === undefined) delete process.env[RUN];
    else process.env[RUN] = savedRun;
  });
  const message =
    'the run took more than 20 seconds reading and evaluating its inputs (CMK_GUARD_MAX_RUN_SECONDS); no report is written. Evaluate fewer inputs at a time (split the templates or snapshots across runs) or raise the limit.';

  it('has a documented default of an hour and its own variable', () => {
    expect(DEFAULT_LIMITS.runSeconds).toBe(3600);
    expect(RUN).toBe('CMK_GUARD_MAX_RUN_SECONDS');
  });

  it('ends a run of many templates with its own error, where each template alone is well within its bound', async () => {
    process.env[RUN] = '20';
    const templates = Array.from({ length: 30 }, (_, i) => `t${i}.json`);
    for (const file of templates) writeTemplate(file, [vault(file.replace('.json', ''))]);
    const request = { cwd: dir, definitions: [PURGE_DEFINITION], clock: steppingClock() };
    await expect(evaluateRepository({ ...request, templates })).rejects.toThrow(new RunLimitError(20));
    await expect(evaluateRepository({ ...request, templates })).rejects.toThrow(message);
    // One template is within the run's bound, and within its own.
    const one = await evaluateRepository({ ...request, clock: steppingClock(), templates: ['t0.json'] });
    expect(one.errors).toEqual([]);
    expect(one.findings).toHaveLength(1);
  });

  it('ends a run in the middle of a snapshot, as no error of the snapshot', async () => {
    process.env[RUN] = '20';
    const resources = Array.from({ length: 3000 }, (_, i) => ({
      ...vault(`kv${i}`),
      id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv${i}`
    }));
    writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify(resources));
    const run = evaluateRepository({
      cwd: dir,
      resources: ['snapshot.json'],
      definitions: [PURGE_DEFINITION],
      clock: steppingClock()
    });
    await expect(run).rejects.toThrow(message);
  });
});
