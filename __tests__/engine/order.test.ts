/**
 * The order and grain of evaluation.
 * BASICS = https://learn.microsoft.com/azure/governance/policy/concepts/effect-basics#order-of-evaluation
 *   "append and modify are then evaluated. Since either could alter the request, a change made might
 *   prevent an audit or deny effect from triggering … deny is then evaluated … audit is evaluated."
 * DENY = https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny
 *   "When creating or updating a matched resource in a Resource Manager mode, deny prevents the
 *   request before being sent to the Resource Provider."
 * APPEND = https://learn.microsoft.com/azure/governance/policy/concepts/effect-append
 * MODIFY = https://learn.microsoft.com/azure/governance/policy/concepts/effect-modify
 *
 * A template sends one PUT per declaration of a resource: Deny sees each, in deployment order; Audit
 * and the other effects see the resource as it ends up, after Append and Modify.
 */
import { describe, expect, test } from '@jest/globals';
import { evaluateDefinitions, loadDefinition, type CompiledDefinition } from '../../src/engine/index.js';
import type { Finding } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import type { Value } from '../../src/model/value.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';
import { armResource } from '../support/arm-resource.js';
import { armTemplate, nestedDeployment } from '../support/arm-templates.js';

type Obj = { [key: string]: Value };
const ACCOUNTS = 'Microsoft.CognitiveServices/accounts';
const role = '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c';

/** The resources a template deploys, each declaration of a resource kept as a write of its own. */
function deploy(resources: object[]): Resource[] {
  const text = JSON.stringify(armTemplate(resources), null, 2);
  return expandTemplateDocument(parseJsonWithPositions(text, 'main.json')).resources;
}

const lineOf = (resources: object[], needle: string): number => {
  const lines = JSON.stringify(armTemplate(resources), null, 2).split('\n');
  return lines.findIndex(l => l.includes(needle)) + 1;
};

function definition(name: string, ifCondition: Obj, then: Obj, parameters: Obj = {}): CompiledDefinition {
  return loadDefinition({
    file: `${name}.json`,
    json: {
      name,
      properties: { displayName: name, mode: 'Indexed', parameters, policyRule: { if: ifCondition, then } }
    }
  });
}

/** "Accounts should use a customer-managed key": the pack's rule in its simplest form, effect by parameter. */
const cmk = definition(
  'cmk',
  {
    allOf: [
      { field: 'type', equals: ACCOUNTS },
      { field: 'Microsoft.CognitiveServices/accounts/encryption.keySource', notEquals: 'Microsoft.KeyVault' }
    ]
  },
  { effect: "[parameters('effect')]" },
  { effect: { type: 'String', defaultValue: 'Audit', allowedValues: ['Audit', 'Deny', 'Disabled'] } }
);

const account = (name: string, properties: Obj, extra: Obj = {}) => ({
  type: ACCOUNTS,
  apiVersion: '2024-10-01',
  name,
  location: 'eastus2',
  kind: 'AIServices',
  sku: { name: 'S0' },
  identity: { type: 'SystemAssigned' },
  properties,
  ...extra
});

const withKey = {
  encryption: {
    keySource: 'Microsoft.KeyVault',
    keyVaultProperties: { keyName: 'k', keyVaultUri: 'https://kv.vault.azure.net/' }
  }
};

/** A nested deployment that declares `resources` again (inner scope). */
const nested = (name: string, resources: object[], dependsOn: string[] = []) =>
  nestedDeployment(name, resources, { dependsOn, scope: 'inner' });

const only = (findings: Finding[], definitionName: string): Finding => {
  const mine = findings.filter(f => f.definition === definitionName);
  expect(mine).toHaveLength(1);
  return mine[0];
};

