/**
 * Expectations of a peer template expander, Azure/PSRule.Rules.Azure (MIT), as its
 * TemplateVisitorTests.cs stated them in the snapshot of microsoft/PSRule.Rules.Azure at commit
 * 6caa9cba54e71b43df6a6cf56ca7435723bd87d3 (2021): the templates it expands are copied unchanged into
 * __tests__/fixtures/peer/psrule/2021/ (see the README there), and the values it asserts are restated
 * here as cmk-guard's own tests. PSRule's stand-in subscription and group are given as the scope.
 */
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { isUnknown } from '../../src/model/value.js';
import { at, byName, fixtures } from './helpers.js';
import { expandDocTemplate } from './outputs.js';
import { ev } from '../expr/support.js';

const peer = (name: string): string => path.join(fixtures, '..', 'peer', 'psrule', '2021', name);

const psruleScope = {
  subscriptionId: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  resourceGroup: 'ps-rule-test-rg',
  resourceGroupLocation: 'eastus',
  deploymentLocation: 'eastus',
  tenantId: 'ffffffff-ffff-ffff-ffff-ffffffffffff'
};

const expand = (template: string, parameters?: string) =>
  expandTemplateFile(peer(template), {
    scope: psruleScope,
    parameterFiles: parameters ? [peer(parameters)] : []
  });

describe('a virtual network with subnets, route tables and NSGs from a parameter file ("ResolveTemplateTest")', () => {
  const { resources, errors } = expand('Resources.Template.json', 'Resources.Parameters.json');

  test('the network takes its address space, subnets, tags and location from the parameters', () => {
    expect(errors).toEqual([]);
    const vnet = byName(resources, 'vnet-001').json;
    expect(at(vnet, '/properties/addressSpace/addressPrefixes/0')).toBe('10.1.0.0/24');
    expect((at(vnet, '/properties/subnets') as unknown[]).length).toBe(3);
    expect(at(vnet, '/properties/subnets/1/properties/addressPrefix')).toBe('10.1.0.32/28');
    expect(at(vnet, '/tags/role')).toBe('Networking');
    expect(at(vnet, '/location')).toBe('region-A');
  });

  // The subnet is deployed by the nested deployment 'vnetDelegation', whose template is evaluated in the
  // parent's scope (no expressionEvaluationOptions: outer), and names its delegation [deployment().name].
  // PSRule expects 'vnetDelegation'. Outer scope is "the scope to be used for evaluation of parameters,
  // variables and functions" of the parent (https://learn.microsoft.com/dotnet/api/microsoft.azure.management.resources.models.expressionevaluationoptions),
  // so deployment() is the parent deployment, here named after the file.
  test('a subnet deployed on its own keeps its delegation; route tables and NSGs are named per subnet', () => {
    expect(at(byName(resources, 'vnet-001/subnet2').json, '/properties/delegations/0/name')).toBe('Resources.Template');
    for (const name of ['route-subnet1', 'route-subnet2', 'nsg-subnet1', 'nsg-subnet2', 'nsg-extra']) {
      expect(byName(resources, name)).toBeDefined();
    }
    // PSRule names the role assignment on subnet1 with its own guid() (924b5b06-…-03f4-…), not a
    // version-5 UUID as ARM's guid() is (see peer-functions.test.ts); only the shape is the peer's.
    const assignments = resources.filter(
      r => r.type === 'Microsoft.Network/virtualNetworks/subnets/providers/roleAssignments'
    );
    expect(assignments.map(r => r.name.replace(/[0-9a-f-]{36}$/, '<guid>'))).toEqual([
      'vnet-001/subnet1/Microsoft.Authorization/<guid>',
      'vnet-001/subnet2/Microsoft.Authorization/<guid>'
    ]);
  });
});

describe('Front Door endpoints built from a variable loop ("AdvancedTemplateParsing1")', () => {
  test('the first frontend endpoint is named after the Front Door, with its azurefd.net host', () => {
    const { resources, errors } = expand('Resources.FrontDoor.Template.json');
    expect(errors).toEqual([]);
    const frontDoor = byName(resources, 'my-frontdoor').json;
    expect(at(frontDoor, '/properties/frontendEndpoints/0/name')).toBe('my-frontdoor');
    expect(at(frontDoor, '/properties/frontendEndpoints/0/properties/hostName')).toBe('my-frontdoor.azurefd.net');
  });
});

