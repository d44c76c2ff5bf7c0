/**
 * Expectations of a peer template expander: Azure/PSRule.Rules.Azure (MIT), whose
 * TemplateVisitorTests.cs (commit 97c33b04509e638a8686b24b437ef9389b4e8ddf) expands the templates
 * copied into __tests__/fixtures/peer/psrule/ (see the README there) and states what ARM would deploy.
 * The facts are restated here as cmk-guard's own tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { isUnknown } from '../../src/model/value.js';
import { at, byName, fixtures } from './helpers.js';
import { expandDocTemplate } from './outputs.js';

const peer = (name: string): string => path.join(fixtures, '..', 'peer', 'psrule', name);
const peerJson = (name: string): object => JSON.parse(fs.readFileSync(peer(name), 'utf8')) as object;

describe('user-defined functions written across lines (Template.Parsing.4.json, "UserDefinedFunctions")', () => {
  const { resources, errors } = expandTemplateFile(peer('Template.Parsing.4.json'));

  test('a namespaced function returns a string and an object', () => {
    expect(errors).toEqual([]);
    const resource = byName(resources, 'resource');
    expect(at(resource.json, '/properties/keyString')).toBe('Hello world');
    expect(at(resource.json, '/properties/keyObject')).toEqual({ message: 'world', value: 'Hello world' });
  });
});

describe('a property copy loop inside a resource copy loop (Template.Parsing.13.json, "NestedCopyLoops")', () => {
  test('each policy set gets the definitions of its own item', () => {
    const { resources } = expandTemplateFile(peer('Template.Parsing.13.json'));
    const sets = resources.filter(r => r.type === 'Microsoft.Authorization/policySetDefinitions');
    expect(sets.map(r => r.name)).toEqual(['set-001', 'set-002']);
    expect(at(byName(resources, 'set-001').json, '/properties/policyDefinitions')).toEqual([
      { policyDefinitionReferenceId: 'ref-001' },
      { policyDefinitionReferenceId: 'ref-002' },
      { policyDefinitionReferenceId: 'ref-003' },
      { policyDefinitionReferenceId: 'ref-004' }
    ]);
    expect(at(byName(resources, 'set-002').json, '/properties/policyDefinitions')).toEqual([
      { policyDefinitionReferenceId: 'ref-001' }
    ]);
  });
});

describe('lambda functions in outputs (Tests.Bicep.13.json, "LambdaFunctions")', () => {
  const { outputs } = expandDocTemplate(peerJson('Tests.Bicep.13.json'));

  test('filter, map, reduce, sort', () => {
    expect((outputs.oldDogs as { name: string }[]).map(d => d.name)).toEqual(['Evie', 'Kira']);
    expect(outputs.dogNames).toEqual(['Evie', 'Casper', 'Indy', 'Kira']);
    expect(outputs.sayHi).toEqual(['Hello Evie!', 'Hello Casper!', 'Hello Indy!', 'Hello Kira!']);
    expect(outputs.mapObject).toEqual([
      { i: 0, dog: 'Evie', greeting: 'Ahoy, Evie!' },
      { i: 1, dog: 'Casper', greeting: 'Ahoy, Casper!' },
      { i: 2, dog: 'Indy', greeting: 'Ahoy, Indy!' },
      { i: 3, dog: 'Kira', greeting: 'Ahoy, Kira!' }
    ]);
    expect(outputs.totalAge).toBe(18);
    expect(outputs.totalAgeAdd1).toBe(19);
    // PSRule expects Kira, Evie, Casper, Indy (oldest first). The documentation's own example, the same
    // sort with less(a.age, b.age), gives Indy, Casper, Evie, Kira: the lambda says whether a comes
    // before b (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#sort).
    // The documentation wins.
    expect((outputs.dogsByAge as { name: string }[]).map(d => d.name)).toEqual(['Indy', 'Casper', 'Evie', 'Kira']);
    expect(outputs.arrayOutput).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  test('toObject with and without a value lambda, and a null key', () => {
    expect(outputs.objectMap).toEqual({ '1': 123, '4': 456, '7': 789 });
    expect(outputs.objectMap2).toEqual({
      '0': { isEven: true, isGreaterThan2: false },
      '1': { isEven: false, isGreaterThan2: false },
      '2': { isEven: true, isGreaterThan2: false },
      '3': { isEven: false, isGreaterThan2: true }
    });
    expect(outputs.objectMapNull).toEqual({ '123': 123, '456': 456, '789': 789, '': null });
  });
});

const psruleScope = {
  subscriptionId: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  resourceGroup: 'ps-rule-test-rg',
  resourceGroupLocation: 'eastus',
  deploymentLocation: 'eastus',
  tenantId: 'ffffffff-ffff-ffff-ffff-ffffffffffff'
};

describe('an index computed from a boolean (Template.Parsing.6.json, "BooleanStringProperty")', () => {
  // string(true) is 'True'; in a variable's data object, a member whose name matches exactly is chosen
  // over one differing only in case (the object has "True" and "true", "Other" and "other").
  test('string() of a boolean indexes an object by the exact-case key first', () => {
    const { resources } = expandTemplateFile(peer('Template.Parsing.6.json'));
    expect(at(byName(resources, 'resource').json, '/properties')).toEqual({
      value1: 'True',
      value2: 'true',
      value3: 'false',
      value4: 'Other'
    });
  });
});

describe('a property loop named value passes an array to a module in a copy loop (Template.Parsing.11.json, "EqualsEmptyObject")', () => {
  const { resources, errors } = expandTemplateFile(peer('Template.Parsing.11.json'), { scope: psruleScope });

  test('each module deploys the items of its own element', () => {
    expect(errors).toEqual([]);
    const items = resources.filter(r => r.type === 'Namespace/resourceTypeN');
    expect(items.map(r => r.name)).toEqual(['item1', 'item2']);
    expect(at(byName(resources, 'item1').json, '/properties')).toEqual({
      priority: 1,
      rules: [{ name: 'rule1' }, { name: 'rule2' }]
    });
    expect(at(byName(resources, 'item2').json, '/properties/rules')).toEqual([{ name: 'rule3' }, { name: 'rule4' }]);
  });

  // PSRule keeps `"settings": null`; cmk-guard leaves a member whose value is null out of the resource
  // body (decided before, see resource-positions.test.ts): either way the property has no value.
  test('equals(object default, createObject()) is true, so settings has no value', () => {
    const settings = at(byName(resources, 'resource-001').json, '/properties/settings');
    expect(settings ?? null).toBeNull();
  });
});

describe('copy loops in serial with a batch size (Tests.Bicep.16.json, "BatchSize")', () => {
  test('each instance is named and scoped by its own element', () => {
    const { resources } = expandTemplateFile(peer('Tests.Bicep.16.json'), { scope: psruleScope });
    expect(resources.map(r => [r.type, r.name])).toEqual([
      ['Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments', 'cosmos-repro/a'],
      ['Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments', 'cosmos-repro/b']
    ]);
    expect(at(byName(resources, 'cosmos-repro/b').json, '/properties')).toEqual({
      roleDefinitionId:
        '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/ps-rule-test-rg/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-repro/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002',
      principalId: 'b',
      scope:
        '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/ps-rule-test-rg/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-repro'
    });
  });
});

/** The template with one more output, so a value the peer test computes inside it can be read. */
function withOutput(name: string, output: object): object {
  const template = peerJson(name) as { outputs?: object };
  return { ...template, outputs: { ...(template.outputs ?? {}), probe: output } };
}