describe('DENY sees each write; audit the end state (BASICS)', () => {
  // The Foundry CMK samples: created without a key so the system-assigned identity exists, then given one.
  const twoStep = [
    account('foundry', { publicNetworkAccess: 'Enabled' }),
    nested('set-key', [account('foundry', withKey)], ['foundry'])
  ];
  const resources = deploy(twoStep);

  test('one resource, two declarations: the end state with the earlier write kept as a write of its own', () => {
    expect(resources).toHaveLength(1);
    expect(resources[0].priorWrites).toHaveLength(1);
    expect(resources[0].priorWrites![0].json.properties).toEqual({ publicNetworkAccess: 'Enabled' });
  });

  test('under Audit the account ends compliant', () => {
    expect(only(evaluateDefinitions([cmk], resources), 'cmk').verdict).toBe('compliant');
  });

  test('under Deny the first write is refused, on its line, and the finding says why and what to do', () => {
    const finding = only(evaluateDefinitions([cmk], resources, { parameters: { cmk: { effect: 'Deny' } } }), 'cmk');
    expect(finding.verdict).toBe('noncompliant');
    expect(finding.effect).toBe('Deny');
    expect(finding.severity).toBe('error');
    expect(finding.resource.line).toBe(lineOf(twoStep, '"publicNetworkAccess": "Enabled"') - 1);
    expect(finding.message).toMatch(/Deny evaluates each write as it is sent: this is write 1 of 2 of foundry/);
    expect(finding.message).toMatch(
      /though the write at main\.json:\d+ would comply\. Give the resource its final properties in its first write\./
    );
  });

  test('a later write that breaks the rule is the one refused, and the end state is noncompliant under Audit too', () => {
    const reversed = deploy([account('foundry', withKey), nested('drop-key', [account('foundry', {})], ['foundry'])]);
    const deny = only(evaluateDefinitions([cmk], reversed, { parameters: { cmk: { effect: 'Deny' } } }), 'cmk');
    expect(deny.verdict).toBe('noncompliant');
    expect(deny.message).toMatch(/this is write 2 of 2/);
    expect(deny.message).not.toMatch(/would comply/);
    expect(only(evaluateDefinitions([cmk], reversed), 'cmk').verdict).toBe('noncompliant');
  });

  test('every write compliant: compliant, on the end state', () => {
    const both = deploy([account('foundry', withKey), nested('again', [account('foundry', withKey)], ['foundry'])]);
    const finding = only(evaluateDefinitions([cmk], both, { parameters: { cmk: { effect: 'Deny' } } }), 'cmk');
    expect(finding.verdict).toBe('compliant');
  });

  test('a definition whose effect is the literal "deny" is evaluated per write the same way', () => {
    const literal = definition(
      'literal-deny',
      {
        allOf: [
          { field: 'type', equals: ACCOUNTS },
          { field: 'Microsoft.CognitiveServices/accounts/encryption.keySource', notEquals: 'Microsoft.KeyVault' }
        ]
      },
      { effect: 'deny' }
    );
    expect(only(evaluateDefinitions([literal], resources), 'literal-deny').verdict).toBe('noncompliant');
  });

  test('a write that deploys only if something unknown holds may be refused: indeterminate, saying why', () => {
    const conditional = deploy([
      { ...account('foundry', {}), condition: "[equals(resourceGroup().tags.stage, 'first')]" },
      nested('set-key', [account('foundry', withKey)], ['foundry'])
    ]);
    const finding = only(evaluateDefinitions([cmk], conditional, { parameters: { cmk: { effect: 'Deny' } } }), 'cmk');
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.reason).toMatch(/deployed only if/);
  });

  test('a snapshot resource is one state, not a request: evaluated as it is', () => {
    const snapshot = armResource({ type: ACCOUNTS, name: 'live', properties: {} });
    expect(
      only(evaluateDefinitions([cmk], [snapshot], { parameters: { cmk: { effect: 'Deny' } } }), 'cmk').verdict
    ).toBe('noncompliant');
  });
});