describe('a key vault from parameter defaults, unions and a property loop ("AdvancedTemplateParsing4")', () => {
  test('names, flags and two access policies; the tenant is the subscription’s', () => {
    const { resources, errors } = expand('Template.Parsing.2.json');
    expect(errors).toEqual([]);
    expect(resources.map(r => r.name)).toEqual(['defaultvalue']);
    const vault = resources[0].json;
    expect(at(vault, '/location')).toBe('eastus');
    expect(at(vault, '/properties/enabledForDeployment')).toBe(false);
    expect(at(vault, '/properties/enabledForTemplateDeployment')).toBe(false);
    expect(at(vault, '/properties/enabledForDiskEncryption')).toBe(false);
    expect((at(vault, '/properties/accessPolicies') as unknown[]).length).toBe(2);
    expect(at(vault, '/properties/tenantId')).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    expect(at(vault, '/properties/enableSoftDelete')).toBe(true);
    expect(at(vault, '/properties/enablePurgeProtection')).toBe(true);
  });
});

describe('child resources declared inside their parent ("NestedResources")', () => {
  test('a key vault’s diagnostic settings, named in the provider form and by scope', () => {
    const { resources, errors } = expand('Resources.KeyVault.Template.json');
    expect(errors).toEqual([]);
    expect(resources.map(r => r.name)).toEqual(['keyvault1', 'keyvault1/Microsoft.Insights/service', 'monitor']);
  });

  test('a storage account’s blob service, container and management policy', () => {
    const { resources, errors } = expand('Resources.Storage.Template.json', 'Resources.Storage.Parameters.json');
    expect(errors).toEqual([]);
    expect(resources.map(r => r.name)).toEqual([
      'storage1',
      'storage1/default',
      'storage1/default/arm',
      'storage1/default'
    ]);
  });
});

describe('resources of an inner-scoped nested deployment ("NestedTemplateParsingInner2")', () => {
  test('a subnet named from a variable that ends in "/", public IPs and a NIC', () => {
    const { resources } = expand('Template.Parsing.5.json');
    expect(resources.map(r => r.name)).toEqual(['myVnet/my-subnet', 'my-pip1', 'my-pip2', 'my-nic']);
  });

  // The NIC's subnet id is resourceId('…/virtualNetworks/subnets', 'myVnet/', 'my-subnet'): split at '/',
  // three name segments (the second empty) for a type that takes two. PSRule does not check; cmk-guard
  // refuses the value, and the message now counts what it counts instead of "2 name(s) … needs 2".
  test('resourceId() with a name ending in "/" is refused with the segments it counted', () => {
    const { errors } = expand('Template.Parsing.5.json');
    expect(errors.map(e => [e.location?.line, e.message.split(' (in ')[0]])).toEqual([
      [
        59,
        "The template function 'resourceId' was given 2 name(s) for the type 'Microsoft.Network/virtualNetworks/subnets', " +
          "which needs 2 name segment(s) in all; split at '/', the names given are 3: 'myVnet', '', 'my-subnet'."
      ]
    ]);
  });
});

describe('a property copy loop whose input calls copyIndex() without the loop’s name ("AdvancedTemplateParsing3")', () => {
  // PSRule expands Template.Parsing.1.json. ARM refuses copyIndex() without a loop name outside a resource
  // copy loop ("The template function 'copyIndex' is not expected at this location. The function can only
  // be used in a resource with copy specified.", quoted from a deployment in
  // https://github.com/rjmax/Build2017/issues/4); in a property loop the documentation passes the loop's
  // name (https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-properties).
  test('the template is refused at the expression, with its file and line', () => {
    let error: unknown;
    try {
      expand('Template.Parsing.1.json');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      name: 'TemplateError',
      location: { file: peer('Template.Parsing.1.json'), line: 48 },
      message: expect.stringMatching(
        /copyIndex' is not expected here: it is only valid inside a resource with a copy loop/
      )
    });
  });
});