describe('or() is not evaluated past a true left side (Tests.Bicep.19.json, "OrLeftHandEvaluation")', () => {
  // The first task has no Config.Disable: the right side would fail, and ARM stops at the left.
  test('the module parameter evaluates to true', () => {
    const template = withOutput('Tests.Bicep.19.json', {
      type: 'bool',
      value: "[or(not(contains(variables('task').Config, 'Disable')), not(variables('task').Config.Disable))]"
    });
    const { outputs, errors } = expandDocTemplate(template);
    expect(errors).toEqual([]);
    expect(outputs.probe).toBe(true);
  });
});

describe('variable copy loops that read each other (Tests.Bicep.20.json, "InterdependentVariableCopyLoop")', () => {
  test('a loop over an empty loop is empty', () => {
    const { outputs, errors } = expandDocTemplate(
      withOutput('Tests.Bicep.20.json', { type: 'array', value: "[variables('array3')]" })
    );
    expect(errors).toEqual([]);
    expect(outputs.probe).toEqual([]);
  });
});

describe('filter() over a value known only after deployment (Tests.Bicep.21.json, "FilterBug")', () => {
  test('the module expands without an error', () => {
    const { resources, errors } = expandTemplateFile(peer('Tests.Bicep.21.json'), { scope: psruleScope });
    expect(errors).toEqual([]);
    expect(resources).toEqual([]);
  });
});

