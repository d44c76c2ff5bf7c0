import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { applyBaseline, readBaseline } from '../../src/exceptions/baseline.js';
import type { Finding, FindingsDocument } from '../../src/model/finding.js';
import { FINGERPRINT_KEY, fingerprint } from '../../src/model/fingerprint.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { sarifValidator } from '../support/sarif.js';

/** A repository with two accounts that have no customer-managed key: the findings a team adopts the gate with. */
function repository(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-baseline-'));
  mkdirSync(path.join(dir, 'infra'));
  cpSync('examples/foundry-tools-cmk/noncompliant.json', path.join(dir, 'infra/main.json'));
  return dir;
}

function cli(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { cwd, env: {}, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
  return { run: (args: string[]) => runCli(args, io), out, err };
}

/** An edit that has nothing to do with the findings: a new parameter and tags move every line down. */
function unrelatedEdit(dir: string): void {
  const file = path.join(dir, 'infra/main.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as {
    parameters: Record<string, unknown>;
    resources: Record<string, unknown>[];
  };
  template.parameters = { owner: { type: 'string', defaultValue: 'platform' }, ...template.parameters };
  for (const resource of template.resources) resource.tags = { owner: "[parameters('owner')]", costCenter: '42' };
  writeFileSync(file, JSON.stringify(template, null, 4));
}

function addAccount(dir: string, name: string): void {
  const file = path.join(dir, 'infra/main.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as { resources: Record<string, unknown>[] };
  template.resources.push({
    type: 'Microsoft.CognitiveServices/accounts',
    apiVersion: '2024-10-01',
    name,
    location: 'westeurope',
    kind: 'OpenAI',
    sku: { name: 'S0' },
    properties: {}
  });
  writeFileSync(file, JSON.stringify(template, null, 2));
}

describe('adopting the gate with a baseline', () => {
  let dir: string;
  beforeEach(() => {
    dir = repository();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('baseline --out writes the findings; later runs pass while only those remain, after unrelated edits too', async () => {
    const write = cli(dir);
    expect(await write.run(['baseline', '--templates', 'infra', '--out', '.cmk-guard/baseline.json'])).toBe(0);
    expect(write.out.join('')).toBe(
      'Wrote 2 findings to .cmk-guard/baseline.json: runs given it (--baseline .cmk-guard/baseline.json, or baseline: in cmk-guard.yaml) fail only on findings not in it.\n'
    );
    const written = JSON.parse(readFileSync(path.join(dir, '.cmk-guard/baseline.json'), 'utf8')) as FindingsDocument;
    expect(written.findings.map(f => [f.definition, f.resource.name, f.verdict])).toEqual([
      ['foundry-tools-cmk', 'speech-microsoft-managed-key', 'noncompliant'],
      ['foundry-tools-cmk', 'ai-services-no-encryption', 'noncompliant']
    ]);

    unrelatedEdit(dir);
    const after = cli(dir);
    const args = ['evaluate', '--templates', 'infra', '--baseline', '.cmk-guard/baseline.json'];
    expect(await after.run([...args, '--format', 'json'])).toBe(0);
    const document = JSON.parse(after.out.join('')) as FindingsDocument;
    const lines = document.findings.filter(f => f.baselined).map(f => f.resource.line);
    expect(lines).toHaveLength(2);
    expect(lines).not.toEqual(written.findings.map(f => f.resource.line)); // they moved, and stayed baselined
    expect(document.summary).toMatchObject({ noncompliant: 0, baselined: 2 });
    expect(document.baseline).toEqual({ file: '.cmk-guard/baseline.json', entries: 2, matched: 2 });

    const text = cli(dir);
    expect(await text.run(args)).toBe(0);
    expect(text.out.join('')).toContain('Accepted, not failing (2):');
    expect(text.out.join('')).toMatch(/'speech-microsoft-managed-key' \(noncompliant\): in the baseline/);
  });

  it('an entry does not accept a resource of the same type and name that a nested deployment puts in another resource group', async () => {
    expect(await cli(dir).run(['baseline', '--templates', 'infra', '--out', 'baseline.json'])).toBe(0);
    // The change removes a baselined account, and adds one named as it, in production: another resource.
    const file = path.join(dir, 'infra/main.json');
    const template = JSON.parse(readFileSync(file, 'utf8')) as { resources: Record<string, unknown>[] };
    const twin = template.resources.find(r => r.name === 'speech-microsoft-managed-key')!;
    template.resources = template.resources.filter(r => r !== twin);
    template.resources.push({
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'production',
      resourceGroup: 'rg-production',
      properties: {
        mode: 'Incremental',
        expressionEvaluationOptions: { scope: 'inner' },
        template: {
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          resources: [{ ...twin, location: 'westeurope' }]
        }
      }
    });
    writeFileSync(file, JSON.stringify(template, null, 2));
    const run = cli(dir);
    expect(await run.run(['evaluate', '--templates', 'infra', '--baseline', 'baseline.json', '--format', 'json'])).toBe(
      1
    );
    const document = JSON.parse(run.out.join('')) as FindingsDocument;
    const twins = document.findings.filter(
      f => f.definition === 'foundry-tools-cmk' && f.resource.name === 'speech-microsoft-managed-key'
    );
    expect(twins.map(f => [f.resource.id.split('/')[4], f.verdict, f.baselined ?? false])).toEqual([
      ['rg-production', 'noncompliant', false]
    ]);
    expect(document.baseline).toEqual({ file: 'baseline.json', entries: 2, matched: 1 });
  });

  it('a new finding fails, and only it; the baselined ones are still listed, marked', async () => {
    expect(await cli(dir).run(['baseline', '--templates', 'infra', '--out', 'baseline.json'])).toBe(0);
    unrelatedEdit(dir);
    addAccount(dir, 'openai-new');
    const run = cli(dir);
    expect(
      await run.run(['evaluate', '--templates', 'infra', '--baseline', 'baseline.json', '--format', 'sarif'])
    ).toBe(1);
    const sarif = JSON.parse(run.out.join('')) as SarifLog;
    expect(sarifValidator()(sarif)).toBe(true);
    const states = sarif.runs[0].results.map(r => [r.locations[0].logicalLocations?.[0].name, r.baselineState]);
    expect(states).toEqual([
      ['openai-new', 'new'],
      ['speech-microsoft-managed-key', 'unchanged'],
      ['ai-services-no-encryption', 'unchanged']
    ]);
  });

  it('an entry written while its finding was indeterminate does not accept it once the change makes it noncompliant', async () => {
    // The key source is a parameter without a default: unknown before deployment, the finding indeterminate.
    const file = path.join(dir, 'infra/main.json');
    const template = JSON.parse(readFileSync(file, 'utf8')) as {
      parameters: Record<string, unknown>;
      resources: { properties: { encryption?: unknown } }[];
    };
    template.parameters.keySource = { type: 'string' };
    template.resources[0].properties.encryption = {
      keySource: "[parameters('keySource')]",
      keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://vault.vault.azure.net/' }
    };
    writeFileSync(file, JSON.stringify(template, null, 2));
    expect(await cli(dir).run(['baseline', '--templates', 'infra', '--out', 'baseline.json'])).toBe(0);
    expect(await cli(dir).run(['evaluate', '--templates', 'infra', '--format', 'sarif', '--output', 'b.sarif'])).toBe(
      1
    );
    const written = JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8')) as FindingsDocument;
    expect(written.findings.map(f => [f.resource.name, f.verdict])).toEqual([
      ['speech-microsoft-managed-key', 'indeterminate'],
      ['ai-services-no-encryption', 'noncompliant']
    ]);
    const evaluate = async (baseline: string) => {
      const run = cli(dir);
      const code = await run.run(['evaluate', '--templates', 'infra', '--baseline', baseline, '--format', 'json']);
      return { code, document: JSON.parse(run.out.join('')) as FindingsDocument };
    };
    for (const baseline of ['baseline.json', 'b.sarif']) {
      expect((await evaluate(baseline)).document.summary).toMatchObject({ noncompliant: 0, baselined: 2 });
    }

    // The pull request gives the parameter a default: Microsoft-managed keys.
    template.parameters.keySource = { type: 'string', defaultValue: 'Microsoft.CognitiveServices' };
    writeFileSync(file, JSON.stringify(template, null, 2));
    for (const baseline of ['baseline.json', 'b.sarif']) {
      const { code, document } = await evaluate(baseline);
      expect(code).toBe(1);
      expect(
        document.findings.filter(f => f.verdict === 'noncompliant' && !f.baselined).map(f => f.resource.name)
      ).toEqual(['speech-microsoft-managed-key']);
      expect(document.summary).toMatchObject({ noncompliant: 1, baselined: 1 });
      expect(document.skipped).toContainEqual({
        file: baseline,
        reason: expect.stringMatching(/^1 finding is noncompliant now where the baseline accepted it indeterminate/)
      });
    }
  });

  it('matches by the fingerprint SARIF carries, so a SARIF file from an earlier run is a baseline too', async () => {
    const earlier = cli(dir);
    await earlier.run(['evaluate', '--templates', 'infra', '--format', 'sarif', '--output', 'earlier.sarif']);
    const sarif = JSON.parse(readFileSync(path.join(dir, 'earlier.sarif'), 'utf8')) as SarifLog;
    const baseline = readBaseline('earlier.sarif', dir);
    expect([...baseline.fingerprints.keys()].sort()).toEqual(
      sarif.runs[0].results.map(r => r.partialFingerprints[FINGERPRINT_KEY]).sort()
    );
    addAccount(dir, 'openai-new');
    const run = cli(dir);
    expect(await run.run(['evaluate', '--templates', 'infra', '--baseline', 'earlier.sarif', '--format', 'json'])).toBe(
      1
    );
    const document = JSON.parse(run.out.join('')) as FindingsDocument;
    expect(
      document.findings.filter(f => f.verdict === 'noncompliant' && !f.baselined).map(f => f.resource.name)
    ).toEqual(['openai-new']);
  });

  it('reads the baseline path from cmk-guard.yaml, for writing and for checking', async () => {
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: [infra]\nbaseline: baseline.json\n');
    expect(await cli(dir).run(['baseline'])).toBe(0);
    addAccount(dir, 'openai-new');
    const run = cli(dir);
    expect(await run.run(['evaluate'])).toBe(1);
    expect(run.out.join('')).toMatch(/1 noncompliant, 0 indeterminate, \d+ compliant, 2 baselined/);
  });

  it('writes nothing when an input cannot be read, and says why', async () => {
    writeFileSync(
      path.join(dir, 'infra/broken.json'),
      '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": ['
    );
    const run = cli(dir);
    expect(await run.run(['baseline', '--templates', 'infra', '--out', 'baseline.json'])).toBe(2);
    expect(run.err.join('')).toContain('the baseline was not written: an input could not be read');
    expect(() => readFileSync(path.join(dir, 'baseline.json'))).toThrow();
  });

  it('a baseline that is not one is an error naming the file', async () => {
    writeFileSync(path.join(dir, 'baseline.json'), '{"findings": ');
    expect(() => readBaseline('baseline.json', dir)).toThrow(/^the baseline is not valid JSON/);
    writeFileSync(path.join(dir, 'baseline.json'), '[]');
    expect(() => readBaseline('baseline.json', dir)).toThrow(
      'the baseline is neither a findings document (`findings: [...]`) nor a SARIF log; write one with `cmk-guard baseline --out FILE`.'
    );
    const run = cli(dir);
    expect(await run.run(['baseline', '--templates', 'infra'])).toBe(2);
    expect(run.err.join('')).toContain('say where to write the baseline: --out FILE');
  });
});

describe('matching', () => {
  const finding = (name: string, line: number, verdict: Finding['verdict'] = 'noncompliant'): Finding => ({
    definition: 'foundry-tools-cmk',
    displayName: 'CMK',
    effect: 'Audit',
    severity: 'error',
    verdict,
    reason: null,
    message: 'no key',
    resource: {
      id: `/x/${name}`,
      type: 'Microsoft.CognitiveServices/accounts',
      name,
      file: 'infra/main.json',
      line,
      column: 1
    }
  });

  it('each entry accepts one finding; compliant and accepted findings are left alone', () => {
    const baseline = {
      file: 'b.json',
      text: '',
      entries: 1,
      fingerprints: new Map([[fingerprint(finding('a', 1)), 1]])
    };
    const { findings, matched } = applyBaseline(
      [finding('A', 9), finding('a', 12), finding('a', 3, 'compliant')],
      baseline
    );
    expect(findings.map(f => f.baselined ?? false)).toEqual([true, false, false]);
    expect(matched).toBe(1);
  });

  it('a fingerprint ignores the line and the case of type and name, not the file or the rule', () => {
    const base = finding('Acct', 1);
    expect(fingerprint({ ...base, resource: { ...base.resource, line: 99, name: 'ACCT' } })).toBe(fingerprint(base));
    expect(fingerprint({ ...base, resource: { ...base.resource, file: 'infra/other.json' } })).not.toBe(
      fingerprint(base)
    );
    expect(fingerprint({ ...base, definition: 'other-rule' })).not.toBe(fingerprint(base));
  });
});
