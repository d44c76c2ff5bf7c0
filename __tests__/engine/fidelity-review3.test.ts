/**
 * The third fidelity review's cases: documented Azure Policy behaviour the engine disagreed with or had no case for,
 * one named case each, with the page that states it.
 * RULE = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule
 * APPLICABILITY = https://learn.microsoft.com/azure/governance/policy/concepts/policy-applicability
 */
import {
  DefinitionError,
  evaluateDefinitions,
  loadDefinition as loadWithCatalog,
  type EvaluateOptions
} from '../../src/engine/index.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument, type DeploymentContext } from '../../src/sources/templates.js';
import { armTemplate } from '../support/arm-templates.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';
import { withTestAliases } from '../support/test-aliases.js';

const loadDefinition = withTestAliases(loadWithCatalog);

type Obj = { [key: string]: Value };

const testResource: Obj = {
  name: 'res1',
  type: 'Microsoft.Test/resourceType',
  location: 'westeurope',
  tags: { env: 'prod' },
  properties: { text: 'Hello-World', keySource: new Unknown('parameter `keySource`') }
};

/** 'true' (noncompliant), 'false' (compliant or not applicable), or 'indeterminate'. */
function holds(condition: unknown, json: Obj = testResource, options: EvaluateOptions = {}, parameters: Obj = {}) {
  const def = loadDefinition({
    file: null,
    json: { properties: { mode: 'All', parameters, policyRule: { if: condition, then: { effect: 'audit' } } } }
  });
  const e = def.evaluate(armResource(json), options);
  if (!e.applicable || e.verdict === 'compliant') return 'false';
  return e.verdict === 'noncompliant' ? 'true' : e.verdict;
}

/** The brief's list of documented behaviours, each checked; these held before this review and are kept so. */
describe('documented behaviours checked (RULE, ARRAYS = author-policies-for-arrays)', () => {
  const field = (alias: string) => `Microsoft.Test/resourceType/${alias}`;
  const withRules: Obj = {
    ...testResource,
    kind: 'StorageV2',
    properties: { rules: [{ value: '1.2.3.4' }, { value: '9.9.9.9' }], empty: [] }
  };
  it.each<[string, Obj, string]>([
    ['dates compare as instants across layouts', { value: '2024-05-01', less: '2024-05-01T10:00:00Z' }, 'true'],
    [
      'dates compare as instants across offsets',
      { value: '2024-05-01T10:00:00+02:00', less: '2024-05-01T09:00:00Z' },
      'true'
    ],
    [
      '[*] on an empty array: a condition on every member holds',
      { field: field('empty[*].value'), equals: 'x' },
      'true'
    ],
    ['[*] on a missing array holds too', { field: field('missing[*].value'), notEquals: 'x' }, 'true'],
    ['notLike on a missing field holds', { field: field('missing'), notLike: '*' }, 'true'],
    ["field('kind') reads the kind", { value: "[field('kind')]", equals: 'storagev2' }, 'true'],
    [
      'nested value counts: current() names the count it means',
      {
        count: {
          value: ['a', 'b'],
          name: 'outer',
          where: {
            count: {
              value: ['A', 'c'],
              name: 'inner',
              where: { value: "[current('outer')]", equals: "[current('inner')]" }
            },
            greater: 0
          }
        },
        equals: 1
      },
      'true'
    ],
    [
      "a field count inside a value count compares each member with the value count's current()",
      {
        count: {
          value: ['1.2.3.4', '5.6.7.8'],
          name: 'ip',
          where: {
            count: { field: field('rules[*]'), where: { field: field('rules[*].value'), equals: "[current('ip')]" } },
            greater: 0
          }
        },
        equals: 1
      },
      'true'
    ]
  ])('%s', (_label, condition, expected) => {
    expect(holds(condition, withRules)).toBe(expected);
  });
  it('a location of Global compares as global, without regard to case', () => {
    expect(holds({ field: 'location', equals: 'global' }, { ...withRules, location: 'Global' })).toBe('true');
    expect(holds({ field: 'location', equals: 'global' }, withRules)).toBe('false');
  });
  it('in and notIn take an array: a string is refused at load', () => {
    const load = (op: string) =>
      loadDefinition({
        file: 'in.json',
        json: {
          properties: { policyRule: { if: { field: 'location', [op]: 'westeurope' }, then: { effect: 'audit' } } }
        }
      });
    expect(() => load('in')).toThrow(DefinitionError);
    expect(() => load('notIn')).toThrow(DefinitionError);
  });
});