const bicep = (name: string): string => path.join('Bicep', name);

describe('modules into a resource group created at subscription scope (Bicep/ScopeTestCases/Tests.Bicep.2.json)', () => {
  const { resources, errors } = expandTemplateFile(peer(bicep('Scope.Tests.Bicep.2.json')), { scope: psruleScope });

  test('the group, and the resources deployed into it, have ids in that group', () => {
    expect(errors).toEqual([]);
    expect(byName(resources, 'rg-1').id).toBe(
      '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/rg-1'
    );
    expect(byName(resources, 'id-1').id).toBe(
      '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/rg-1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1'
    );
    expect(byName(resources, 'registry-1').id).toBe(
      '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/rg-1/providers/Microsoft.ContainerRegistry/registries/registry-1'
    );
  });

  test('a module output read with reference() names the identity as a key', () => {
    const identities = at(byName(resources, 'registry-1').json, '/identity/userAssignedIdentities') as object;
    expect(Object.keys(identities)).toEqual([
      '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/rg-1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1'
    ]);
  });
});

describe('user-defined functions that read variables (Bicep/UserDefinedFunctionTestCases/Tests.Bicep.1.json)', () => {
  // Bicep compiles imported functions and variables into functions that call variables('_1.v2');
  // ARM deploys them.
  test('each function reads the variables of its own import', () => {
    const { outputs, errors } = expandDocTemplate(peerJson(bicep('UserDefinedFunction.Tests.Bicep.1.json')));
    expect(errors).toEqual([]);
    expect(outputs).toEqual({ o1: [2], o2: [1], o3: [1], o4: [2, 1], o5: [3] });
  });
});

describe('user-defined functions without languageVersion 2.0', () => {
  // The template-function page still says a function can't access variables
  // (https://learn.microsoft.com/azure/azure-resource-manager/templates/user-defined-functions#limitations):
  // without languageVersion 2.0 the refusal stays.
  test('reading a variable is refused, naming the variable', () => {
    const template = peerJson(bicep('UserDefinedFunction.Tests.Bicep.1.json')) as { [key: string]: unknown };
    delete template.languageVersion;
    template.resources = [];
    const run = (): string[] => expandDocTemplate(template).errors.map(e => e.message);
    let messages: string[];
    try {
      messages = run();
    } catch (error) {
      messages = [(error as Error).message];
    }
    expect(messages.join('\n')).toMatch(/cannot read variables \('v1'\)/);
  });
});

