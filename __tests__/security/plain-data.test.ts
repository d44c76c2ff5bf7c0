/**
 * Plain data: `__proto__`, `constructor`, `prototype` and Object's other member names are ordinary
 * keys in everything a pull request writes — templates, expressions, parameter files, snapshots,
 * rule files, policy definitions. Each case checks the verdict is the one the key's absence gives
 * (the key is data, it does not stand in for the vault's purge protection) and, after every case,
 * that nothing reached `Object.prototype`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDefinition } from '../../src/engine/index.js';
import { evaluateDefinitions } from '../../src/engine/index.js';
import type { Finding } from '../../src/model/finding.js';
import { hasOwn, own, setOwn, type Value } from '../../src/model/value.js';
import { bundledPolicies } from '../../src/paths.js';
import { azureComparable, compileSchemaCheck } from '../../src/pr/azureCompare.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { evaluateRepository } from '../../src/run.js';
import { expandTemplateDocument, loadResourceSnapshot, parseJsonWithPositions } from '../../src/sources/index.js';
import { parseParameterOverrides } from '../../src/sources/overrides.js';
import { armResource } from '../support/arm-resource.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const PURGE = 'key-vault-purge-protection';
/** The pack's purge-protection rule as compiled: loading one definition keeps these cases fast. */
const PURGE_DEFINITION = path.join(bundledPolicies(), 'compiled', 'policyDefinitions', `${PURGE}.json`);

/** Names an object inherits from Object.prototype, and the one that sets the prototype. */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-plain-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('enablePurgeProtection');
});

/** A vault whose `properties` member is the JSON text given (written as text: a JS literal would eat `__proto__`). */
function vaultTemplate(propertiesJson: string, extra = ''): string {
  return `{
  "$schema": "${SCHEMA}",
  "contentVersion": "1.0.0.0",
  ${extra}
  "resources": [
    {
      "type": "Microsoft.KeyVault/vaults",
      "apiVersion": "2023-07-01",
      "name": "kv",
      "location": "westus",
      "properties": ${propertiesJson}
    }
  ]
}`;
}

async function evaluateTemplate(text: string, files: Record<string, string> = {}): Promise<Finding[]> {
  writeFileSync(path.join(dir, 'main.json'), text);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const document = await evaluateRepository({ cwd: dir, definitions: [PURGE_DEFINITION], templates: ['main.json'] });
  expect(document.errors).toEqual([]);
  return document.findings;
}

function verdictOf(findings: Finding[], rule: string, resource = 'kv'): string | undefined {
  return findings.find(f => f.definition === rule && f.resource.name === resource)?.verdict;
}

describe('the issue: a `__proto__` member cannot stand in for purge protection', () => {
  it('a vault whose properties hold "__proto__": {"enablePurgeProtection": true} is noncompliant', async () => {
    const findings = await evaluateTemplate(
      vaultTemplate(`{
        "__proto__": { "enablePurgeProtection": true },
        "tenantId": "[subscription().tenantId]",
        "sku": { "family": "A", "name": "standard" }
      }`)
    );
    expect(verdictOf(findings, PURGE)).toBe('noncompliant');
  });

  it('the expanded resource keeps "__proto__" as an own member, and the same vault with the real property is compliant', async () => {
    const doc = parseJsonWithPositions(
      vaultTemplate('{ "__proto__": { "enablePurgeProtection": true }, "enablePurgeProtection": true }'),
      path.join(dir, 'main.json')
    );
    const [vault] = expandTemplateDocument(doc).resources;
    const properties = vault.json.properties as { [key: string]: Value };
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(hasOwn(properties, '__proto__')).toBe(true);
    expect(own(properties, '__proto__')).toEqual({ enablePurgeProtection: true });
    expect(
      verdictOf(
        await evaluateTemplate(
          vaultTemplate('{ "__proto__": { "enablePurgeProtection": false }, "enablePurgeProtection": true }')
        ),
        PURGE
      )
    ).toBe('compliant');
  });
});

