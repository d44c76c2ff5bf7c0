/**
 * `mayApply`, the test a run makes before `evaluate` (evaluateInOrder): false only where `evaluate` answers
 * not applicable for every resource of the type, whatever its body, the assignment and the effect. Azure Policy
 * reads a rule's `then` only where its `if` holds, so a type the `if` requires otherwise, or a type the mode
 * does not evaluate, never gets an answer.
 * BASICS = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#resource-manager-modes
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { evaluateDefinitions, loadDefinition, type CompiledDefinition } from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

const PACK = path.resolve('policies/compiled/policyDefinitions');
/** The pack's compiled definitions, loaded as a run loads them. */
const loadPack = (): CompiledDefinition[] =>
  fs
    .readdirSync(PACK)
    .filter(f => f.endsWith('.json'))
    .sort()
    .map(f => loadDefinition({ file: f, json: JSON.parse(fs.readFileSync(path.join(PACK, f), 'utf8')) }));
const pack = loadPack();

function definition(ifCondition: Obj, mode = 'Indexed', effect: Value = "[parameters('effect')]"): CompiledDefinition {
  return loadDefinition({
    file: null,
    json: {
      properties: {
        displayName: 'test',
        mode,
        parameters: {
          effect: { type: 'String', defaultValue: 'Audit', allowedValues: ['Audit', 'Deny', 'Disabled'] }
        },
        policyRule: { if: ifCondition, then: { effect } }
      }
    }
  });
}

const hand: CompiledDefinition[] = [
  // One type, in an allOf with other conditions.
  definition({
    allOf: [
      { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
      { field: 'Microsoft.KeyVault/vaults/enablePurgeProtection', notEquals: true }
    ]
  }),
  // Several types, and a condition that holds for every resource of them.
  definition({ field: 'type', in: ['Microsoft.Storage/storageAccounts', 'Microsoft.CognitiveServices/accounts'] }),
  // Types in an anyOf: the gate is their union.
  definition({
    anyOf: [
      { field: 'type', equals: 'Microsoft.Storage/storageAccounts' },
      {
        allOf: [
          { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
          { field: 'location', equals: 'westeurope' }
        ]
      }
    ]
  }),
  // No type in the condition: every type the mode evaluates may match.
  definition({ field: 'location', notEquals: 'westeurope' }),
  // A type that is an expression: not a gate.
  definition({ field: 'type', equals: "[concat('Microsoft.KeyVault/', 'vaults')]" }),
  // A provider mode: only its provider's types.
  definition({ field: 'type', notEquals: 'x' }, 'Microsoft.KeyVault.Data'),
  // Mode All reaches child types Indexed skips.
  definition({ field: 'type', equals: 'Microsoft.Network/routeTables/routes' }, 'All'),
  // The same under Indexed: the type is one Indexed never evaluates.
  definition({ field: 'type', equals: 'Microsoft.Network/routeTables/routes' }),
  // A literal effect.
  definition({ field: 'type', equals: 'Microsoft.KeyVault/vaults' }, 'Indexed', 'Deny')
];

const TYPES = [
  'Microsoft.KeyVault/vaults',
  'microsoft.keyvault/VAULTS',
  'Microsoft.KeyVault/vaults/keys',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.CognitiveServices/accounts',
  'Microsoft.MachineLearningServices/workspaces',
  'Microsoft.Network/routeTables/routes',
  'Microsoft.Network/routeTables',
  'Microsoft.Resources/resourceGroups',
  'Microsoft.Authorization/roleAssignments',
  'Microsoft.KeyVault/vaults/accessPolicies'
];

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom<Value>(
    true,
    false,
    null,
    'Enabled',
    'Disabled',
    'Microsoft.KeyVault',
    'westeurope',
    'SystemAssigned'
  ),
  fc.integer()
);
const body: fc.Arbitrary<Obj> = fc.record(
  {
    location: fc.constantFrom('westeurope', 'eastus'),
    kind: fc.constantFrom('OpenAI', 'AIServices', 'StorageV2'),
    identity: fc.record({ type: fc.constantFrom('SystemAssigned', 'None') }),
    properties: fc.dictionary(
      fc.constantFrom(
        'enablePurgeProtection',
        'enableSoftDelete',
        'encryption',
        'publicNetworkAccess',
        'hbiWorkspace',
        'disableLocalAuth'
      ),
      fc.oneof(value, fc.record({ keySource: value, keyVaultProperties: fc.record({ keyVaultUri: value }) }))
    )
  },
  { requiredKeys: [] }
);

describe('mayApply', () => {
  it('is false only where evaluate is not applicable, for every effect the assignment may give', () => {
    const everyDefinition = [...pack, ...hand];
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), body, (type, json) => {
        const resource = armResource({ ...json, type, name: 'r1' });
        for (const def of everyDefinition) {
          if (def.mayApply(type)) continue;
          for (const effect of [undefined, 'Audit', 'Deny', 'Disabled']) {
            const parameters = effect === undefined || !('effect' in def.parameters) ? undefined : { effect };
            expect(def.evaluate(resource, { parameters }).applicable).toBe(false);
          }
        }
      }),
      { numRuns: 300 }
    );
  });

  it('is false for the types a rule does not name, and true, in any case, for those it does', () => {
    const [vaults, several, union, anyType, expression, provider, all, indexedChild, literal] = hand;
    expect(vaults.mayApply('Microsoft.KeyVault/vaults')).toBe(true);
    expect(vaults.mayApply('MICROSOFT.KEYVAULT/VAULTS')).toBe(true);
    expect(vaults.mayApply('Microsoft.Storage/storageAccounts')).toBe(false);
    expect(literal.mayApply('Microsoft.Storage/storageAccounts')).toBe(false);
    expect(several.mayApply('microsoft.cognitiveservices/accounts')).toBe(true);
    expect(several.mayApply('Microsoft.KeyVault/vaults')).toBe(false);
    expect(union.mayApply('Microsoft.KeyVault/vaults')).toBe(true);
    expect(union.mayApply('Microsoft.Storage/storageAccounts')).toBe(true);
    expect(union.mayApply('Microsoft.CognitiveServices/accounts')).toBe(false);
    // Without a literal type, only the mode decides.
    expect(anyType.mayApply('Microsoft.Storage/storageAccounts')).toBe(true);
    expect(anyType.mayApply('Microsoft.Network/routeTables/routes')).toBe(false);
    expect(expression.mayApply('Microsoft.Storage/storageAccounts')).toBe(true);
    expect(provider.mayApply('Microsoft.KeyVault/vaults/keys')).toBe(true);
    expect(provider.mayApply('Microsoft.Storage/storageAccounts')).toBe(false);
    expect(all.mayApply('Microsoft.Network/routeTables/routes')).toBe(true);
    expect(indexedChild.mayApply('Microsoft.Network/routeTables/routes')).toBe(false);
    // The pack's rules about accounts pass over vaults, and the other way round.
    const byName = new Map(pack.map(d => [d.name, d]));
    expect(byName.get('foundry-tools-cmk')?.mayApply('Microsoft.CognitiveServices/accounts')).toBe(true);
    expect(byName.get('foundry-tools-cmk')?.mayApply('Microsoft.KeyVault/vaults')).toBe(false);
    expect(byName.get('key-vault-purge-protection')?.mayApply('Microsoft.KeyVault/vaults')).toBe(true);
    expect(byName.get('key-vault-purge-protection')?.mayApply('Microsoft.CognitiveServices/accounts')).toBe(false);
  });

  it('leaves a run the same findings as evaluating every definition on every resource', () => {
    const resources = TYPES.flatMap((type, i) => [
      armResource({ type, name: `a${i}`, location: 'eastus', properties: { enablePurgeProtection: false } }),
      armResource({ type, name: `b${i}`, location: 'westeurope', properties: { encryption: { keySource: 'x' } } })
    ]);
    const definitions = [...pack, ...hand];
    const findings = evaluateDefinitions(definitions, resources);
    const everyPair = definitions.flatMap(def =>
      resources
        .filter(r => def.appliesToType(r.type))
        .map(r => ({ def, r, e: def.evaluate(r) }))
        .filter(({ e }) => e.applicable)
        .map(({ def, r, e }) => `${def.name} ${r.name} ${e.applicable ? e.verdict : ''}`)
    );
    expect(findings.map(f => `${f.definition} ${f.resource.name} ${f.verdict}`).sort()).toEqual(everyPair.sort());
    expect(findings.length).toBeGreaterThan(10);
  });
});