describe('languageVersion 2.0 symbolic names (Bicep/SymbolicNameTestCases)', () => {
  // Tests.Bicep.1.json: references() of a module loop gives each instance's outputs, in order.
  test('references() of a module loop reads each instance’s outputs', () => {
    const { outputs, errors } = expandDocTemplate(peerJson(bicep('SymbolicName.Tests.Bicep.1.json')));
    expect(errors).toEqual([]);
    expect(outputs.items).toEqual(['child-0', 'child-1']);
    expect(outputs.itemsAsString).toEqual(['child-0', 'child-1']);
  });

  // Tests.Bicep.4.json: an `existing` resource loop whose names are expressions is read, not deployed;
  // an output loop gives the ids.
  test('an existing loop is read, not deployed, and an output loop gives the ids', () => {
    const template = peerJson(bicep('SymbolicName.Tests.Bicep.4.json'));
    const { outputs, resources, errors } = expandDocTemplate(template);
    expect(errors).toEqual([]);
    // Both are read as existing resources (they are not deployed).
    const sites = resources.filter(r => r.type === 'Microsoft.Web/sites');
    expect(sites.map(r => [r.name, r.existing])).toEqual([
      ['example1-webapp', true],
      ['example2-webapp', true]
    ]);
    expect(outputs.ids).toEqual([
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/examplegroup/providers/Microsoft.Web/sites/example1-webapp',
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/examplegroup/providers/Microsoft.Web/sites/example2-webapp'
    ]);
  });
});

describe('an inner-scoped deployment to another resource group (Template.Parsing.3.json, "NestedTemplateParsingInner")', () => {
  const { resources, errors } = expandTemplateFile(peer('Template.Parsing.3.json'), { scope: psruleScope });

  test('parameters are evaluated in the parent, resourceGroup() inside is the target group', () => {
    expect(errors).toEqual([]);
    const flowLog = byName(resources, 'NetworkWatcher_eastus/FlowLog1');
    expect(flowLog.type).toBe('Microsoft.Network/networkWatchers/flowLogs');
    expect(flowLog.id).toBe(
      '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_eastus/flowLogs/FlowLog1'
    );
    expect(at(flowLog.json, '/properties/targetResourceId')).toBe(
      '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/ps-rule-test-rg/providers/Microsoft.Network/networkSecurityGroups/nsg-001'
    );
    // PSRule's storage account name differs in its uniqueString part (see peer-functions.test.ts).
    expect(at(flowLog.json, '/properties/storageId')).toMatch(
      /^\/subscriptions\/ffffffff-ffff-ffff-ffff-ffffffffffff\/resourceGroups\/ps-rule-test-rg\/providers\/Microsoft\.Storage\/storageAccounts\/flowlogs[a-z2-7]{13}$/
    );
    expect(at(flowLog.json, '/tags/resourceGroup')).toBe('NetworkWatcherRG');
  });
});

describe('management groups at tenant scope (Bicep/ScopeTestCases/Tests.Bicep.1.json)', () => {
  const { resources, errors } = expandTemplateFile(peer(bicep('Scope.Tests.Bicep.1.json')), { scope: psruleScope });

  test('ids are tenant-level', () => {
    expect(errors).toEqual([]);
    expect(byName(resources, 'mg-01').id).toBe('/providers/Microsoft.Management/managementGroups/mg-01');
    expect(byName(resources, 'mg-02').id).toBe('/providers/Microsoft.Management/managementGroups/mg-02');
  });

  // PSRule fills reference(mg-01, …, 'full') with an object whose id it computes. ARM returns the
  // deployed resource, which a template alone does not give: cmk-guard keeps it unknown.
  test('a full reference() to another resource of the template stays unknown', () => {
    expect(isUnknown(at(byName(resources, 'mg-02').json, '/properties/details/parent'))).toBe(true);
  });
});

/*
 * Values ARM's own template engine computed: Azure/bicep (MIT) evaluates compiled Bicep with
 * Azure.Deployments.Templates in src/Bicep.Core.IntegrationTests/EvaluationTests.cs (commit
 * 00d5f1137724aac1ac75240d2f33207742f28d7e). The templates below are written here in the ARM form Bicep
 * compiles those tests to; the expected values are the ones that file states.
 */