describe('exists on a value condition (RULE#value)', () => {
  const unknownParameter = { p: { type: 'String' } };
  it('a value known only later may be null: whether it exists is unknown', () => {
    expect(holds({ value: "[parameters('p')]", exists: true }, testResource, {}, unknownParameter)).toBe(
      'indeterminate'
    );
    expect(holds({ value: "[parameters('p')]", exists: false }, testResource, {}, unknownParameter)).toBe(
      'indeterminate'
    );
    expect(holds({ value: "[field('Microsoft.Test/resourceType/keySource')]", exists: false })).toBe('indeterminate');
  });
  it('a value expression that fails does not exist or not: the evaluation fails', () => {
    expect(holds({ value: "[substring(field('name'), 0, 10)]", exists: true })).toBe('indeterminate');
    expect(holds({ value: "[substring(field('name'), 0, 10)]", exists: false })).toBe('indeterminate');
  });
  it('the outcome stays decided where the unknown does not matter', () => {
    const unknown = { value: "[parameters('p')]", exists: true };
    const located = { field: 'location', equals: 'westeurope' };
    expect(holds({ anyOf: [unknown, located] }, testResource, {}, unknownParameter)).toBe('true');
    expect(holds({ allOf: [unknown, { not: located }] }, testResource, {}, unknownParameter)).toBe('false');
  });
  it('a known value still exists or not', () => {
    expect(holds({ value: "[field('location')]", exists: true })).toBe('true');
    expect(holds({ value: '[null()]', exists: false })).toBe('true');
  });
});

describe('a field named by an expression that fails (RULE#avoiding-template-failures)', () => {
  const failing = "[concat('tags[', substring(field('name'), 0, 10), ']')]";
  const request = (condition: Obj) =>
    loadDefinition({
      file: null,
      json: { properties: { mode: 'All', policyRule: { if: condition, then: { effect: 'audit' } } } }
    }).evaluate({ ...armResource(testResource), origin: 'template' });
  it.each([
    ['exists', true],
    ['exists', false],
    ['equals', 'x'],
    ['notEquals', 'x']
  ])('%s %j: a template request is refused as an implicit deny, as for a failing value', (op, operand) => {
    const e = request({ field: failing, [op]: operand });
    expect([e.verdict, e.effect]).toEqual(['noncompliant', 'Deny']);
    expect(e.message).toMatch(/implicit deny/);
  });
});

describe('utcNow() in a policy rule (RULE#policy-functions)', () => {
  const load = (value: string) =>
    loadDefinition({
      file: 'now.json',
      json: { properties: { policyRule: { if: { value, greater: '2000' }, then: { effect: 'audit' } } } }
    });
  it('answers yyyy-MM-ddTHH:mm:ss.fffffffZ and takes no format: utcNow(format) is refused where Azure refuses it', () => {
    expect(() => load("[utcNow('yyyy')]")).toThrow(DefinitionError);
    expect(() => load("[utcNow('u')]")).toThrow(/gives utcNow\(\) a format, which Azure Policy does not allow/);
    expect(holds({ value: '[utcNow()]', match: '####-##-##T##:##:##.#######Z' })).toBe('true');
  });
});

/**
 * APPLICABILITY lists "Any invalid aliases in the if conditions" as not applicable. An alias of another resource type
 * is not what it means: built-in 06a78e20 ("Audit VMs that do not use managed disks", effect audit) names virtual
 * machine and scale set aliases in one `if`, and applies to both. An alias Azure does not know at all is refused at
 * load, as Azure refuses to create such a definition (InvalidPolicyAlias).
 */
describe('aliases of another resource type in the if (APPLICABILITY)', () => {
  const managedDisks = loadWithCatalog({
    file: null,
    json: {
      properties: {
        mode: 'Indexed',
        policyRule: {
          if: {
            anyOf: [
              {
                allOf: [
                  { field: 'type', equals: 'Microsoft.Compute/virtualMachines' },
                  { field: 'Microsoft.Compute/virtualMachines/osDisk.uri', exists: 'True' }
                ]
              },
              {
                allOf: [
                  { field: 'type', equals: 'Microsoft.Compute/VirtualMachineScaleSets' },
                  {
                    anyOf: [
                      { field: 'Microsoft.Compute/VirtualMachineScaleSets/osDisk.vhdContainers', exists: 'True' },
                      { field: 'Microsoft.Compute/VirtualMachineScaleSets/osdisk.imageUrl', exists: 'True' }
                    ]
                  }
                ]
              }
            ]
          },
          then: { effect: 'audit' }
        }
      }
    }
  });
  const vm = (osDisk: Obj): Obj => ({
    type: 'Microsoft.Compute/virtualMachines',
    name: 'vm1',
    location: 'westeurope',
    properties: { storageProfile: { osDisk } }
  });
  it('a virtual machine with an unmanaged disk is non-compliant; one with a managed disk compliant', () => {
    const unmanaged = managedDisks.evaluate(
      armResource(vm({ vhd: { uri: 'https://sa.blob.core.windows.net/v/d.vhd' } }))
    );
    expect([unmanaged.applicable, unmanaged.verdict]).toEqual([true, 'noncompliant']);
    const managed = managedDisks.evaluate(armResource(vm({ managedDisk: { storageAccountType: 'Premium_LRS' } })));
    expect([managed.applicable, managed.verdict]).toEqual([true, 'compliant']);
  });
  it('an alias Azure does not know, of a type whose aliases the catalog holds, is refused at load', () => {
    const rule = {
      if: { field: 'Microsoft.Storage/storageAccounts/noSuchProperty', exists: true },
      then: { effect: 'audit' }
    };
    expect(() => loadWithCatalog({ file: 'x.json', json: { properties: { policyRule: rule } } })).toThrow(
      DefinitionError
    );
  });
});