describe('objects that template expressions build', () => {
  const viaExpression = (expression: string, extra = '') =>
    evaluateTemplate(vaultTemplate(JSON.stringify(`[${expression}]`), extra));
  const hostileObject = `json('{"__proto__": {"enablePurgeProtection": true}, "polluted": 1}')`;

  it.each([
    ['createObject', "createObject('__proto__', createObject('enablePurgeProtection', true()))"],
    ['json', hostileObject],
    ['union', `union(createObject('a', 1), ${hostileObject})`],
    ['union, nested', `union(json('{"__proto__": {"x": 1}}'), json('{"__proto__": {"enablePurgeProtection": true}}'))`],
    ['intersection', `intersection(${hostileObject}, ${hostileObject})`],
    ['shallowMerge', `shallowMerge(createArray(${hostileObject}, createObject('b', 2)))`],
    [
      'toObject',
      `toObject(createArray('__proto__'), lambda('k', lambdaVariables('k')), lambda('k', createObject('enablePurgeProtection', true())))`
    ],
    ['mapValues', `mapValues(${hostileObject}, lambda('v', lambdaVariables('v')))`],
    ['a variable', "variables('v')", `"variables": {"v": {"__proto__": {"enablePurgeProtection": true}}},`],
    [
      'a parameter default',
      "parameters('p')",
      `"parameters": {"p": {"type": "object", "defaultValue": {"__proto__": {"enablePurgeProtection": true}}}},`
    ]
  ])('%s: "__proto__" stays a member and the vault is noncompliant', async (_name, expression, extra = '') => {
    expect(verdictOf(await viaExpression(expression, extra), PURGE)).toBe('noncompliant');
  });

  it('objectKeys, items and length see "__proto__" as a key', async () => {
    const doc = parseJsonWithPositions(
      vaultTemplate(
        JSON.stringify({
          keys: `[objectKeys(${hostileObject})]`,
          items: `[items(json('{"__proto__": 1}'))]`,
          length: `[length(${hostileObject})]`,
          contains: `[contains(${hostileObject}, '__proto__')]`,
          inherited: `[contains(json('{}'), 'constructor')]`,
          tryGet: `[empty(tryGet(json('{}'), 'constructor'))]`,
          property: `[json('{"__proto__": 5}').__proto__]`
        })
      ),
      path.join(dir, 'main.json')
    );
    const properties = expandTemplateDocument(doc).resources[0].json.properties;
    expect(properties).toEqual({
      keys: ['__proto__', 'polluted'],
      items: [{ key: '__proto__', value: 1 }],
      length: 2,
      contains: true,
      inherited: false,
      tryGet: true,
      property: 5
    });
  });

  it('groupBy by "constructor", "__proto__" and "toString" groups instead of failing', async () => {
    const doc = parseJsonWithPositions(
      vaultTemplate(
        JSON.stringify(
          "[groupBy(createArray('constructor', '__proto__', 'toString', 'constructor'), lambda('x', lambdaVariables('x')))]"
        )
      ),
      path.join(dir, 'main.json')
    );
    const groups = expandTemplateDocument(doc).resources[0].json.properties as { [key: string]: Value };
    expect(Object.keys(groups)).toEqual(['constructor', '__proto__', 'toString']);
    expect(own(groups, 'constructor')).toEqual(['constructor', 'constructor']);
    expect(own(groups, '__proto__')).toEqual(['__proto__']);
  });

  it('a member inherited from Object is not a property: reading it is the missing-property error', async () => {
    for (const key of HOSTILE_KEYS.filter(k => k !== '__proto__')) {
      writeFileSync(path.join(dir, 'main.json'), vaultTemplate(JSON.stringify(`[json('{}').${key}]`)));
      const document = await evaluateRepository({
        cwd: dir,
        definitions: [PURGE_DEFINITION],
        templates: ['main.json']
      });
      expect((document.errors ?? []).map(e => e.message)).toEqual([
        expect.stringContaining(`The language expression property '${key}' doesn't exist`)
      ]);
    }
  });
});