describe('Append and Modify change the request before Deny and Audit see it (BASICS, MODIFY, APPEND)', () => {
  const openToPublic: Obj = {
    allOf: [
      { field: 'type', equals: ACCOUNTS },
      { field: 'Microsoft.CognitiveServices/accounts/publicNetworkAccess', notEquals: 'Disabled' }
    ]
  };
  const setPrivate: Obj = {
    effect: 'modify',
    details: {
      roleDefinitionIds: [role],
      operations: [
        {
          operation: 'addOrReplace',
          field: 'Microsoft.CognitiveServices/accounts/publicNetworkAccess',
          value: 'Disabled'
        }
      ]
    }
  };
  const publicAccess = (effect: string) => definition(`public-${effect.toLowerCase()}`, openToPublic, { effect });
  const disablePublic = definition('disable-public', openToPublic, setPrivate);
  const open = deploy([account('open', { publicNetworkAccess: 'Enabled' })]);

  test('"a change made might prevent an audit or deny effect from triggering": a Modify that disables public access stops a Deny', () => {
    const findings = evaluateDefinitions([disablePublic, publicAccess('Deny'), publicAccess('Audit')], open);
    expect(only(findings, 'public-deny').verdict).toBe('compliant');
    expect(only(findings, 'public-audit').verdict).toBe('compliant');
  });

  test('the Modify finding shows what the modification changes, and is compliant once applied', () => {
    const finding = only(evaluateDefinitions([disablePublic], open), 'disable-public');
    expect(finding.verdict).toBe('compliant');
    expect(finding.message).toMatch(
      /On deployment Azure changes the request: sets properties\.publicNetworkAccess to "Disabled" \(was "Enabled"\)\./
    );
  });

  test('without the Modify the same Deny fires', () => {
    expect(only(evaluateDefinitions([publicAccess('Deny')], open), 'public-deny').verdict).toBe('noncompliant');
  });

  test('"Existing resources": on a snapshot Modify changes nothing and marks it non-compliant', () => {
    const snapshot = armResource({ type: ACCOUNTS, name: 'live', properties: { publicNetworkAccess: 'Enabled' } });
    const findings = evaluateDefinitions([disablePublic, publicAccess('Deny')], [snapshot]);
    expect(only(findings, 'disable-public').verdict).toBe('noncompliant');
    expect(only(findings, 'public-deny').verdict).toBe('noncompliant');
  });

  describe('an operation whose value or condition fails is no value to write (RULE#avoiding-template-failures)', () => {
    const failing = (part: 'value' | 'condition') =>
      definition(`failing-${part}`, openToPublic, {
        effect: 'modify',
        details: {
          roleDefinitionIds: [role],
          operations: [
            {
              operation: 'addOrReplace',
              field: 'Microsoft.CognitiveServices/accounts/publicNetworkAccess',
              value: part === 'value' ? "[substring(field('name'), 0, 50)]" : 'Disabled',
              ...(part === 'condition' ? { condition: "[equals(int(field('name')), 1)]" } : {})
            }
          ]
        }
      });
    test.each(['value', 'condition'] as const)(
      'a template request whose Modify %s fails is refused: an implicit deny, not a change',
      part => {
        const findings = evaluateDefinitions([failing(part), publicAccess('Audit')], open);
        const finding = only(findings, `failing-${part}`);
        expect(finding.verdict).toBe('noncompliant');
        expect(finding.severity).toBe('error');
        expect(finding.message).toMatch(
          new RegExp(
            `the ${part} of its addOrReplace operation on .*publicNetworkAccess fails \\(.*\\), and Azure takes a failed evaluation as an implicit deny of the request`
          )
        );
        expect(finding.message).not.toMatch(/changes the request/);
        // Nothing was written: Audit sees the request as it was sent.
        expect(only(findings, 'public-audit').verdict).toBe('noncompliant');
      }
    );
    test('an existing resource is judged on its if alone: the operations run only on a request or a remediation', () => {
      const snapshot = armResource({ type: ACCOUNTS, name: 'live', properties: { publicNetworkAccess: 'Enabled' } });
      const finding = only(evaluateDefinitions([failing('value')], [snapshot]), 'failing-value');
      expect(finding.verdict).toBe('noncompliant');
      expect(finding.message).not.toMatch(/implicit deny|changes the request/);
    });
  });

  describe('tags: addOrReplace, add, remove, and an operation condition', () => {
    const tagging = definition(
      'tagging',
      { field: 'type', equals: ACCOUNTS },
      {
        effect: 'modify',
        details: {
          roleDefinitionIds: [role],
          operations: [
            { operation: 'addOrReplace', field: "tags['environment']", value: 'Test' },
            { operation: 'Remove', field: "tags['TempResource']" },
            { operation: 'add', field: "tags['owner']", value: 'platform' },
            { operation: 'add', field: "tags['costCenter']", value: 'cc-1' },
            {
              condition: "[equals(parameters('stamp'), 'yes')]",
              operation: 'addOrReplace',
              field: "tags['stamped']",
              value: 'yes'
            }
          ]
        }
      },
      { stamp: { type: 'String', defaultValue: 'no' } }
    );
    const requireTest = definition(
      'require-test-tag',
      {
        allOf: [
          { field: 'type', equals: ACCOUNTS },
          { field: "tags['environment']", notEquals: 'Test' }
        ]
      },
      { effect: 'deny' }
    );
    const tagged = deploy([
      account('tagged', {}, { tags: { environment: 'Prod', TempResource: 'x', owner: 'team-a' } })
    ]);

    test('replaces environment, removes TempResource, adds costCenter, keeps the owner there is, skips the stamp', () => {
      const findings = evaluateDefinitions([tagging, requireTest], tagged);
      const message = only(findings, 'tagging').message;
      expect(message).toMatch(/sets tags\.environment to "Test" \(was "Prod"\)/);
      expect(message).toMatch(/removes tags\.TempResource/);
      expect(message).toMatch(/adds tags\.costCenter = "cc-1"/);
      expect(message).not.toMatch(/owner|stamped/);
      expect(only(findings, 'require-test-tag').verdict).toBe('compliant');
    });

    test('tags are created on a request that has none', () => {
      const bare = deploy([account('bare', {})]);
      expect(only(evaluateDefinitions([tagging, requireTest], bare), 'require-test-tag').verdict).toBe('compliant');
    });
  });

  test('"If the parent property … isn\'t present in the request, modification is skipped"', () => {
    const nestedProperty = definition(
      'bypass',
      { field: 'type', equals: ACCOUNTS },
      {
        effect: 'modify',
        details: {
          roleDefinitionIds: [role],
          conflictEffect: 'audit',
          operations: [
            {
              operation: 'addOrReplace',
              field: 'Microsoft.CognitiveServices/accounts/networkAcls.defaultAction',
              value: 'Deny'
            }
          ]
        }
      }
    );
    const finding = only(evaluateDefinitions([nestedProperty], deploy([account('no-acls', {})])), 'bypass');
    expect(finding.message).toMatch(
      /Skipped: .*the request has no properties\.networkAcls, so the operation is skipped/
    );
  });

  test('example 3 of the modify page: the operation applies only where requestContext().apiVersion is 2019-04-01 or later', () => {
    const noPublicBlobs = definition(
      'no-public-blobs',
      { field: 'type', equals: 'Microsoft.Storage/storageAccounts' },
      {
        effect: 'modify',
        details: {
          roleDefinitionIds: [role],
          conflictEffect: 'audit',
          operations: [
            {
              condition: "[greaterOrEquals(requestContext().apiVersion, '2019-04-01')]",
              operation: 'addOrReplace',
              field: 'Microsoft.Storage/storageAccounts/allowBlobPublicAccess',
              value: false
            }
          ]
        }
      }
    );
    const storageAt = (apiVersion: string) =>
      deploy([
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion,
          name: 'st',
          location: 'westus',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          properties: { allowBlobPublicAccess: true }
        }
      ]);
    expect(only(evaluateDefinitions([noPublicBlobs], storageAt('2019-06-01')), 'no-public-blobs').message).toMatch(
      /sets properties\.allowBlobPublicAccess to false \(was true\)/
    );
    expect(only(evaluateDefinitions([noPublicBlobs], storageAt('2018-07-01')), 'no-public-blobs').message).not.toMatch(
      /changes the request/
    );
  });

  test('identity.type is modified on virtual machines and scale sets only: elsewhere the definition does not apply', () => {
    const identity = definition(
      'identity',
      { field: 'type', equals: ACCOUNTS },
      {
        effect: 'modify',
        details: {
          roleDefinitionIds: [role],
          operations: [{ operation: 'addOrReplace', field: 'identity.type', value: 'SystemAssigned' }]
        }
      }
    );
    expect(evaluateDefinitions([identity], deploy([account('a', {})]))).toEqual([]);
  });

  describe('APPEND', () => {
    const storage = (properties: Obj) =>
      deploy([
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2023-01-01',
          name: 'st',
          location: 'westus',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          properties
        }
      ]);
    const storageType = { field: 'type', equals: 'Microsoft.Storage/storageAccounts' };
    const appendRules = definition('append-rules', storageType, {
      effect: 'append',
      details: [
        {
          field: 'Microsoft.Storage/storageAccounts/networkAcls.ipRules[*]',
          value: { value: '40.40.40.40', action: 'Allow' }
        }
      ]
    });
    const appendWhole = definition('append-whole', storageType, {
      effect: 'append',
      details: [
        {
          field: 'Microsoft.Storage/storageAccounts/networkAcls.ipRules',
          value: [{ action: 'Allow', value: '134.5.0.0/21' }]
        }
      ]
    });

    test('"use the [*] version of the alias" to add to an array; "Arrays that don\'t exist are created"', () => {
      const existing = only(
        evaluateDefinitions(
          [appendRules],
          storage({ networkAcls: { ipRules: [{ value: '1.1.1.1', action: 'Allow' }] } })
        ),
        'append-rules'
      );
      expect(existing.message).toMatch(
        /networkAcls\.ipRules to \[\{"value":"1\.1\.1\.1","action":"Allow"\},\{"value":"40\.40\.40\.40","action":"Allow"\}\]/
      );
      const none = only(evaluateDefinitions([appendRules], storage({})), 'append-rules');
      expect(none.message).toMatch(/adds properties\.networkAcls\.ipRules = \[\{"value":"40\.40\.40\.40"/);
    });

    test('"If the append effect would override a value in the original request with a different value, then it acts as a deny effect"', () => {
      const finding = only(
        evaluateDefinitions(
          [appendWhole],
          storage({ networkAcls: { ipRules: [{ action: 'Allow', value: '10.0.0.0/8' }] } })
        ),
        'append-whole'
      );
      expect(finding.verdict).toBe('noncompliant');
      expect(finding.severity).toBe('error');
      expect(finding.message).toMatch(/Azure rejects the request as a deny would/);
    });

    test('the same value already there is no conflict', () => {
      const finding = only(
        evaluateDefinitions(
          [appendWhole],
          storage({ networkAcls: { ipRules: [{ action: 'allow', value: '134.5.0.0/21' }] } })
        ),
        'append-whole'
      );
      expect(finding.message).not.toMatch(/rejects/);
    });
  });

  describe('conflictEffect when two Modify definitions change the same property (MODIFY)', () => {
    const setEnv = (name: string, value: string, conflictEffect: string) =>
      definition(
        name,
        { field: 'type', equals: ACCOUNTS },
        {
          effect: 'modify',
          details: {
            roleDefinitionIds: [role],
            conflictEffect,
            operations: [{ operation: 'addOrReplace', field: "tags['env']", value }]
          }
        }
      );
    const envIs = (value: string) =>
      definition(
        `env-${value}`,
        {
          allOf: [
            { field: 'type', equals: ACCOUNTS },
            { field: "tags['env']", notEquals: value }
          ]
        },
        { effect: 'audit' }
      );
    const plain = deploy([account('plain', {})]);

    test('"the policy definition with deny takes precedence. Policy definitions with audit skip all operations"', () => {
      const findings = evaluateDefinitions(
        [setEnv('a', 'one', 'audit'), setEnv('b', 'two', 'deny'), envIs('two')],
        plain
      );
      expect(only(findings, 'env-two').verdict).toBe('compliant');
      expect(only(findings, 'a').message).toMatch(
        /Its operations are not applied: it changes the same property as 'b'/
      );
    });

    test('"If more than one policy definition has the effect deny, the request is denied as a conflict"', () => {
      const findings = evaluateDefinitions([setEnv('a', 'one', 'deny'), setEnv('b', 'two', 'deny')], plain);
      expect(only(findings, 'a').verdict).toBe('noncompliant');
      expect(only(findings, 'a').message).toMatch(/denies the request as a conflict/);
    });

    test('"If all policy definitions have audit, then none of the operations of the conflicting policy definitions are processed"', () => {
      const findings = evaluateDefinitions(
        [setEnv('a', 'one', 'audit'), setEnv('b', 'two', 'audit'), envIs('one'), envIs('two')],
        plain
      );
      expect(only(findings, 'env-one').verdict).toBe('noncompliant');
      expect(only(findings, 'env-two').verdict).toBe('noncompliant');
    });
  });

  test('a Modify whose if cannot be known before deployment changes nothing, and its own verdict says what it depends on', () => {
    const unknownIf = definition('maybe', openToPublic, setPrivate);
    const resources = deploy([account('unknown', { publicNetworkAccess: "[reference('somewhere').access]" })]);
    const findings = evaluateDefinitions([unknownIf, publicAccess('Deny')], resources);
    expect(only(findings, 'maybe').verdict).toBe('indeterminate');
    expect(only(findings, 'public-deny').verdict).toBe('indeterminate');
  });

  test('Modify applies to every write before Deny sees it', () => {
    const twoWrites = deploy([
      account('w', { publicNetworkAccess: 'Enabled' }),
      nested('again', [account('w', { publicNetworkAccess: 'Enabled', disableLocalAuth: true })], ['w'])
    ]);
    expect(only(evaluateDefinitions([disablePublic, publicAccess('Deny')], twoWrites), 'public-deny').verdict).toBe(
      'compliant'
    );
  });
});