describe("ARM's engine on Bicep's evaluation tests", () => {
  const template = (outputs: Record<string, string>, extra: object = {}): object => ({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [],
    ...extra,
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { type: 'object', value }]))
  });

  test('arithmetic, comparisons and coalesce ("Basic_arithmetic…", "Comparisons_are_evaluated_correctly")', () => {
    const { outputs } = expandDocTemplate(
      template(
        {
          sum: '[add(1, 3)]',
          mult: '[mul(add(1, 3), 5)]',
          modulo: '[mod(mul(add(1, 3), 5), 7)]',
          div: '[div(mod(mul(add(1, 3), 5), 7), 11)]',
          sub: '[sub(div(mod(mul(add(1, 3), 5), 7), 11), 13)]',
          less: '[less(123, 456)]',
          lessOrEquals: '[lessOrEquals(123, 456)]',
          greater: '[greater(123, 456)]',
          greaterOrEquals: '[greaterOrEquals(123, 456)]',
          equals: '[equals(123, 456)]',
          not: '[not(true())]',
          and: '[and(true(), false())]',
          or: '[or(true(), false())]',
          coalesce: '[coalesce(null(), 123)]'
        },
        {}
      )
    );
    expect(outputs).toEqual({
      sum: 4,
      mult: 20,
      modulo: 6,
      div: 0,
      sub: -13,
      less: true,
      lessOrEquals: true,
      greater: false,
      greaterOrEquals: false,
      equals: false,
      not: false,
      and: false,
      or: true,
      coalesce: 123
    });
  });

  // Bicep compiles '>${bool}<>${int}<>${str}<>${obj}<>${arr}<' to format(); objects and arrays come
  // out as compact JSON in single quotes, a boolean as .NET writes it.
  test('interpolation of every kind of value ("String_expressions_are_evaluated_successfully")', () => {
    const { outputs } = expandDocTemplate(
      template(
        {
          interp:
            "[format('>{0}<>{1}<>{2}<>{3}<>{4}<', variables('bool'), variables('int'), variables('str'), variables('obj'), variables('arr'))]"
        },
        { variables: { bool: false, int: 12948, str: 'hello!', obj: { a: 'b', '!c': 2 }, arr: [true, 2893, 'abc'] } }
      )
    );
    expect(outputs.interp).toBe(">False<>12948<>hello!<>{'a':'b','!c':2}<>[true,2893,'abc']<");
  });

  test('resource ids at every scope ("ResourceId_expressions_are_evaluated_successfully")', () => {
    const other = '2e518a80-f860-4467-a00e-d81aaf1ff42e';
    const names = "parameters('parentName'), parameters('childName')";
    const { outputs } = expandDocTemplate(
      template(
        {
          resource1Id: `[resourceId('My.Rp/parent/child', ${names})]`,
          resource2Id: `[resourceId('customRg', 'My.Rp/parent/child', ${names})]`,
          resource3Id: `[resourceId('${other}', 'customRg', 'My.Rp/parent/child', ${names})]`,
          resource4Id: `[tenantResourceId('My.Rp/parent/child', ${names})]`,
          resource5Id: `[subscriptionResourceId('My.Rp/parent/child', ${names})]`,
          resource6Id: `[subscriptionResourceId('${other}', 'My.Rp/parent/child', ${names})]`,
          resource7Id: `[extensionResourceId(tenantResourceId('Microsoft.Management/managementGroups', '${other}'), 'My.Rp/parent/child', ${names})]`,
          resource8Id: `[extensionResourceId(tenantResourceId('My.Rp/parent/child', ${names}), 'My.ExtensionRp/parent/child', ${names})]`
        },
        {
          parameters: {
            parentName: { type: 'string', defaultValue: 'myParent' },
            childName: { type: 'string', defaultValue: 'myChild' }
          }
        }
      )
    );
    const sub = '/subscriptions/00000000-0000-0000-0000-000000000000';
    expect(outputs).toEqual({
      resource1Id: `${sub}/resourceGroups/examplegroup/providers/My.Rp/parent/myParent/child/myChild`,
      resource2Id: `${sub}/resourceGroups/customRg/providers/My.Rp/parent/myParent/child/myChild`,
      resource3Id: `/subscriptions/${other}/resourceGroups/customRg/providers/My.Rp/parent/myParent/child/myChild`,
      resource4Id: '/providers/My.Rp/parent/myParent/child/myChild',
      resource5Id: `${sub}/providers/My.Rp/parent/myParent/child/myChild`,
      resource6Id: `/subscriptions/${other}/providers/My.Rp/parent/myParent/child/myChild`,
      resource7Id: `/providers/Microsoft.Management/managementGroups/${other}/providers/My.Rp/parent/myParent/child/myChild`,
      resource8Id:
        '/providers/My.Rp/parent/myParent/child/myChild/providers/My.ExtensionRp/parent/myParent/child/myChild'
    });
  });

  // src/Bicep.Core.IntegrationTests/FunctionTests.cs (commit 20fff7db21f9ae36450b7e728acfd44a49962942): Bicep's
  // user-defined functions, compiled into the `__bicep` namespace of `functions`.
  test('user-defined functions ("User_defined_functions_basic_case", "Functions_can_have_descriptions_applied")', () => {
    const { outputs, errors } = expandDocTemplate(
      template(
        {
          foo: "[__bicep.buildUrl(true(), 'google.com', 'search')]",
          outputFoo: '[__bicep.returnFoo()]'
        },
        {
          functions: [
            {
              namespace: '__bicep',
              members: {
                buildUrl: {
                  parameters: [
                    { type: 'bool', name: 'https' },
                    { type: 'string', name: 'hostname' },
                    { type: 'string', name: 'path' }
                  ],
                  output: {
                    type: 'string',
                    value:
                      "[format('{0}://{1}{2}', if(parameters('https'), 'https', 'http'), parameters('hostname'), if(empty(parameters('path')), '', format('/{0}', parameters('path'))))]"
                  }
                },
                returnFoo: {
                  parameters: [],
                  output: { type: 'string', value: 'foo' },
                  metadata: { description: 'Returns foo' }
                }
              }
            }
          ]
        }
      )
    );
    expect(errors).toEqual([]);
    expect(outputs).toEqual({ foo: 'https://google.com/search', outputFoo: 'foo' });
  });
});