/*
 * Resource id functions, as PSRule's FunctionTests.cs states them (Azure/PSRule.Rules.Azure,
 * tests/PSRule.Rules.Azure.Tests/Arm/Expressions/FunctionTests.cs at commit
 * 05a6301d1feac6871e69ed41a48e8df210b97781: "ExtensionResourceId", "ResourceId", "SubscriptionResourceId",
 * "TenantResourceId", "ManagementGroupResourceId", "Environment"). PSRule's own subscription and group
 * are replaced by the documentation example's (subscription 00000000-…, group examplegroup, management
 * group mg); a value that fails is an output that fails, with the reason.
 */
describe('resource id functions (PSRule FunctionTests.cs)', () => {
  const sub = '00000000-0000-0000-0000-000000000000';
  const other = '11111111-1111-1111-1111-111111111111';
  const parent = `/subscriptions/${sub}/providers/Unit.Test/type/a`;
  const group = `/subscriptions/${sub}/resourceGroups/examplegroup/providers`;
  const outputsOf = (values: Record<string, string>) =>
    expandDocTemplate({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [],
      outputs: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { type: 'string', value }]))
    });

  test('ids at every scope', () => {
    const { outputs, errors } = outputsOf({
      ext1: `[extensionResourceId('${parent}', 'Extension.Test/type', 'a')]`,
      ext2: `[extensionResourceId('${parent}', 'Extension.Test/type/subtype', 'a', 'b')]`,
      ext3: `[extensionResourceId('/subscriptions/${sub}/resourceGroups/rg-test-001', 'Microsoft.Resources/deployments', 'a')]`,
      rg1: "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-001')]",
      rg2: "[resourceId('rg-test', 'Microsoft.Network/virtualNetworks', 'vnet-001')]",
      rg3: `[resourceId('${other}', 'rg-test', 'Microsoft.Network/virtualNetworks', 'vnet-001')]`,
      rg4: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-001', 'subnet-001')]",
      rg5: "[resourceId('rg-test', 'Microsoft.Network/virtualNetworks/subnets', 'vnet-001', 'subnet-001')]",
      rg6: `[resourceId('${other}', 'rg-test', 'Microsoft.Network/virtualNetworks/subnets', 'vnet-001', 'subnet-001')]`,
      sub1: "[subscriptionResourceId('Unit.Test/type', 'a')]",
      sub2: `[subscriptionResourceId('${other}', 'Unit.Test/type', 'a')]`,
      sub3: "[subscriptionResourceId('Unit.Test/type/subtype', 'a', 'b')]",
      sub4: `[subscriptionResourceId('${other}', 'Unit.Test/type/subtype', 'a', 'b')]`,
      ten1: "[tenantResourceId('Unit.Test/type', 'a')]",
      ten2: "[tenantResourceId('Unit.Test/type/subtype', 'a', 'b')]",
      ten3: "[tenantResourceId('Unit.Test/type/subtype/subsubtype', 'a', 'b', 'c')]",
      mg1: "[managementGroupResourceId('Unit.Test/type', 'a')]",
      mg2: "[managementGroupResourceId('Unit.Test/type/subtype', 'a', 'b')]",
      mg3: "[managementGroupResourceId('Unit.Test/type/subtype/subsubtype', 'a', 'b', 'c')]",
      env1: '[environment().name]',
      env2: '[environment().graph]',
      env3: '[environment().resourceManager]',
      env4: '[environment().authentication.loginEndpoint]'
    });
    expect(errors).toEqual([]);
    expect(outputs).toEqual({
      ext1: `${parent}/providers/Extension.Test/type/a`,
      ext2: `${parent}/providers/Extension.Test/type/a/subtype/b`,
      ext3: `/subscriptions/${sub}/resourceGroups/rg-test-001/providers/Microsoft.Resources/deployments/a`,
      rg1: `${group}/Microsoft.Network/virtualNetworks/vnet-001`,
      rg2: `/subscriptions/${sub}/resourceGroups/rg-test/providers/Microsoft.Network/virtualNetworks/vnet-001`,
      rg3: `/subscriptions/${other}/resourceGroups/rg-test/providers/Microsoft.Network/virtualNetworks/vnet-001`,
      rg4: `${group}/Microsoft.Network/virtualNetworks/vnet-001/subnets/subnet-001`,
      rg5: `/subscriptions/${sub}/resourceGroups/rg-test/providers/Microsoft.Network/virtualNetworks/vnet-001/subnets/subnet-001`,
      rg6: `/subscriptions/${other}/resourceGroups/rg-test/providers/Microsoft.Network/virtualNetworks/vnet-001/subnets/subnet-001`,
      sub1: `/subscriptions/${sub}/providers/Unit.Test/type/a`,
      sub2: `/subscriptions/${other}/providers/Unit.Test/type/a`,
      sub3: `/subscriptions/${sub}/providers/Unit.Test/type/a/subtype/b`,
      sub4: `/subscriptions/${other}/providers/Unit.Test/type/a/subtype/b`,
      ten1: '/providers/Unit.Test/type/a',
      ten2: '/providers/Unit.Test/type/a/subtype/b',
      ten3: '/providers/Unit.Test/type/a/subtype/b/subsubtype/c',
      mg1: '/providers/Microsoft.Management/managementGroups/mg/providers/Unit.Test/type/a',
      mg2: '/providers/Microsoft.Management/managementGroups/mg/providers/Unit.Test/type/a/subtype/b',
      mg3: '/providers/Microsoft.Management/managementGroups/mg/providers/Unit.Test/type/a/subtype/b/subsubtype/c',
      env1: 'AzureCloud',
      env2: 'https://graph.windows.net/',
      env3: 'https://management.azure.com/',
      env4: 'https://login.microsoftonline.com/'
    });
  });

  test('wrong names and types fail, saying what does not fit', () => {
    const { outputs } = outputsOf({
      ext: `[extensionResourceId('${parent}', 'Extension.Test/type', 'a', 'b')]`,
      extInt: `[extensionResourceId('${parent}', 'Extension.Test/type', 1)]`,
      rg: "[resourceId('Unit.Test/type', 'a', 'b')]",
      rgInt: "[resourceId('Unit.Test/type', 1)]",
      sub: "[subscriptionResourceId('Unit.Test/type', 'a', 'b')]",
      ten: "[tenantResourceId('Unit.Test/type', 'a', 'b')]",
      tenSub: `[tenantResourceId('${sub}', 'Unit.Test/type')]`,
      mg: "[managementGroupResourceId('Unit.Test/type', 'a', 'b')]",
      mgInt: "[managementGroupResourceId('Unit.Test/type', 1)]"
    });
    const reasons = Object.fromEntries(
      Object.entries(outputs).map(([name, value]) => [
        name,
        isUnknown(value) ? value.reason.replace(/^an expression that fails \([^)]*\): /, '').split(' (in ')[0] : value
      ])
    );
    const tooMany = (fn: string) =>
      `The template function '${fn}' was given 2 name(s) for the type 'Unit.Test/type', which needs 1.`;
    expect(reasons).toEqual({
      ext: "The template function 'extensionResourceId' was given 2 name(s) for the type 'Extension.Test/type', which needs 1.",
      extInt: "The template function 'extensionResourceId' expects argument 3 to be a string.",
      rg: tooMany('resourceId'),
      rgInt: "The template function 'resourceId' expects argument 2 to be a string.",
      sub: tooMany('subscriptionResourceId'),
      ten: tooMany('tenantResourceId'),
      tenSub:
        `The template function 'tenantResourceId' was given '${sub}' where a resource type belongs: ` +
        "a type is a namespace and a type name, like 'Microsoft.Storage/storageAccounts'.",
      mg: tooMany('managementGroupResourceId'),
      mgInt: "The template function 'managementGroupResourceId' expects argument 2 to be a string."
    });
  });
});

