/**
 * The compiled output: the REST body shape, metadata with source and content hash,
 * byte-identical for the same rules, and the `compile` command that writes and checks it.
 * Body shape: https://learn.microsoft.com/rest/api/policy/policy-definitions/create-or-update
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePack, compileRule } from '../../src/compiler/index.js';
import { canonicalJson, sha256 } from '../../src/compiler/canonical.js';
import { makeCompileCommand } from '../../src/commands/compile.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { fixtureAliases } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const valid = path.join(root, '__tests__/fixtures/rules/valid');
const aliases = fixtureAliases();

test('a definition carries metadata with source, content hash, severity and versions', () => {
  const { rules } = loadPolicyDirectory(valid);
  const body = compileRule(rules[0], aliases, { root });
  expect(Object.keys(body)).toEqual(['name', 'properties']);
  expect(Object.keys(body.properties)).toEqual([
    'displayName',
    'description',
    'policyType',
    'mode',
    'metadata',
    'parameters',
    'policyRule'
  ]);
  expect(body.properties.metadata).toEqual({
    category: 'Cognitive Services',
    version: '1.0.0',
    cmkGuard: {
      source: '__tests__/fixtures/rules/valid/cognitive-services-cmk.yaml',
      hash: sha256(canonicalJson(rules[0].document)),
      kind: 'policy',
      severity: 'error',
      remediation: rules[0].remediation,
      ruleVersion: '1.0.0',
      references: rules[0].references
    }
  });
  expect(body.properties.parameters.effect).toEqual({
    type: 'String',
    metadata: { displayName: 'Effect', description: 'Enable or disable the execution of the policy' },
    allowedValues: ['Audit', 'Deny', 'Disabled'],
    defaultValue: 'Audit'
  });
  expect(body.properties.policyRule.then).toEqual({ effect: "[parameters('effect')]" });
});

test('the same rules give byte-identical output; a changed rule changes its hash', () => {
  const once = loadPolicyDirectory(valid);
  const twice = loadPolicyDirectory(valid);
  const a = JSON.stringify(compilePack(once.pack!, once.rules, aliases, { root }));
  const b = JSON.stringify(compilePack(twice.pack!, twice.rules, aliases, { root }));
  expect(a).toBe(b);
  const changed = { ...once.rules[0], document: { ...(once.rules[0].document as object), version: '1.0.1' } };
  expect(compileRule(changed, aliases, { root }).properties.metadata.cmkGuard.hash).not.toBe(
    compileRule(once.rules[0], aliases, { root }).properties.metadata.cmkGuard.hash
  );
});

test('the initiative references each definition with an effect parameter', () => {
  const { pack, rules } = loadPolicyDirectory(valid);
  const { initiative } = compilePack(pack!, rules, aliases, {
    root,
    definitionIdPrefix:
      '/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyDefinitions/'
  });
  expect(initiative.properties.policyDefinitions[1]).toEqual({
    policyDefinitionReferenceId: 'key-vault-protection',
    policyDefinitionId:
      '/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyDefinitions/key-vault-protection',
    parameters: { effect: { value: "[parameters('keyVaultProtectionEffect')]" } }
  });
  expect(initiative.properties.parameters.keyVaultProtectionEffect).toMatchObject({
    allowedValues: ['Audit', 'Deny', 'Disabled'],
    defaultValue: 'Deny'
  });
  expect(initiative.properties.metadata.cmkGuard).toMatchObject({
    source: '__tests__/fixtures/rules/valid/pack.yaml',
    kind: 'pack'
  });
});

describe('cmk-guard compile', () => {
  let out: string;
  let stdout: string;
  let stderr: string;
  const io = () => ({
    cwd: root,
    env: {},
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t)
  });
  const command = makeCompileCommand(() => aliases);

  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-compile-'));
    stdout = '';
    stderr = '';
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  test('writes definitions and the initiative, then --check passes and catches a stale file', async () => {
    expect(await command.run({ policies: valid, out }, [], io())).toBe(0);
    expect(fs.readdirSync(path.join(out, 'policyDefinitions')).sort()).toEqual([
      'cognitive-services-cmk.json',
      'key-vault-protection.json'
    ]);
    expect(fs.readdirSync(path.join(out, 'policySetDefinitions'))).toEqual(['cmk-guard-test.json']);
    const written = JSON.parse(fs.readFileSync(path.join(out, 'policyDefinitions/key-vault-protection.json'), 'utf8'));
    expect(written.properties.metadata.cmkGuard.source).toBe(
      '__tests__/fixtures/rules/valid/key-vault-protection.json'
    );

    expect(await command.run({ policies: valid, out, check: true }, [], io())).toBe(0);
    fs.writeFileSync(path.join(out, 'policyDefinitions/key-vault-protection.json'), '{}\n');
    fs.writeFileSync(path.join(out, 'policyDefinitions/old-rule.json'), '{}\n');
    stderr = '';
    expect(await command.run({ policies: valid, out, check: true }, [], io())).toBe(1);
    expect(stderr).toContain('key-vault-protection.json is stale; run cmk-guard compile');
    expect(stderr).toContain('old-rule.json comes from no rule; delete it.');
  });

  test('a rule the compiler refuses is a usage error naming file and line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-policies-'));
    try {
      const text = fs
        .readFileSync(path.join(valid, 'cognitive-services-cmk.yaml'), 'utf8')
        .replace('const: Microsoft.KeyVault', 'format: uri');
      fs.writeFileSync(path.join(dir, 'rule.yaml'), text);
      expect(await command.run({ policies: dir, out }, [], io())).toBe(2);
      expect(stderr).toBe(
        `cmk-guard: ${path.join(dir, 'rule.yaml')}:26:23: \`format\` at /schema/properties/properties/properties/encryption/properties/keySource/format cannot be compiled to Azure Policy: Azure Policy has no test for string formats; use \`like\`, \`match\` or an anchored \`pattern\` instead\n`
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