describe('what a template alone does not give stays unknown', () => {
  // PSRule fills resourceGroup().tags, subscription().displayName, tenant().displayName and countryCode
  // from its own options (Tests: FunctionTests.cs "Subscription", "Tenant", "ManagementGroup"). They are
  // the Azure account's, not the template's; cmk-guard leaves them unknown instead of making them up.
  test('resource group tags and display names are unknown; ids and names stay known', () => {
    const { outputs } = expandDocTemplate({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [],
      outputs: {
        tags: { type: 'object', value: "[union(resourceGroup().tags, createObject('team', 'a'))]" },
        subscriptionName: { type: 'string', value: '[subscription().displayName]' },
        tenantName: { type: 'string', value: '[tenant().displayName]' },
        country: { type: 'string', value: '[tenant().countryCode]' },
        groupId: { type: 'string', value: '[resourceGroup().id]' },
        groupName: { type: 'string', value: '[resourceGroup().name]' }
      }
    });
    for (const name of ['tags', 'subscriptionName', 'tenantName', 'country']) {
      expect([name, isUnknown(outputs[name])]).toEqual([name, true]);
    }
    expect((outputs.tags as { reason: string }).reason).toMatch(/tags of resource group 'examplegroup'/);
    expect(outputs.groupId).toBe('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/examplegroup');
    expect(outputs.groupName).toBe('examplegroup');
  });
});

