import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';

const examples = path.resolve('examples');
const indeterminate = path.resolve('__tests__/fixtures/cli/indeterminate');

async function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; terminal?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    cwd: options.cwd ?? examples,
    env: options.env ?? {},
    stdoutIsTerminal: options.terminal ?? false,
    stdout: t => out.push(t),
    stderr: t => err.push(t)
  });
  return { code, out: out.join(''), err: err.join('') };
}

function documentOf(json: string): FindingsDocument {
  return JSON.parse(json) as FindingsDocument;
}

describe('cmk-guard evaluate: choosing what runs', () => {
  it('--rules runs only the rules it names or matches, and the report says which did not run', async () => {
    const run = await cli(['evaluate', '-t', '*/*.json', '--rules', 'key-vault-*', '--format', 'json']);
    expect(run.code).toBe(1);
    const document = documentOf(run.out);
    expect(new Set(document.findings.map(f => f.definition))).toEqual(
      new Set(['key-vault-soft-delete', 'key-vault-purge-protection', 'key-vault-key-access'])
    );
    expect(document.summary.definitions).toBe(3);
    expect(document.notRun?.[0]).toEqual({
      rules: expect.arrayContaining(['foundry-tools-cmk', 'cmk-key-same-vault']) as string[],
      reason: 'not named by --rules'
    });
  });

  it('--skip-rules leaves rules out, comma-separated or repeated', async () => {
    const run = await cli([
      'evaluate',
      '-t',
      '*/*.json',
      '--skip-rules',
      'key-vault-soft-delete,key-vault-purge-protection',
      '--skip-rules',
      'foundry-*',
      '--format',
      'json'
    ]);
    const ran = new Set(documentOf(run.out).findings.map(f => f.definition));
    for (const name of ['key-vault-soft-delete', 'key-vault-purge-protection', 'foundry-tools-cmk'])
      expect(ran.has(name)).toBe(false);
    expect(ran.has('ai-hub-cmk')).toBe(true);
  });

  it('--min-severity error does not run the warning rule', async () => {
    const all = documentOf((await cli(['evaluate', '-t', '*/*.json', '-f', 'json'])).out);
    expect(all.findings.some(f => f.definition === 'ai-hub-hbi')).toBe(true);
    const run = await cli(['evaluate', '-t', '*/*.json', '--min-severity', 'ERROR', '-f', 'json']);
    const document = documentOf(run.out);
    expect(document.findings.some(f => f.definition === 'ai-hub-hbi')).toBe(false);
    expect(document.findings.every(f => f.severity === 'error')).toBe(true);
  });

  it('a name that matches no rule is an error (exit 2) with one line saying what to change', async () => {
    const run = await cli(['evaluate', '-t', '*/*.json', '--rules', 'key-vault-softdelete']);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toBe(
      "cmk-guard: --rules 'key-vault-softdelete' matches no rule or definition; run 'cmk-guard rules' for the names, or fix the pattern.\n"
    );
  });

  it('--fail-on-indeterminate makes unknowns fail the run', async () => {
    const args = ['evaluate', '-t', 'main.json'];
    expect((await cli(args, { cwd: indeterminate })).code).toBe(0);
    expect((await cli([...args, '--fail-on-indeterminate'], { cwd: indeterminate })).code).toBe(1);
    // Only at or above --fail-on, as noncompliant findings.
    expect((await cli([...args, '--fail-on-indeterminate', '--fail-on', 'never'], { cwd: indeterminate })).code).toBe(
      0
    );
  });
});