/*
 * Bicep-compiled templates of PSRule's Bicep/SymbolicNameTestCases and Bicep/UserDefinedFunctionTestCases
 * (Azure/PSRule.Rules.Azure; the tests are BicepSymbolicNameTests.cs at commit
 * 36179409d1771075d057887ca4a5cb2d067de032 and BicepUserDefinedFunctionTests.cs at
 * b5467490ed28145bc98c5c3dc78e887b50cdc3bf), copied into __tests__/fixtures/peer/psrule/Bicep/.
 */
const bicepPeer = (name: string): string => path.join(fixtures, '..', 'peer', 'psrule', 'Bicep', name);

describe('modules scoped to another management group (SymbolicName Tests.Bicep.6.json)', () => {
  // "scope": "Microsoft.Management/managementGroups/mg-intermediate-root" sends a nested deployment to that
  // management group (https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-to-management-group#management-group):
  // managementGroup() inside is that group, so the role definition's id, passed out as an object output,
  // is under it, and each role assignment gets its own name from it.
  const { resources, errors } = expandTemplateFile(bicepPeer('SymbolicName.Tests.Bicep.6.json'), {
    scope: psruleScope
  });
  const mg = '/providers/Microsoft.Management/managementGroups/mg-intermediate-root';

  test('the role definition and both assignments are in mg-intermediate-root', () => {
    expect(errors).toEqual([]);
    const definition = resources.find(r => r.type === 'Microsoft.Authorization/roleDefinitions')!;
    expect(definition.id).toBe(`${mg}/providers/Microsoft.Authorization/roleDefinitions/${definition.name}`);
    expect(at(definition.json, '/properties/assignableScopes')).toEqual([mg]);
    const assignments = resources.filter(r => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(assignments).toHaveLength(2);
    expect(assignments[0].name).not.toBe(assignments[1].name);
    for (const assignment of assignments) {
      expect(assignment.id).toBe(`${mg}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`);
      expect(at(assignment.json, '/properties/roleDefinitionId')).toBe(
        `${mg}/providers/Microsoft.Authorization/roleDefinitions/${definition.name}`
      );
    }
  });

  test('a module scoped to the tenant ("/") runs at the tenant', () => {
    // Bicep writes a module with `scope: tenant()` so; a management group created there is at the root.
    const { resources, errors } = expandDocTemplate({
      $schema: 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2025-04-01',
          name: 'atTenant',
          scope: '/',
          location: 'westeurope',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            template: {
              $schema: 'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#',
              contentVersion: '1.0.0.0',
              resources: [
                {
                  type: 'Microsoft.Management/managementGroups',
                  apiVersion: '2023-04-01',
                  name: 'mg-new',
                  properties: { displayName: '[deployment().location]' }
                }
              ]
            }
          }
        }
      ]
    });
    expect(errors).toEqual([]);
    const created = resources.find(r => r.name === 'mg-new')!;
    expect(created.id).toBe('/providers/Microsoft.Management/managementGroups/mg-new');
    expect(at(created.json, '/properties/displayName')).toBe('westeurope');
  });
});

