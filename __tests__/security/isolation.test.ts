/**
 * One bad input spoils only itself: a rule file, a policy definition, a snapshot or a template
 * that cannot be read, validated or compiled is that file's error; every other one still gives
 * its verdicts; the run exits 2, and every report (text, JSON, SARIF) carries both the findings
 * and the errors. Error messages quote at most the offending token of a broken file.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const SECRET = 'SECRET=hunter2';
const PURGE = 'key-vault-purge-protection';
const PURGE_DEFINITION = path.join(bundledPolicies(), 'compiled', 'policyDefinitions', `${PURGE}.json`);

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-isolation-'));
  mkdirSync(path.join(repo, 'infra'));
  writeFileSync(
    path.join(repo, 'infra', 'main.json'),
    JSON.stringify({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [{ type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv', properties: {} }]
    })
  );
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

function brokenRules(): string {
  const policies = path.join(repo, 'policies');
  mkdirSync(policies);
  copyFileSync(path.join(bundledPolicies(), `${PURGE}.yaml`), path.join(policies, `${PURGE}.yaml`));
  writeFileSync(path.join(policies, 'broken-yaml.yaml'), `name: broken\nschema: {"a": ${SECRET}\n`);
  writeFileSync(
    path.join(policies, 'uncompilable.yaml'),
    (
      [
        'name: uncompilable',
        'displayName: A rule Azure Policy cannot express',
        'description: Uses a keyword that has no Azure Policy equivalent.',
        'category: Key Vault',
        'version: 1.0.0',
        'severity: error',
        'effect: { default: Audit, allowed: [Audit] }',
        'mode: Indexed',
        'resourceType: Microsoft.KeyVault/vaults',
        'schema:',
        '  properties:',
        '    properties:',
        '      properties:',
        '        tenantId:',
        '          contentEncoding: base64',
        'remediation: None.',
        'references: [https://example.com]'
      ] as string[]
    ).join('\n') + '\n'
  );
  return 'policies';
}

describe('a broken input spoils only itself', () => {
  it('a rule file that does not parse and one that does not compile are errors; the good rule still gives its verdict', async () => {
    const document = await evaluateRepository({ cwd: repo, policies: brokenRules(), templates: ['infra/main.json'] });
    expect(document.findings.map(f => [f.definition, f.resource.name, f.verdict])).toEqual([
      [PURGE, 'kv', 'noncompliant']
    ]);
    expect(document.errors?.map(e => e.file).sort()).toEqual([
      'policies/broken-yaml.yaml',
      'policies/uncompilable.yaml'
    ]);
    expect(document.errors?.every(e => e.line !== null)).toBe(true);
    expect(JSON.stringify(document)).not.toContain(SECRET);
  });

  it('a definition file that is not JSON is an error at its position, naming only the bad character; the others still evaluate', async () => {
    writeFileSync(path.join(repo, 'broken.json'), `{\n  "properties": ${SECRET}\n}`);
    mkdirSync(path.join(repo, 'defs'));
    writeFileSync(path.join(repo, 'defs', 'bad.json'), `{"properties": {"mode": "All",\n "x": ${SECRET}}}`);
    const document = await evaluateRepository({
      cwd: repo,
      definitions: [PURGE_DEFINITION, 'broken.json', 'defs'],
      templates: ['infra/main.json']
    });
    expect(document.findings.map(f => [f.definition, f.verdict])).toEqual([[PURGE, 'noncompliant']]);
    expect(document.errors?.map(e => [e.file, e.message])).toEqual([
      ['broken.json', expect.stringMatching(/^the definition file is not valid JSON: unexpected 'S'; fix the JSON\.$/)],
      ['defs/bad.json', expect.stringMatching(/^the definition file is not valid JSON: unexpected 'S'/)]
    ]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
    expect(JSON.stringify(document)).not.toContain('hunter2');
  });

  it('a snapshot that is not a snapshot is an error; the template beside it is still evaluated', async () => {
    writeFileSync(path.join(repo, 'snapshot.json'), `{"not": "a snapshot", "x": "${SECRET}"}`);
    writeFileSync(path.join(repo, 'broken-snapshot.json'), `[{"type": ${SECRET}]`);
    const document = await evaluateRepository({
      cwd: repo,
      definitions: [PURGE_DEFINITION],
      templates: ['infra/main.json'],
      resources: ['snapshot.json', 'broken-snapshot.json']
    });
    expect(document.findings.map(f => [f.resource.name, f.verdict])).toEqual([['kv', 'noncompliant']]);
    expect(document.errors?.map(e => [e.file, e.line])).toEqual([
      ['snapshot.json', 1],
      ['broken-snapshot.json', 1]
    ]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
  });

  it.each(['text', 'json', 'sarif'])(
    'the CLI exits 2 and its %s report carries the finding and the errors',
    async format => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(
        ['evaluate', '--policies', brokenRules(), '--templates', 'infra/main.json', '--format', format],
        { cwd: repo, env: {}, stdout: t => void out.push(t), stderr: t => void err.push(t) }
      );
      expect(code).toBe(2);
      const report = out.join('');
      expect(report).toContain('kv');
      expect(report).toContain('broken-yaml.yaml');
      expect(report).toContain('uncompilable.yaml');
      expect(report + err.join('')).not.toContain(SECRET);
    }
  );
});