describe('cmk-guard evaluate: output', () => {
  it('takes --format in any case', async () => {
    const upper = await cli(['evaluate', '-t', '*/*.json', '--format', 'SARIF']);
    expect((JSON.parse(upper.out) as { version: string }).version).toBe('2.1.0');
    const mixed = await cli(['evaluate', '-t', '*/*.json', '--format', 'Compact']);
    expect(mixed.out).toMatch(/^key-vault-soft-delete\/noncompliant\.json:\d+:\d+: error key-vault-soft-delete: /m);
  });

  it('--format compact is one line per finding with paths relative to the working folder', async () => {
    const run = await cli(['evaluate', '-t', 'examples/key-vault-soft-delete/*.json', '-f', 'compact'], {
      cwd: path.dirname(examples)
    });
    expect(run.out.split('\n')[0]).toBe(
      "examples/key-vault-soft-delete/noncompliant.json:16:9: error key-vault-soft-delete: Microsoft.KeyVault/vaults 'kv-soft-delete-off': enableSoftDelete is false, should not be false."
    );
  });

  it('--format junit writes JUnit XML', async () => {
    const run = await cli(['evaluate', '-t', '*/*.json', '-f', 'junit']);
    expect(run.out).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="cmk-guard" tests="\d+" failures="15"/
    );
  });

  it('colours text only for a terminal, and never with NO_COLOR', async () => {
    const args = ['evaluate', '-t', 'key-vault-soft-delete/*.json'];
    expect((await cli(args, { terminal: true })).out).toContain('\u001b[31merror:\u001b[0m');
    expect((await cli(args, { terminal: false })).out).not.toContain('\u001b[');
    expect((await cli(args, { terminal: true, env: { NO_COLOR: '1' } })).out).not.toContain('\u001b[');
    expect((await cli(args, { terminal: false, env: { FORCE_COLOR: '1' } })).out).toContain('\u001b[');
  });

  it('prints an input error once: in the report a person reads, or on standard error beside a data format', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-errors-'));
    try {
      writeFileSync(
        path.join(dir, 'broken.json'),
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [\n'
      );
      writeFileSync(
        path.join(dir, 'ok.json'),
        readFileSync(path.join(examples, 'key-vault-soft-delete/compliant.json'))
      );
      const text = await cli(['evaluate', '-t', '*.json'], { cwd: dir });
      expect(text.code).toBe(2);
      expect(text.out.match(/broken\.json:1:109/g)).toHaveLength(1);
      expect(text.err).toBe('');
      const json = await cli(['evaluate', '-t', '*.json', '-f', 'json'], { cwd: dir });
      expect(json.err.match(/broken\.json:1:109/g)).toHaveLength(1);
      expect(documentOf(json.out).errors).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cmk-guard rules', () => {
  const rules = path.resolve('__tests__/fixtures/cli/rules');

  it('lists every rule of the bundled pack with its kind, severity, effect and what it checks', async () => {
    const run = await cli(['rules']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Rule pack cmk-guard-foundry-tools \d+\.\d+\.\d+\n/);
    expect(run.out).toContain(
      'key-vault-purge-protection  policy · error · Audit (allowed: Audit, Deny, Disabled) · Azure Policy and pull requests\n  Key Vaults holding customer-managed keys should have purge protection enabled\n'
    );
    expect(run.out).toMatch(
      /^cmk-key-same-vault +transition · error · Audit \(allowed: Audit, Disabled\) · pull requests only$/m
    );
    expect(run.out).toMatch(/\n10 rules\n$/);
  });

  it('names the requirement of the brief each rule of the bundled pack comes from', async () => {
    const run = await cli(['rules', '--format', 'json']);
    const listed = JSON.parse(run.out) as { rules: { name: string; requirement: string | null }[] };
    expect(listed.rules).toHaveLength(10);
    for (const rule of listed.rules)
      expect([rule.name, (rule.requirement ?? '').length > 40]).toEqual([rule.name, true]);
  });

  it('shows the requirement a rule comes from, when the rule names it', async () => {
    const run = await cli(['rules', '--policies', rules]);
    expect(run.out).toBe(
      [
        'key-vault-purge-protection  policy · error · Audit (allowed: Audit, Deny, Disabled) · Azure Policy and pull requests',
        '  Key Vaults holding customer-managed keys should have purge protection enabled',
        '  requirement: "The key vault instance must enable soft delete and purge protection" (Prerequisites): purge protection.',
        '',
        'key-vault-soft-delete       policy · error · Audit (allowed: Audit, Deny, Disabled) · Azure Policy and pull requests',
        '  Key Vaults holding customer-managed keys should keep soft delete enabled',
        '',
        '2 rules',
        ''
      ].join('\n')
    );
  });

  it('gives JSON with the same facts', async () => {
    const run = await cli(['rules', '--policies', rules, '--format', 'JSON']);
    const listed = JSON.parse(run.out) as { pack: null; rules: Record<string, unknown>[] };
    expect(listed.pack).toBeNull();
    expect(listed.rules[0]).toEqual({
      name: 'key-vault-purge-protection',
      kind: 'policy',
      severity: 'error',
      effect: 'Audit',
      allowedEffects: ['Audit', 'Deny', 'Disabled'],
      displayName: 'Key Vaults holding customer-managed keys should have purge protection enabled',
      description: expect.stringContaining('purge protection enabled') as string,
      requirement:
        '"The key vault instance must enable soft delete and purge protection" (Prerequisites): purge protection.',
      runs: 'azure',
      file: path.relative(examples, path.join(rules, 'key-vault-purge-protection.yaml'))
    });
    expect(listed.rules[1].requirement).toBeNull();
  });

  it('--policies none lists no rules, as evaluate runs none: only the definitions given', async () => {
    const cwd = path.resolve('.');
    const definition = '__tests__/fixtures/engine/definitions/KeyVault_Recoverable_Audit.json';
    const run = await cli(['rules', '--policies', 'none', '--definitions', definition, '--format', 'json'], { cwd });
    expect([run.code, run.err]).toEqual([0, '']);
    const listed = JSON.parse(run.out) as { pack: null; rules: { kind: string; file: string }[] };
    expect(listed.pack).toBeNull();
    expect(listed.rules.map(r => [r.kind, r.file])).toEqual([['definition', definition]]);
    const none = await cli(['rules', '--policies', 'NONE'], { cwd });
    expect([none.code, none.out]).toEqual([0, '0 rules\n']);
  });
});
