/**
 * Explaining non-compliant verdicts: only the conditions that decided the verdict, in words, and
 * JSON pointers to the values at fault, most specific first. Definitions are real: cmk-guard's
 * compiled `foundry-tools-cmk` and built-ins copied unchanged from the corpus.
 *
 * How the `if` decides (allOf needs every condition, anyOf one or more, not inverts):
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#logical-operators
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  evaluateDefinitions,
  loadDefinition as loadWithCatalog,
  type CompiledDefinition
} from '../../src/engine/index.js';
import { fieldLabel, requirement, showValue } from '../../src/engine/explain.js';
import { expandTemplateFile } from '../../src/sources/index.js';
import type { Value } from '../../src/model/value.js';
import { Unknown } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';
import { withTestAliases } from '../support/test-aliases.js';

const loadDefinition = withTestAliases(loadWithCatalog);

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/engine');
const load = (file: string): CompiledDefinition =>
  loadDefinition({
    file,
    json: JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8').replace(/^\uFEFF/, ''))
  });
const account = (properties: { [key: string]: Value }, extra: { [key: string]: Value } = {}) =>
  armResource({
    name: 'acct',
    type: 'Microsoft.CognitiveServices/accounts',
    kind: 'OpenAI',
    location: 'westeurope',
    ...extra,
    properties
  });

describe("cmk-guard's compiled foundry-tools-cmk", () => {
  // A copy of policies/compiled/policyDefinitions/foundry-tools-cmk.json.
  const def = load('foundry-tools-cmk.json');
  const title = 'Foundry Tools accounts should encrypt data at rest with a customer-managed key';

  it('names the wrong key source and the missing key vault properties, not every field the rule reads', () => {
    const e = def.evaluate(account({ encryption: { keySource: 'Microsoft.CognitiveServices' } }));
    expect(e.verdict).toBe('noncompliant');
    // keyName and keyVaultUri are left out: their parent keyVaultProperties is already named as missing.
    expect(e.message).toBe(
      `${title}: encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault"; encryption.keyVaultProperties is missing, should exist.`
    );
    expect(e.pointers).toEqual(['/properties/encryption/keySource', '/properties/encryption']);
  });

  it('for a missing encryption block points at its nearest existing parent, properties', () => {
    const e = def.evaluate(account({ publicNetworkAccess: 'Disabled' }));
    expect(e.message).toBe(
      `${title}: encryption is missing, should exist; encryption.keySource is missing, should exist and be "Microsoft.KeyVault".`
    );
    expect(e.pointers).toEqual(['/properties']);
  });

  it('with only the vault URI missing, says so and points at keyVaultProperties', () => {
    const e = def.evaluate(
      account({ encryption: { keySource: 'microsoft.keyvault', keyVaultProperties: { keyName: 'cmk' } } })
    );
    expect(e.message).toBe(`${title}: encryption.keyVaultProperties.keyVaultUri is missing, should exist.`);
    expect(e.pointers).toEqual(['/properties/encryption/keyVaultProperties']);
  });

  it('leaves the type and kind conditions out: they only say what the rule is about', () => {
    const e = def.evaluate(account({ encryption: { keySource: 'Microsoft.CognitiveServices' } }, { kind: 'Face' }));
    expect(e.message).not.toMatch(/\bkind\b|\btype\b/);
  });

  it('puts the finding on the template line of the wrong keySource, and of properties when encryption is missing', () => {
    const template = path.join(fixtures, 'explain/foundry-accounts.json');
    const lines = fs.readFileSync(template, 'utf8').split('\n');
    const lineOf = (text: string) => lines.findIndex(l => l.includes(text)) + 1;
    const { resources } = expandTemplateFile(template);
    const findings = evaluateDefinitions([def], resources);
    expect(findings.map(f => [f.resource.name, f.verdict, f.resource.line])).toEqual([
      ['openai-service-managed', 'noncompliant', lineOf('"keySource": "Microsoft.CognitiveServices"')],
      ['speech-no-encryption', 'noncompliant', lineOf('"publicNetworkAccess"') - 1]
    ]);
  });
});

describe('built-in 67121cc7: Azure AI Services should encrypt data at rest with a CMK', () => {
  const def = load('builtin/CognitiveServices_CustomerManagedKey_Audit.json');
  const title = 'Azure AI Services resources should encrypt data at rest with a customer-managed key (CMK)';

  it('names keySource only (kind notIn excludedKinds scopes the rule)', () => {
    const e = def.evaluate(account({ encryption: { keySource: 'Microsoft.CognitiveServices' } }));
    expect(e.message).toBe(
      `${title}: encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault".`
    );
    expect(e.pointers).toEqual(['/properties/encryption/keySource']);
  });

  it('a missing keySource is not Microsoft.KeyVault; the pointer is the nearest parent that exists', () => {
    const e = def.evaluate(account({ encryption: {} }));
    expect(e.message).toBe(`${title}: encryption.keySource is missing, should be "Microsoft.KeyVault".`);
    expect(e.pointers).toEqual(['/properties/encryption']);
  });

  it('keeps the reason of an indeterminate verdict, and gives no pointers', () => {
    const e = def.evaluate(account({ encryption: { keySource: new Unknown('parameter `keySource`') } }));
    expect(e).toMatchObject({
      verdict: 'indeterminate',
      reason: 'depends on parameter `keySource`',
      message: `${title}: cannot be decided before deployment; it depends on parameter \`keySource\`.`,
      pointers: []
    });
  });

  it('says nothing more for a compliant account', () => {
    expect(def.evaluate(account({ encryption: { keySource: 'Microsoft.KeyVault' } }))).toMatchObject({
      verdict: 'compliant',
      message: `${title}: compliant.`,
      pointers: []
    });
  });

  it("explains with the assignment's parameter values", () => {
    // With Face excluded the account is out of scope; with the default list it is in.
    const face = account({}, { kind: 'Face' });
    expect(def.evaluate(face, { parameters: { excludedKinds: ['Face'] } }).applicable).toBe(false);
    expect(def.evaluate(face).message).toBe(
      `${title}: encryption.keySource is missing, should be "Microsoft.KeyVault".`
    );
  });
});

describe('count conditions', () => {
  // https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#count
  const def = load('builtin/CognitiveServices_UserOwnedStorage_Audit.json');
  const title = 'Cognitive Services accounts should use customer owned storage';

  it('gives the number counted and what it should be, pointing at the counted array', () => {
    const e = def.evaluate(
      account({ capabilities: [{ name: 'VirtualNetworks' }, { name: 'CustomerManagedStorage' }], userOwnedStorage: [] })
    );
    expect(e.message).toBe(
      `${title}: count of userOwnedStorage[*] is 0, should be at least 1; ` +
        'count of capabilities[*] where capabilities[*].name equals "CustomerManagedStorage" is 1, should be at most 0.'
    );
    // Equally specific pointers keep the rule's order.
    expect(e.pointers).toEqual(['/properties/userOwnedStorage', '/properties/capabilities']);
  });

  it('a count over a missing array points at its parent', () => {
    const e = def.evaluate(account({ capabilities: [{ name: 'CustomerManagedStorage' }] }));
    expect(e.message).toContain('count of userOwnedStorage[*] is 0, should be at least 1');
    expect(e.pointers).toEqual(['/properties/capabilities', '/properties']);
  });

  it('with members unknown before deployment, gives the least the count can be', () => {
    const d = loadDefinition({
      file: null,
      json: {
        displayName: 'No admin access policies',
        policyRule: {
          if: {
            count: {
              field: 'Microsoft.KeyVault/vaults/accessPolicies[*]',
              where: { field: 'Microsoft.KeyVault/vaults/accessPolicies[*].objectId', like: 'admin-*' }
            },
            greater: 0
          },
          then: { effect: 'audit' }
        }
      }
    });
    const vault = armResource({
      name: 'kv',
      type: 'Microsoft.KeyVault/vaults',
      properties: { accessPolicies: [{ objectId: 'admin-1' }, { objectId: new Unknown('parameter `principal`') }] }
    });
    const e = d.evaluate(vault);
    expect(e.message).toBe(
      'No admin access policies: count of accessPolicies[*] where accessPolicies[*].objectId like "admin-*" is at least 1, should be at most 0.'
    );
  });

  it('counts a value count with its where', () => {
    const d = loadDefinition({
      file: null,
      json: {
        displayName: 'At most one admin',
        policyRule: {
          if: {
            count: {
              value: "[field('Microsoft.KeyVault/vaults/accessPolicies[*].objectId')]",
              name: 'id',
              where: { value: "[current('id')]", like: 'admin-*' }
            },
            greater: 1
          },
          then: { effect: 'audit' }
        }
      }
    });
    const vault = armResource({
      name: 'kv',
      type: 'Microsoft.KeyVault/vaults',
      properties: { accessPolicies: [{ objectId: 'admin-1' }, { objectId: 'user-1' }, { objectId: 'admin-2' }] }
    });
    const e = d.evaluate(vault);
    expect(e.message).toBe(
      `At most one admin: count of [field('Microsoft.KeyVault/vaults/accessPolicies[*].objectId')] where [current('id')] like "admin-*" is 2, should be at most 1.`
    );
    expect(e.pointers).toEqual(['/properties/accessPolicies']);
  });
});

describe('[*] aliases', () => {
  // A condition on a [*] field must hold for every member:
  // https://learn.microsoft.com/azure/governance/policy/how-to/author-policies-for-arrays
  it('under not, points at the member that fails the inner condition (83a86a26, NICs without public IPs)', () => {
    const def = load('builtin/Network_NetworkPublicIPNic_Deny.json');
    const pip = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip';
    const nic = armResource({
      name: 'nic',
      type: 'Microsoft.Network/networkInterfaces',
      properties: {
        ipConfigurations: [
          { name: 'private', properties: { privateIPAddress: '10.0.0.4' } },
          { name: 'public', properties: { publicIPAddress: { id: pip } } }
        ]
      }
    });
    const e = def.evaluate(nic);
    expect(e.message).toBe(
      `Network interfaces should not have public IPs: ipconfigurations[*].publicIpAddress.id is ${showValue(pip)}, should not match "*".`
    );
    expect(e.pointers).toEqual(['/properties/ipConfigurations/1/properties/publicIPAddress/id']);
  });

  it('names every member without the property, pointing at each member (ea4d6841, Key Vault service endpoints)', () => {
    const def = load('builtin/Network_VirtualNetworkServiceEndpoint_KeyVault_Audit.json');
    const vault = armResource({
      name: 'kv',
      type: 'Microsoft.KeyVault/vaults',
      properties: {
        networkAcls: {
          defaultAction: 'Deny',
          virtualNetworkRules: [{ ignoreMissingVnetServiceEndpoint: true }, { ignoreMissingVnetServiceEndpoint: false }]
        }
      }
    });
    const e = def.evaluate(vault);
    expect(e.message).toBe(
      'Key Vault should use a virtual network service endpoint: networkAcls.virtualNetworkRules[*].id is [missing, missing], should exist.'
    );
    expect(e.pointers).toEqual([
      '/properties/networkAcls/virtualNetworkRules/0',
      '/properties/networkAcls/virtualNetworkRules/1'
    ]);
  });
});

describe('anyOf', () => {
  it('names only the branch that is true (fe3fd216, managed identity)', () => {
    const def = load('builtin/CognitiveServices_ManagedIdentity_Audit.json');
    const e = def.evaluate(account({}, { identity: { type: 'None' } }));
    expect(e.message).toBe(
      'Cognitive Services accounts should use a managed identity: identity.type is "None", should not be "None".'
    );
    expect(e.pointers).toEqual(['/identity/type']);
  });

  it('of ea4d6841, names the default action and not the rules that have ids', () => {
    const def = load('builtin/Network_VirtualNetworkServiceEndpoint_KeyVault_Audit.json');
    const vault = armResource({
      name: 'kv',
      type: 'Microsoft.KeyVault/vaults',
      properties: { networkAcls: { defaultAction: 'Allow', virtualNetworkRules: [{ id: 'subnet' }] } }
    });
    const e = def.evaluate(vault);
    expect(e.message).toBe(
      'Key Vault should use a virtual network service endpoint: networkAcls.defaultAction is "Allow", should be "Deny".'
    );
    expect(e.pointers).toEqual(['/properties/networkAcls/defaultAction']);
  });
});

describe('fields named by expressions, value conditions and rules about the type alone', () => {
  it('resolves a tag named by a parameter (871b6d14, require a tag)', () => {
    const def = load('builtin/Tags_RequireTag_Deny.json');
    const e = def.evaluate(
      armResource({ name: 'st', type: 'Microsoft.Storage/storageAccounts', tags: { env: 'prod' }, properties: {} }),
      { parameters: { tagName: 'costCenter' } }
    );
    expect(e.message).toBe('Require a tag on resources: tags[costCenter] is missing, should exist.');
    expect(e.pointers).toEqual(['/tags']);
  });

  it('names the type when nothing else decided (a08ec900, allowed resource types)', () => {
    const def = load('builtin/General_AllowedResourceTypes_Deny.json');
    const e = def.evaluate(armResource({ name: 'st', type: 'Microsoft.Storage/storageAccounts', properties: {} }), {
      parameters: { listOfResourceTypesAllowed: ['Microsoft.KeyVault/vaults'] }
    });
    expect(e.message).toBe(
      'Allowed resource types: type is "Microsoft.Storage/storageAccounts", should be one of ["Microsoft.KeyVault/vaults"].'
    );
    expect(e.pointers).toEqual(['/type']);
  });

  it('says nothing more than the display name when the rule flags every resource of a type', () => {
    const def = loadDefinition({
      file: null,
      json: {
        displayName: 'Review every vault by hand',
        policyRule: { if: { field: 'type', equals: 'Microsoft.KeyVault/vaults' }, then: { effect: 'audit' } }
      }
    });
    const e = def.evaluate(armResource({ name: 'kv', type: 'Microsoft.KeyVault/vaults', properties: {} }));
    expect(e).toMatchObject({ verdict: 'noncompliant', message: 'Review every vault by hand.', pointers: [] });
  });

  it('leaves out a value condition on the resource group, as it says nothing of the resource', () => {
    const def = loadDefinition({
      file: null,
      json: {
        displayName: 'Vaults outside managed groups need purge protection',
        policyRule: {
          if: {
            allOf: [
              { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
              { value: '[resourceGroup().managedBy]', notContains: '/providers/Microsoft.Synapse/' },
              { field: 'Microsoft.KeyVault/vaults/enablePurgeProtection', notEquals: true }
            ]
          },
          then: { effect: 'audit' }
        }
      }
    });
    const e = def.evaluate(armResource({ name: 'kv', type: 'Microsoft.KeyVault/vaults', properties: {} }));
    expect(e.message).toBe(
      'Vaults outside managed groups need purge protection: enablePurgeProtection is missing, should be true.'
    );
    expect(e.pointers).toEqual(['/properties']);
  });

  it('describes a value condition on the resource, and leaves out a gate on the parameters', () => {
    const def = loadDefinition({
      file: null,
      json: {
        displayName: 'Few access policies',
        parameters: { enforce: { type: 'Boolean', defaultValue: true } },
        policyRule: {
          if: {
            allOf: [
              { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
              { value: "[parameters('enforce')]", equals: true },
              { value: "[length(field('Microsoft.KeyVault/vaults/accessPolicies'))]", greater: 2 }
            ]
          },
          then: { effect: 'audit' }
        }
      }
    });
    const vault = armResource({
      name: 'kv',
      type: 'Microsoft.KeyVault/vaults',
      properties: { accessPolicies: [{ objectId: 'a' }, { objectId: 'b' }, { objectId: 'c' }] }
    });
    const e = def.evaluate(vault);
    expect(e.message).toBe(
      "Few access policies: [length(field('Microsoft.KeyVault/vaults/accessPolicies'))] is 3, should be at most 2."
    );
    expect(e.pointers).toEqual(['/properties/accessPolicies']);
  });

  it('does not repeat the alias remarks of loading when it explains', () => {
    const def = loadDefinition({
      file: null,
      json: {
        displayName: 'Widgets are blue',
        policyRule: {
          if: { field: 'Microsoft.Example/widgets/colour', notEquals: 'blue' },
          then: { effect: 'audit' }
        }
      }
    });
    const notes = [...def.notes];
    const e = def.evaluate(
      armResource({ name: 'w', type: 'Microsoft.Example/widgets', properties: { colour: 'red' } })
    );
    expect(e.message).toBe('Widgets are blue: colour is "red", should be "blue".');
    expect(e.pointers).toEqual(['/properties/colour']);
    expect(def.notes).toEqual(notes);
  });

  it('says "and N more" past four conditions', () => {
    const def = loadDefinition({
      file: null,
      json: {
        displayName: 'All set',
        policyRule: {
          if: {
            anyOf: ['a', 'b', 'c', 'd', 'e', 'f'].map(p => ({ field: `Microsoft.Example/widgets/${p}`, exists: false }))
          },
          then: { effect: 'audit' }
        }
      }
    });
    const e = def.evaluate(armResource({ name: 'w', type: 'Microsoft.Example/widgets', properties: {} }));
    expect(e.message).toBe(
      'All set: a is missing, should exist; b is missing, should exist; c is missing, should exist; d is missing, should exist; and 2 more.'
    );
    expect(e.pointers).toEqual(['/properties']);
  });
});

describe('working out an explanation', () => {
  it('evaluates each condition once, however deep it is nested', () => {
    // The type condition, three levels down, reads the resource's type each time it is evaluated.
    const def = loadDefinition({
      file: 'nested.json',
      json: {
        name: 'nested',
        properties: {
          displayName: 'Nested',
          mode: 'Indexed',
          policyRule: {
            if: {
              allOf: [
                {
                  anyOf: [
                    {
                      allOf: [
                        { field: 'type', equals: 'Microsoft.CognitiveServices/accounts' },
                        { field: 'kind', equals: 'OpenAI' }
                      ]
                    },
                    { field: 'name', equals: 'other' }
                  ]
                },
                { field: 'Microsoft.CognitiveServices/accounts/encryption.keySource', notEquals: 'Microsoft.KeyVault' }
              ]
            },
            then: { effect: 'deny' }
          }
        }
      }
    });
    const resource = account({ encryption: { keySource: 'Microsoft.CognitiveServices' } });
    let typeReads = 0;
    Object.defineProperty(resource, 'type', {
      get: () => (typeReads++, 'Microsoft.CognitiveServices/accounts'),
      enumerable: true
    });
    const e = def.evaluate(resource);
    expect(e.verdict).toBe('noncompliant');
    const evaluating = typeReads;
    expect(e.message).toBe(
      'Nested: encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault".'
    );
    expect(typeReads - evaluating).toBe(1);
  });

  it('sorts nothing when one fault at one place decides', () => {
    const def = load('foundry-tools-cmk.json');
    const e = def.evaluate(
      account({
        encryption: { keySource: 'Microsoft.CognitiveServices', keyVaultProperties: { keyName: 'k', keyVaultUri: 'u' } }
      })
    );
    const sort = Array.prototype.sort;
    let sorts = 0;
    Array.prototype.sort = function <T>(this: T[], compare?: (a: T, b: T) => number) {
      sorts++;
      return sort.call(this, compare) as T[];
    };
    let message: string;
    try {
      message = e.message;
    } finally {
      Array.prototype.sort = sort;
    }
    expect(message).toBe(
      'Foundry Tools accounts should encrypt data at rest with a customer-managed key: encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault".'
    );
    expect(e.pointers).toEqual(['/properties/encryption/keySource']);
    expect(sorts).toBe(0);
  });

  it('words what a constant asks once, and escapes no pointer token that needs no escaping', () => {
    const def = load('foundry-tools-cmk.json');
    const verdicts = ['acct1', 'acct2', 'acct3'].map(name =>
      def.evaluate(account({ encryption: { keySource: 'Microsoft.CognitiveServices' } }, { name }))
    );
    const stringify = JSON.stringify;
    const replace = String.prototype.replace;
    let operandWorded = 0;
    let replaced = 0;
    JSON.stringify = ((value: unknown, ...rest: []) => {
      if (value === 'Microsoft.KeyVault') operandWorded++;
      return stringify(value, ...rest);
    }) as typeof JSON.stringify;
    String.prototype.replace = function (this: string, ...args: Parameters<string['replace']>) {
      replaced++;
      return replace.apply(this, args);
    } as typeof replace;
    let messages: string[];
    try {
      messages = verdicts.map(e => e.message);
    } finally {
      JSON.stringify = stringify;
      String.prototype.replace = replace;
    }
    expect(new Set(messages)).toEqual(
      new Set([
        'Foundry Tools accounts should encrypt data at rest with a customer-managed key: encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault"; encryption.keyVaultProperties is missing, should exist.'
      ])
    );
    expect(verdicts[0].pointers).toEqual(['/properties/encryption/keySource', '/properties/encryption']);
    expect(operandWorded).toBe(1);
    expect(replaced).toBe(0);
  });
});

describe('wording', () => {
  it.each([
    ['equals', 'x', false, 'not be "x"'],
    ['notEquals', 'Microsoft.KeyVault', false, 'be "Microsoft.KeyVault"'],
    ['exists', false, false, 'exist'],
    ['exists', 'true', false, 'not exist'],
    ['exists', true, true, 'exist'],
    ['in', ['a', 'b'], true, 'be one of ["a", "b"]'],
    ['notIn', ['a'], false, 'be one of ["a"]'],
    ['like', 'kv-*', true, 'match "kv-*"'],
    ['notMatchInsensitively', '##', false, 'match the pattern "##" (ignoring case)'],
    ['containsKey', 'env', true, 'have the key "env"'],
    ['notContains', 'x', false, 'contain "x"'],
    ['less', 1, false, 'be at least 1'],
    ['lessOrEquals', 0, false, 'be greater than 0'],
    ['greater', 0, false, 'be at most 0'],
    ['greaterOrEquals', '2024-01-01', false, 'be less than "2024-01-01"']
  ] as const)('%s %j, holds=%s → should %s', (op, operand, holds, words) => {
    expect(requirement(op, operand as Value, holds)).toBe(words);
  });

  it.each([
    ['Microsoft.CognitiveServices/accounts/encryption.keySource', 'encryption.keySource'],
    [
      'Microsoft.Network/networkSecurityGroups/securityRules[*].destinationPortRange',
      'securityRules[*].destinationPortRange'
    ],
    ["tags['a/b']", "tags['a/b']"],
    ['identity.type', 'identity.type']
  ])('labels %s as %s', (alias, label) => {
    expect(fieldLabel(alias)).toBe(label);
  });

  it('shortens long lists to about 80 characters and says how many there are', () => {
    const kinds = Array.from({ length: 20 }, (_, i) => `Kind${i}`);
    expect(showValue(kinds)).toBe(
      '["Kind0", "Kind1", "Kind2", "Kind3", "Kind4", "Kind5", "Kind6", "Kind7", … (20 in all)]'
    );
    expect(showValue(['a', 'b'])).toBe('["a", "b"]');
    expect(showValue('x'.repeat(100))).toBe(`"${'x'.repeat(78)}…`);
  });
});
