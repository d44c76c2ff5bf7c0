import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import { exemptionOf } from '../../src/exceptions/model.js';
import type { Finding, FindingsDocument } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { exceptionProblem } from '../../src/report/findings.js';
import { evaluateRepository } from '../../src/run.js';

const workspace = path.resolve('__tests__/fixtures/exceptions/workspace');
/** The day this was written: the legacy and inline exceptions still apply, the openai one has expired. */
const today = new Date('2026-12-05T12:00:00Z');

async function evaluate(cwd: string, now: Date): Promise<FindingsDocument> {
  const config = loadConfig(findConfigFile(cwd, undefined)!, cwd);
  return evaluateRepository({
    cwd,
    policies: bundledPolicies(),
    templates: config.settings.templates,
    exceptions: config.exceptions,
    now
  });
}

function byName(document: FindingsDocument, name: string): Finding {
  const found = document.findings.find(f => f.definition === 'foundry-tools-cmk' && f.resource.name === name);
  if (!found) throw new Error(`no foundry-tools-cmk finding for ${name}`);
  return found;
}

describe('exceptions in cmk-guard.yaml and inline in templates', () => {
  let document: FindingsDocument;
  beforeAll(async () => {
    document = await evaluate(workspace, today);
  });

  it('accepts a finding by template file glob, with its reason, owner and date', () => {
    expect(byName(document, 'legacy-translator').suppressed).toEqual({
      kind: 'external',
      category: 'waiver',
      reason: 'The legacy accounts are retired in the first quarter.',
      owner: 'team-ai',
      expires: '2027-03-31',
      file: 'cmk-guard.yaml',
      line: 5
    });
  });

  it('accepts a finding by name glob and type, in the category written', () => {
    const suppressed = byName(document, 'speech-transcripts').suppressed;
    expect([suppressed?.kind, suppressed?.category, suppressed?.line]).toEqual(['external', 'mitigated', 11]);
  });

  it('accepts a finding inline, where the resource declares it (inSource)', () => {
    expect(byName(document, 'language-main').suppressed).toEqual({
      kind: 'inSource',
      category: 'waiver',
      reason: 'Customer-managed key arrives with the platform vault.',
      owner: 'team-language',
      expires: '2027-01-15',
      file: 'infra/app.json',
      line: 34
    });
  });

  it('an inline exception on a copy loop covers every instance, and only them', () => {
    for (const region of ['westeurope', 'northeurope', 'swedencentral']) {
      const suppressed = byName(document, `batch-${region}`).suppressed;
      expect([region, suppressed?.kind, suppressed?.category, suppressed?.file]).toEqual([
        region,
        'inSource',
        'mitigated',
        'infra/loop.json'
      ]);
    }
    expect(byName(document, 'batch-coordinator').suppressed).toBeUndefined();
  });

  it('an expired exception stops applying and says so; one that matches nothing is stale', () => {
    expect(byName(document, 'openai-main').suppressed).toBeUndefined();
    expect(document.exceptions?.map(e => [e.kind, e.file, e.line, e.status, e.findings])).toEqual([
      ['inSource', 'infra/app.json', 34, 'applied', 1],
      ['inSource', 'infra/loop.json', 19, 'applied', 3],
      ['external', 'cmk-guard.yaml', 5, 'applied', 1],
      ['external', 'cmk-guard.yaml', 11, 'applied', 1],
      ['external', 'cmk-guard.yaml', 18, 'expired', 1],
      ['external', 'cmk-guard.yaml', 24, 'stale', 0]
    ]);
  });

  it('counts accepted findings apart: they are listed, but only the others fail', () => {
    expect(document.summary).toMatchObject({ noncompliant: 2, indeterminate: 0, suppressed: 6, baselined: 0 });
    expect(document.findings.filter(f => f.verdict === 'noncompliant')).toHaveLength(8);
  });

  it('reads expiry against the run clock: the last day still applies, the next does not', async () => {
    const lastDay = await evaluate(workspace, new Date('2027-01-15T23:59:59Z'));
    expect(byName(lastDay, 'language-main').suppressed?.expires).toBe('2027-01-15');
    const dayAfter = await evaluate(workspace, new Date('2027-01-16T00:00:00Z'));
    expect(byName(dayAfter, 'language-main').suppressed).toBeUndefined();
    expect(dayAfter.exceptions?.[0]).toMatchObject({ file: 'infra/app.json', status: 'expired', findings: 1 });
    // The copy-loop exception has no date: it still applies.
    expect(byName(dayAfter, 'batch-westeurope').suppressed?.kind).toBe('inSource');
  });

  it('selects by resource id as a scope: a resource group id covers the resources in it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-scope-'));
    try {
      cpSync(workspace, dir, { recursive: true });
      const yaml = readFileSync(path.join(dir, 'cmk-guard.yaml'), 'utf8').replace(
        '/subscriptions/*/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/openai-main',
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG'
      );
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), yaml.replace('expires: 2026-11-30', 'expires: 2027-11-30'));
      const scoped = await evaluate(dir, today);
      // The group holds every template resource: the ones no earlier exception took are accepted by it.
      expect(byName(scoped, 'openai-main').suppressed?.line).toBe(18);
      expect(byName(scoped, 'batch-coordinator').suppressed?.line).toBe(18);
      expect(byName(scoped, 'legacy-translator').suppressed?.line).toBe(5);
      expect(scoped.summary).toMatchObject({ noncompliant: 0, suppressed: 8 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stale exception that misspells its rule says so, with the likely name', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-misspelt-'));
    try {
      cpSync(workspace, dir, { recursive: true });
      const yaml = readFileSync(path.join(dir, 'cmk-guard.yaml'), 'utf8').replace(
        'rule: [foundry-tools-cmk]',
        'rule: [foundry-tool-cmk]'
      );
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), yaml);
      const report = (await evaluate(dir, today)).exceptions?.find(e => e.line === 24);
      expect(report).toMatchObject({
        status: 'stale',
        unknownRules: [{ name: 'foundry-tool-cmk', suggestion: 'foundry-tools-cmk' }]
      });
      expect(exceptionProblem(report!)).toBe(
        'the exception names foundry-tool-cmk (did you mean foundry-tools-cmk?), which no loaded rule or definition is called, so it matches nothing; correct the rule name or remove the exception.'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives what an Azure Policy exemption of the same entry holds', () => {
    const config = loadConfig(path.join(workspace, 'cmk-guard.yaml'), workspace);
    const [legacy, speech, openai] = config.exceptions.map(exemptionOf);
    expect(legacy).toMatchObject({
      exemptionCategory: 'Waiver',
      expiresOn: '2027-04-01T00:00:00.000Z',
      policyDefinitionReferenceIds: ['foundry-tools-cmk'],
      description: 'The legacy accounts are retired in the first quarter.',
      scopes: [],
      metadata: { owner: 'team-ai', source: 'cmk-guard.yaml:5' }
    });
    expect(speech).toMatchObject({ exemptionCategory: 'Mitigated', scopes: [] });
    expect(speech.expiresOn).toBeUndefined();
    expect(openai.scopes).toEqual([]); // a glob needs the live resources to become scopes
    expect(legacy.name).toMatch(/^cmk-guard-[0-9a-f]{24}$/);
    expect(new Set([legacy.name, speech.name, openai.name]).size).toBe(3);
  });
});