/**
 * Where a template deploys is not in it: its resources are placed in a placeholder subscription and resource group,
 * whose ids agree with each other but whose names are none Azure holds. resourceGroup() and subscription() of such a
 * resource are unknown, where a rule compares them with a name (Azure compares the group the template is deployed
 * to); given with the scope, or read from a snapshot's id, they are known.
 */
describe('resourceGroup() and subscription() of a template resource (RULE#policy-functions)', () => {
  const account: Obj = {
    type: 'Microsoft.Storage/storageAccounts',
    apiVersion: '2023-01-01',
    name: 'sa1',
    location: 'westeurope',
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
    properties: { allowBlobPublicAccess: true }
  };
  const rule = (condition: Obj, then: Obj = { effect: 'deny' }) =>
    loadWithCatalog({
      file: null,
      json: {
        name: 'scoped',
        properties: {
          mode: 'All',
          policyRule: {
            if: { allOf: [{ field: 'type', equals: 'Microsoft.Storage/storageAccounts' }, condition] },
            then
          }
        }
      }
    });
  const deploy = (resources: Obj[], scope?: DeploymentContext) =>
    expandTemplateDocument(parseJsonWithPositions(JSON.stringify(armTemplate(resources), null, 2), 'main.json'), {
      scope
    }).resources;
  const verdict = (condition: Obj, scope?: DeploymentContext) =>
    evaluateDefinitions([rule(condition)], deploy([account], scope)).map(f => f.verdict);
  const inProd = { value: '[resourceGroup().name]', like: 'prod-*' };
  const inSubscription = { value: '[subscription().subscriptionId]', equals: '11111111-1111-1111-1111-111111111111' };
  it('a rule on the name of the group or subscription the template deploys to is indeterminate, not compliant', () => {
    expect(verdict(inProd)).toEqual(['indeterminate']);
    expect(verdict(inSubscription)).toEqual(['indeterminate']);
    expect(verdict({ value: '[resourceGroup().id]', like: '*/resourceGroups/prod-*' })).toEqual(['indeterminate']);
  });
  it("stays unknown for the template's own group where the template also names a group called as the placeholder", () => {
    // The expansion calls the template's own group something no template can name (a nested deployment to a group
    // literally called 'rg' is another group): that name is a placeholder all the same.
    const elsewhere: Obj = {
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'elsewhere',
      resourceGroup: 'rg',
      properties: {
        mode: 'Incremental',
        template: armTemplate([{ ...account, name: 'sa2' }]) as unknown as Value
      }
    };
    const resources = deploy([account, elsewhere]);
    const own = resources.filter(r => r.type === 'Microsoft.Storage/storageAccounts' && r.name === 'sa1');
    expect(own).toHaveLength(1);
    expect(evaluateDefinitions([rule(inProd)], own).map(f => f.verdict)).toEqual(['indeterminate']);
  });
  it('given where the template deploys, they are known', () => {
    const prod = { subscriptionId: '11111111-1111-1111-1111-111111111111', resourceGroup: 'prod-app' };
    expect(verdict(inProd, prod)).toEqual(['noncompliant']);
    expect(verdict(inSubscription, prod)).toEqual(['noncompliant']);
    expect(verdict(inProd, { ...prod, resourceGroup: 'dev-app' })).toEqual(['compliant']);
  });
  it("a snapshot's id says where it is", () => {
    const id =
      '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/prod-app/providers/Microsoft.Storage/storageAccounts/sa1';
    expect(rule(inProd).evaluate(armResource({ ...account, id })).verdict).toBe('noncompliant');
  });
  it("details.resourceGroupName [resourceGroup().name] is the evaluated resource's own group: a related resource there is found", () => {
    const lock: Obj = {
      type: 'Microsoft.Authorization/locks',
      apiVersion: '2020-05-01',
      name: 'no-delete',
      properties: { level: 'CanNotDelete' }
    };
    const aine = rule(
      { field: 'location', equals: 'westeurope' },
      {
        effect: 'auditIfNotExists',
        details: { type: 'Microsoft.Authorization/locks', resourceGroupName: '[resourceGroup().name]' }
      }
    );
    const resources = deploy([account, lock]);
    const findings = evaluateDefinitions([aine], resources, { related: resources });
    expect(findings.map(f => f.verdict)).toEqual(['compliant']);
  });
});