describe('parameter files, command-line values and snapshots', () => {
  it('a parameter file value with "__proto__" gives the object that key, not a prototype', async () => {
    const template = vaultTemplate('"[parameters(\'props\')]"', '"parameters": {"props": {"type": "object"}},');
    const parameters = `{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      "contentVersion": "1.0.0.0",
      "parameters": { "props": { "value": { "__proto__": { "enablePurgeProtection": true } } } }
    }`;
    expect(verdictOf(await evaluateTemplate(template, { 'main.parameters.json': parameters }), PURGE)).toBe(
      'noncompliant'
    );
  });

  it('a parameter file naming a parameter "__proto__" or "constructor" is refused as undeclared', async () => {
    for (const key of ['__proto__', 'constructor']) {
      writeFileSync(path.join(dir, 'main.json'), vaultTemplate('{}'));
      writeFileSync(
        path.join(dir, 'main.parameters.json'),
        `{"parameters": {"${key}": {"value": {"enablePurgeProtection": true}}}}`
      );
      const document = await evaluateRepository({
        cwd: dir,
        definitions: [PURGE_DEFINITION],
        templates: ['main.json']
      });
      expect((document.errors ?? []).map(e => e.message)).toEqual([
        expect.stringContaining(`gives parameter '${key}', which the template does not declare`)
      ]);
    }
  });

  it('--parameter __proto__=… is a value named __proto__', () => {
    const overrides = parseParameterOverrides(['__proto__={"polluted": 1}', 'constructor=2']);
    expect(Object.getPrototypeOf(overrides)).toBe(Object.prototype);
    expect(Object.keys(overrides)).toEqual(['__proto__', 'constructor']);
    expect(own(overrides, '__proto__')).toEqual({ polluted: 1 });
  });

  it('a snapshot vault with "__proto__": {"enablePurgeProtection": true} is noncompliant, in both spellings', async () => {
    const file = path.join(dir, 'snapshot.json');
    writeFileSync(
      file,
      `[
        {"type": "Microsoft.KeyVault/vaults", "name": "kv", "location": "westus",
         "properties": {"__proto__": {"enablePurgeProtection": true}}},
        {"ResourceType": "Microsoft.KeyVault/vaults", "Name": "kv2", "Location": "westus",
         "__proto__": {"Properties": {"enablePurgeProtection": true}},
         "Properties": {"__proto__": {"enablePurgeProtection": true}}}
      ]`
    );
    const resources = loadResourceSnapshot(file);
    expect(resources.map(r => r.name)).toEqual(['kv', 'kv2']);
    expect(hasOwn(resources[1].json, '__proto__')).toBe(true);
    const document = await evaluateRepository({ cwd: dir, definitions: [PURGE_DEFINITION], resources: [file] });
    expect(verdictOf(document.findings, PURGE, 'kv')).toBe('noncompliant');
    expect(verdictOf(document.findings, PURGE, 'kv2')).toBe('noncompliant');
  });
});

describe('policy definitions and the engine', () => {
  /** A definition that denies vaults where `field` exists. */
  function existsDefinition(field: string) {
    return loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'All',
          policyRule: {
            if: {
              allOf: [
                { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
                { field, exists: 'true' }
              ]
            },
            then: { effect: 'deny' }
          }
        }
      }
    });
  }

  it.each(HOSTILE_KEYS)('a tag named "%s" exists only when the resource has it', key => {
    const without = armResource({ type: 'Microsoft.KeyVault/vaults', name: 'without', tags: {} });
    const tags: { [key: string]: Value } = {};
    setOwn(tags, key, 'set');
    const withKey = armResource({ type: 'Microsoft.KeyVault/vaults', name: 'with', tags });
    for (const field of [`tags['${key}']`, `tags.${key}`, `tags[${key}]`]) {
      const findings = evaluateDefinitions([existsDefinition(field)], [without, withKey]);
      expect(findings.map(f => [f.resource.name, f.verdict])).toEqual([
        ['without', 'compliant'],
        ['with', 'noncompliant']
      ]);
    }
    // A top-level field named like an inherited member is not a field Azure Policy accepts: the definition's error.
    expect(() => existsDefinition(key)).toThrow(/is not a field Azure Policy accepts/);
  });

  it('definition parameters, modes, effects and types named like Object members are data or refused, never a crash', () => {
    const base = (properties: object) => () => loadDefinition({ file: null, json: { properties } });
    const rule = { if: { field: 'type', equals: 'x' }, then: { effect: "[parameters('constructor')]" } };
    const def = base({
      mode: 'All',
      parameters: JSON.parse('{"constructor": {"type": "String", "defaultValue": "Deny"}}'),
      policyRule: rule
    })();
    expect(def.evaluate(armResource({ type: 'x', name: 'n' })).effect).toBe('Deny');
    expect(base({ mode: 'constructor', policyRule: rule })).toThrow(/"constructor" is not a policy mode/);
    expect(base({ mode: 'All', policyRule: { ...rule, then: { effect: 'toString' } } })).toThrow(/is not an effect/);
    expect(
      base({
        mode: 'All',
        parameters: { p: { type: 'constructor' } },
        policyRule: { ...rule, then: { effect: 'deny' } }
      })
    ).toThrow(/is not one of String/);
  });
});

describe('rule files', () => {
  it.each(HOSTILE_KEYS)('a PR-only rule schema requiring "%s" is not satisfied by what every object inherits', key => {
    const check = compileSchemaCheck({ type: 'object', required: [key] });
    expect(check(azureComparable({ a: 1 })).verdict).toBe(false);
    const data: { [key: string]: Value } = {};
    setOwn(data, key, { enablePurgeProtection: true });
    expect(check(azureComparable(data)).verdict).toBe(true);
  });

  it('a rule file with a "__proto__" key is an unknown field, not a prototype', () => {
    const policies = path.join(dir, 'policies');
    mkdirSync(policies);
    writeFileSync(
      path.join(policies, 'proto.yaml'),
      ['__proto__:', '  polluted: yes', '  name: injected', 'name: proto', ''].join('\n')
    );
    expect(() => loadPolicyDirectory(policies)).toThrow(/__proto__/);
  });
});