describe('the generated code of a definition', () => {
  it('is made when a resource first needs it, once, and only for the definitions a run evaluates', () => {
    const made: string[] = [];
    const real = globalThis.Function;
    // generate.ts builds each definition's code with `new Function`: count what is built, and for which rule.
    globalThis.Function = new Proxy(real, {
      construct(target, args: string[]) {
        made.push(args[args.length - 1]);
        return Reflect.construct(target, args);
      }
    });
    try {
      const definitions = loadPack();
      expect(made).toHaveLength(0);
      const vault = (name: string, purge: boolean) =>
        armResource({
          type: 'Microsoft.KeyVault/vaults',
          name,
          location: 'westeurope',
          properties: { enableSoftDelete: true, enablePurgeProtection: purge }
        });
      const findings = evaluateDefinitions(definitions, [vault('kv1', false), vault('kv2', true)]);
      const forVaults = definitions.filter(d => d.mayApply('Microsoft.KeyVault/vaults'));
      expect(forVaults.map(d => d.name).sort()).toEqual(['key-vault-purge-protection', 'key-vault-soft-delete']);
      expect(made).toHaveLength(forVaults.length);
      expect(made.every(source => source.includes('function generatedCondition'))).toBe(true);
      expect(findings.map(f => `${f.definition} ${f.resource.name} ${f.verdict}`).sort()).toEqual([
        'key-vault-purge-protection kv1 noncompliant',
        'key-vault-purge-protection kv2 compliant',
        'key-vault-soft-delete kv1 compliant',
        'key-vault-soft-delete kv2 compliant'
      ]);
      evaluateDefinitions(definitions, [vault('kv3', true)]);
      expect(made).toHaveLength(forVaults.length);
    } finally {
      globalThis.Function = real;
    }
  });
});
