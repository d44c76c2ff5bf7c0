/**
 * The pack's CMK rule on the two-step pattern of public Foundry CMK samples ("first the resource is
 * created without encryption to allow the managed identity to be created. In a second step, the
 * managed identity is assigned access to the key vault and encryption is applied to the resource"):
 * compliant under Audit, which sees the account as it ends up; refused at the first write under a
 * Deny assignment, because "deny prevents the request before being sent to the Resource Provider"
 * (https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny) and each declaration of
 * the account is a request of its own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { compileRule } from '../../src/compiler/index.js';
import { evaluateDefinitions, loadDefinition } from '../../src/engine/index.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { engineAliasCatalog } from '../../src/run.js';
import { expandTemplateFile } from '../../src/sources/index.js';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const template = path.join(repo, '__tests__/fixtures/engine/order/foundry-cmk-two-step.json');
const lines = fs.readFileSync(template, 'utf8').split('\n');

const { rules } = loadPolicyDirectory(path.join(repo, 'policies'));
const rule = rules.find(r => r.name === 'foundry-tools-cmk')!;
const definition = loadDefinition({ file: rule.file, json: compileRule(rule, engineAliasCatalog()) });
const { resources } = expandTemplateFile(template);

const verdictUnder = (effect: string) => {
  const findings = evaluateDefinitions([definition], resources, { parameters: { 'foundry-tools-cmk': { effect } } });
  expect(findings).toHaveLength(1);
  return findings[0];
};

describe('foundry-tools-cmk on an account created without a key and given one by a nested deployment', () => {
  test('Audit (the default) sees the end state: compliant', () => {
    expect(verdictUnder('Audit').verdict).toBe('compliant');
  });

  test('Deny refuses the first write, on the line of its properties, and says the later write never runs', () => {
    const finding = verdictUnder('Deny');
    expect(finding.verdict).toBe('noncompliant');
    expect(finding.severity).toBe('error');
    // The first declaration's "properties", which has no "encryption".
    const firstProperties = lines.findIndex((l, i) => i > 20 && l.includes('"properties": {')) + 1;
    expect(finding.resource.line).toBe(firstProperties);
    expect(finding.message).toMatch(/encryption is missing/);
    expect(finding.message).toMatch(/this is write 1 of 2 of foundry-two-step/);
    expect(finding.message).toMatch(/though the write at foundry-cmk-two-step\.json:\d+ would comply/);
  });

  test("the rule's remediation explains the fix: a user-assigned identity created and granted first, the key given at creation", () => {
    expect(rule.remediation).toMatch(/Under a Deny assignment Azure checks every write/);
    expect(rule.remediation).toMatch(/Create a user-assigned\s+identity first, grant it get, wrapKey and unwrapKey/);
  });

  test("end to end: a configuration file that sets the rule's effect to Deny fails the pull request at the first write", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-deny-'));
    try {
      fs.copyFileSync(template, path.join(dir, 'main.json'));
      fs.writeFileSync(
        path.join(dir, 'cmk-guard.yaml'),
        'templates: [main.json]\noverrides:\n  foundry-tools-cmk:\n    effect: Deny\n'
      );
      const out: string[] = [];
      const io = { cwd: dir, env: {}, stdout: (t: string) => out.push(t), stderr: () => undefined };
      expect(await runCli(['evaluate', '--format', 'json'], io)).toBe(1);
      const document = JSON.parse(out.join('')) as FindingsDocument;
      const finding = document.findings.find(f => f.definition === 'foundry-tools-cmk')!;
      expect(finding.verdict).toBe('noncompliant');
      expect(finding.effect).toBe('Deny');
      expect(finding.message).toMatch(/this is write 1 of 2/);
      expect(finding.remediation).toMatch(/Create a user-assigned\s+identity first/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