describe('zone mapping functions (PSRule FunctionTests.cs "ToLogicalZone" … "ToPhysicalZones")', () => {
  // PSRule answers from a table of its own; the mapping between logical and physical zones is set per
  // subscription by Azure, so cmk-guard answers unknown (and no longer refuses the functions).
  test('toLogicalZone(s) and toPhysicalZone(s) are unknown, not errors', () => {
    const sub = '00000000-0000-0000-0000-000000000000';
    const { outputs, errors } = expandDocTemplate({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [],
      outputs: {
        a: { type: 'string', value: `[toLogicalZone('${sub}', 'eastus2', 'eastus2-az3')]` },
        b: { type: 'array', value: `[toLogicalZones('${sub}', 'westus2', createArray('westus2-az1', 'westus2-az2'))]` },
        c: { type: 'string', value: `[toPhysicalZone('${sub}', 'eastus2', '3')]` },
        d: { type: 'array', value: `[toPhysicalZones('${sub}', 'westus2', createArray('1', '2'))]` }
      }
    });
    expect(errors).toEqual([]);
    for (const name of ['a', 'b', 'c', 'd']) {
      expect([name, isUnknown(outputs[name])]).toEqual([name, true]);
      expect((outputs[name] as { reason: string }).reason).toMatch(/zone mapping/);
    }
  });
});

describe('property loops inside an array item of a module parameter (Tests.Bicep.11.json, "NestedParameterValueLoops")', () => {
  test('empty loops give empty arrays and the item’s other members are evaluated', () => {
    const { resources, errors } = expandTemplateFile(peer('Tests.Bicep.11.json'), { scope: psruleScope });
    expect(errors).toEqual([]);
    expect(at(byName(resources, '10.0.0.4').json, '/tags')).toEqual({ value6: [], value7: [], ip: '10.0.0.4' });
  });
});

describe('split() of a value known only after deployment (Tests.Bicep.12.json, "SplitLastRuntimeProperties")', () => {
  test('last(split(reference(…).keyUriWithVersion, "/")) passed to a module is not an error', () => {
    const { resources, errors } = expandTemplateFile(peer('Tests.Bicep.12.json'), { scope: psruleScope });
    expect(errors).toEqual([]);
    expect(resources).toEqual([]);
  });
});

describe('where the resource group is', () => {
  // PSRule takes resourceGroup().location from its options ('eastus' by default). A template does not
  // say where its group is: a resource placed at [resourceGroup().location] has an unknown location, so
  // Allowed locations is indeterminate on it instead of judging a placeholder region.
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.Storage/storageAccounts',
        apiVersion: '2023-01-01',
        name: 'stlocal',
        location: '[resourceGroup().location]'
      },
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'other-group',
        resourceGroup: 'rg-other',
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          template: {
            $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
            contentVersion: '1.0.0.0',
            resources: [
              {
                type: 'Microsoft.Storage/storageAccounts',
                apiVersion: '2023-01-01',
                name: 'stother',
                location: '[resourceGroup().location]'
              }
            ]
          }
        }
      }
    ]
  };

  test('unknown unless given; another group’s location is unknown even when this group’s is given', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-peer-'));
    try {
      const file = path.join(dir, 'main.json');
      fs.writeFileSync(file, JSON.stringify(template));
      const unknownRun = expandTemplateFile(file);
      const local = at(byName(unknownRun.resources, 'stlocal').json, '/location');
      expect(isUnknown(local)).toBe(true);
      expect((local as { reason: string }).reason).toMatch(/location of resource group 'rg'/);

      const given = expandTemplateFile(file, { scope: { resourceGroupLocation: 'swedencentral' } });
      expect(at(byName(given.resources, 'stlocal').json, '/location')).toBe('swedencentral');
      const other = at(byName(given.resources, 'stother').json, '/location');
      expect(isUnknown(other)).toBe(true);
      expect((other as { reason: string }).reason).toMatch(/location of resource group 'rg-other'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