describe('existing references that are not deployed (SymbolicName Tests.Bicep.2.json and 3.json)', () => {
  test('a module behind a false condition is not deployed; names failing on an empty parameter stay notes', () => {
    const { resources, errors, notes } = expandTemplateFile(bicepPeer('SymbolicName.Tests.Bicep.2.json'), {
      scope: psruleScope
    });
    expect(errors).toEqual([]);
    const deployed = resources.filter(r => !r.existing);
    // PSRule: child2's role assignment only (its name is guid() of a principal id known after deployment).
    expect(deployed.map(r => r.type)).toEqual(['Microsoft.Authorization/roleAssignments']);
    expect(isUnknown(at(deployed[0].json, '/properties/principalId'))).toBe(true);
    expect(notes.some(n => /index '8' is out of bounds/.test(n))).toBe(true);
  });

  test('existing copies named from a variable and a range, depending on each other by index', () => {
    const { resources, errors } = expandTemplateFile(bicepPeer('SymbolicName.Tests.Bicep.3.json'), {
      scope: psruleScope
    });
    expect(errors).toEqual([]);
    expect(resources.map(r => [r.name, r.existing])).toEqual([
      ['example1', true],
      ['example2', true],
      ['example1/appsettings', true],
      ['example2/appsettings', true]
    ]);
  });
});

describe('a user-defined function as a parameter default (UserDefinedFunction Tests.Bicep.2.json)', () => {
  // PSRule expects 'sa5f3e65afb63bb1', 'sa' + its uniqueString(resourceGroup().id) + 1; its uniqueString
  // is not ARM's (see peer-functions.test.ts), so the name is checked against cmk-guard's own.
  test("the storage account is named 'sa' + uniqueString(resourceGroup().id) + '1'", () => {
    const { resources, errors } = expandTemplateFile(bicepPeer('UserDefinedFunction.Tests.Bicep.2.json'), {
      scope: psruleScope
    });
    expect(errors).toEqual([]);
    const unique = ev(
      "[uniqueString('/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/ps-rule-test-rg')]"
    ) as string;
    expect(resources.map(r => r.name)).toEqual([`sa${unique}1`]);
  });
});