describe('the CLI with cmk-guard.yaml in the working folder', () => {
  function io(cwd: string, now = today) {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { cwd, env: {}, now, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }
    };
  }

  it('reads its templates and exceptions, lists what is accepted, and fails on what is not', async () => {
    const t = io(workspace);
    expect(await runCli(['evaluate'], t.io)).toBe(1);
    const text = t.out.join('');
    expect(text).toContain('Accepted, not failing (6):');
    expect(text).toContain(
      "infra/legacy/account.json:12 foundry-tools-cmk Microsoft.CognitiveServices/accounts 'legacy-translator' (noncompliant): waiver by exception (cmk-guard.yaml:5), owner team-ai, until 2027-03-31: The legacy accounts are retired in the first quarter."
    );
    expect(text).toContain(
      "infra/loop.json:27 foundry-tools-cmk Microsoft.CognitiveServices/accounts 'batch-westeurope' (noncompliant): mitigated by inline exception (infra/loop.json:19): Batch accounts hold no data between runs."
    );
    expect(text).toContain(
      'cmk-guard.yaml:18: the exception for foundry-tools-cmk expired after its last day, 2026-11-30: the finding it covered fails again.'
    );
    expect(text).toContain(
      'cmk-guard.yaml:24: the exception for foundry-tools-cmk matches no noncompliant or indeterminate finding; remove it, or correct its rule or resources.'
    );
    expect(text).toMatch(/2 noncompliant, 0 indeterminate, \d+ compliant, 6 suppressed \(/);
  });

  it('passes once the only findings left are accepted', async () => {
    const t = io(workspace, new Date('2026-11-01T00:00:00Z'));
    // A month earlier the openai exception still applied: without loop.json (batch-coordinator) nothing fails.
    const args = ['evaluate', '--templates', 'infra/legacy/*.json', '--templates', 'infra/app.json'];
    expect(await runCli(args, t.io)).toBe(0);
    expect(t.out.join('')).toMatch(/0 noncompliant, 0 indeterminate, \d+ compliant, 4 suppressed/);
  });

  it('--config none reads no file: nothing is accepted', async () => {
    const t = io(workspace);
    expect(await runCli(['evaluate', '--config', 'none', '--templates', 'infra/legacy/*.json'], t.io)).toBe(1);
    expect(t.out.join('')).not.toContain('Accepted');
  });
});
