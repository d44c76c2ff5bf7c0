/**
 * The engine's public API on real built-ins (copied from the corpus into fixtures), the operator
 * vectors of the peer evaluator, the alias catalog, and the check-definitions command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  aliasCount,
  aliasPath,
  evaluateDefinitions,
  loadDefinition as loadWithCatalog
} from '../../src/engine/index.js';
import { checkDefinitionsCommand } from '../../src/commands/check-definitions.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';
import { withTestAliases } from '../support/test-aliases.js';

const loadDefinition = withTestAliases(loadWithCatalog);

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/engine');
const read = (p: string) => JSON.parse(fs.readFileSync(path.join(fixtures, p), 'utf8').replace(/^\uFEFF/, ''));

describe('built-in 67121cc7: Azure AI Services should encrypt data at rest with a CMK', () => {
  const file = 'builtin/CognitiveServices_CustomerManagedKey_Audit.json';
  const def = loadDefinition({ file, json: read(file) });
  const account = (kind: string, encryption?: Value) =>
    armResource({
      name: 'acct',
      type: 'Microsoft.CognitiveServices/accounts',
      kind,
      location: 'westeurope',
      properties: encryption === undefined ? {} : { encryption }
    });

  it('flags an OpenAI account without encryption (missing keySource is not Microsoft.KeyVault)', () => {
    const e = def.evaluate(account('OpenAI'));
    expect(e).toMatchObject({ applicable: true, verdict: 'noncompliant', effect: 'Audit' });
    // keySource is missing: the pointer is its nearest existing parent, so a finding lands on a real line.
    expect(e.pointers).toEqual(['/properties']);
  });
  it('passes an account whose keySource is Microsoft.KeyVault, in any case', () => {
    // Applicable (type and kind match) and compliant: https://learn.microsoft.com/azure/governance/policy/concepts/policy-applicability
    expect(def.evaluate(account('OpenAI', { keySource: 'microsoft.keyvault' }))).toMatchObject({
      applicable: true,
      verdict: 'compliant'
    });
  });
  it('excludes AIServices by default (excludedKinds), as the corpus notes say', () => {
    expect(def.evaluate(account('AIServices')).applicable).toBe(false);
  });
  it('is indeterminate when keySource is unknown before deployment', () => {
    const e = def.evaluate(account('OpenAI', { keySource: new Unknown('parameter `keySource`') }));
    expect(e).toMatchObject({ verdict: 'indeterminate', reason: 'depends on parameter `keySource`' });
  });
  it('evaluateDefinitions gives a finding with severity from the effect', () => {
    const findings = evaluateDefinitions(
      [def],
      [account('OpenAI'), account('OpenAI', { keySource: 'Microsoft.KeyVault' })]
    );
    expect(findings.map(f => f.verdict)).toEqual(['noncompliant', 'compliant']);
    expect(findings[0]).toMatchObject({
      definition: '67121cc7-ff39-4ab8-b7e3-95b84dab487d',
      severity: 'warning',
      verdict: 'noncompliant'
    });
    const deny = evaluateDefinitions([def], [account('OpenAI')], {
      parameters: { '67121cc7-ff39-4ab8-b7e3-95b84dab487d': { effect: 'Deny' } }
    });
    expect(deny[0]).toMatchObject({ effect: 'Deny', severity: 'error' });
  });
});

describe('built-in 0b60c0b2: Key vaults should have deletion protection enabled (requestContext().apiVersion)', () => {
  const file = 'builtin/KeyVault_Recoverable_Audit.json';
  const def = loadDefinition({ file, json: read(file) });
  const vault = (apiVersion: string | undefined, properties: Value) => ({
    ...armResource({ name: 'kv', type: 'Microsoft.KeyVault/vaults', location: 'westeurope', properties }),
    apiVersion
  });
  it('flags a vault without purge protection', () => {
    expect(def.evaluate(vault('2023-07-01', { enableSoftDelete: true })).verdict).toBe('noncompliant');
  });
  it('passes a vault with purge protection', () => {
    expect(def.evaluate(vault('2023-07-01', { enableSoftDelete: true, enablePurgeProtection: true })).verdict).toBe(
      'compliant'
    );
  });
});

describe('operator vectors of the peer evaluator', () => {
  const vectors = read('jannemattila/operator-vectors.json') as Record<string, unknown>;
  const rows = (['in', 'exists', 'like'] as const).flatMap(
    k => vectors[k] as { op: string; opValue: Value; propertyValue: string; expected: boolean }[]
  );
  it.each(rows.map(r => [`${r.op} ${JSON.stringify(r.opValue)} on ${JSON.stringify(r.propertyValue)}`, r] as const))(
    '%s',
    (_l, r) => {
      // The peer's empty string stands for an absent property.
      const properties: { [key: string]: Value } = r.propertyValue === '' ? {} : { value: r.propertyValue };
      const def = loadDefinition({
        file: null,
        json: {
          policyRule: { if: { field: 'Microsoft.Test/things/value', [r.op]: r.opValue }, then: { effect: 'audit' } }
        }
      });
      expect(def.evaluate(armResource({ type: 'Microsoft.Test/things', name: 't', properties })).verdict).toBe(
        r.expected ? 'noncompliant' : 'compliant'
      );
    }
  );
  const counts = vectors.count as { op: string; opValue: number; count: number; expected: boolean }[];
  it.each(counts.map(r => [`count ${r.count} ${r.op} ${r.opValue}`, r] as const))('%s', (_l, r) => {
    const def = loadDefinition({
      file: null,
      json: {
        policyRule: {
          if: { count: { field: 'Microsoft.Test/things/list[*]' }, [r.op]: r.opValue },
          then: { effect: 'audit' }
        }
      }
    });
    const list = Array.from({ length: r.count }, (_, i) => i);
    expect(def.evaluate(armResource({ type: 'Microsoft.Test/things', name: 't', properties: { list } })).verdict).toBe(
      r.expected ? 'noncompliant' : 'compliant'
    );
  });
});

describe('alias catalog', () => {
  it('holds every provider alias', () => expect(aliasCount()).toBeGreaterThan(60000));
  it('resolves catalogued aliases case-insensitively, including [*] and non-conventional paths', () => {
    expect(aliasPath('microsoft.cognitiveservices/accounts/encryption.keysource')).toMatchObject({
      path: 'properties.encryption.keySource',
      known: true
    });
    expect(aliasPath('Microsoft.Compute/virtualMachines/sku.name')).toMatchObject({
      path: 'properties.hardwareProfile.vmSize',
      known: true
    });
    expect(aliasPath('Microsoft.KeyVault/vaults/networkAcls.ipRules[*].value').path).toBe(
      'properties.networkAcls.ipRules[*].value'
    );
  });
});

describe('check-definitions', () => {
  it('prints failing files, skipped files and the summary; exits 1 when something is invalid', async () => {
    let out = '';
    const code = await checkDefinitionsCommand.run({}, ['definitions'], {
      cwd: fixtures,
      env: {},
      stdout: s => (out += s),
      stderr: s => (out += s)
    });
    expect(code).toBe(1);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^definitions\/invalid-operator\.json: invalid: at properties\.policyRule\.if\.equal: /);
    // The folder's initiative is checked too: its members are among the definitions there.
    expect(lines).toContain('checked 1 initiative: 0 problems');
    expect(lines[lines.length - 1]).toBe('checked 3 definitions: 2 loaded, 0 unsupported, 1 invalid, 0 warnings');
  });
  it('exits 2 for a path that does not exist', async () => {
    let err = '';
    const code = await checkDefinitionsCommand.run({}, ['nope'], {
      cwd: fixtures,
      env: {},
      stdout: () => {},
      stderr: s => (err += s)
    });
    expect(code).toBe(2);
    expect(err).toBe('cmk-guard: nope does not exist; give the file or folder that holds the policy definitions.\n');
  });
});
