/**
 * Expectations of Azure/template-analyzer (MIT), whose template processor expands templates with ARM's
 * own engine (Azure.Deployments.Templates) before its rules run. Its facts are restated here as
 * cmk-guard's own tests:
 * - src/Analyzer.TemplateProcessor.UnitTests/ArmTemplateProcessorTests.cs (commit
 *   c3876ea3d9fcebf9a5b7116e639341381659aa9f): copy loops, copyIndex offsets, child resources, functions;
 *   its templates are written inside the test, so they are written here again;
 * - src/Analyzer.Core.UnitTests/TemplateAnalyzerTests.cs and the nested templates copied unchanged into
 *   __tests__/fixtures/peer/template-analyzer/ (see the README there): which lines of a nested template
 *   fail its rule "FTPS should be required" (ftpsState must be FtpsOnly or Disabled), which says which
 *   value each nested `ftpsState` takes in ARM's engine;
 * - src/Analyzer.Cli.FunctionalTests/Tests (ReportsError.json, AnInvalidTemplate.json): templates ARM's
 *   engine refuses.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { expandTemplateFile, TemplateError } from '../../src/sources/index.js';
import { UserError } from '../../src/model/errors.js';
import { isUnknown, type Value } from '../../src/model/value.js';
import type { Resource } from '../../src/model/resource.js';
import { at, byName, fixtures, lineOf } from './helpers.js';

const peerDir = path.join(fixtures, '..', 'peer', 'template-analyzer');
const peer = (name: string): string => path.join(peerDir, name);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-peer-ta-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let written = 0;
/** Writes a template (its resources, or a whole document) to a file of its own and expands it. */
function expand(template: object, parameters?: object): ReturnType<typeof expandTemplateFile> & { file: string } {
  const file = path.join(scratch, `t${++written}.json`);
  fs.writeFileSync(file, JSON.stringify(template, null, 2));
  const parameterFiles: string[] = [];
  if (parameters) {
    const parameterFile = path.join(scratch, `t${written}.parameters.json`);
    fs.writeFileSync(parameterFile, JSON.stringify(parameters, null, 2));
    parameterFiles.push(parameterFile);
  }
  return { ...expandTemplateFile(file, { parameterFiles }), file };
}

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const withResources = (...resources: object[]): object => ({
  $schema: SCHEMA,
  contentVersion: '1.0.0.0',
  parameters: {},
  variables: {},
  resources,
  outputs: {}
});

const names = (resources: Resource[]): string[] => resources.map(r => r.name);

describe('copy loops (ArmTemplateProcessorTests "ParseAndValidateTemplate_…CopyLoops/CopyIndex")', () => {
  const natRule = (name: string, loop: string | null, port: string): object => ({
    apiVersion: '2016-03-30',
    ...(loop ? { copy: { count: 2, name: loop } } : {}),
    location: 'westus2',
    name,
    properties: {
      backendPort: 22,
      enableFloatingIP: false,
      frontendIPConfiguration: {
        id: 'Microsoft.Network/loadBalancers/loadBalancer/frontendIPConfigurations/config'
      },
      frontendPort: port,
      protocol: 'Tcp'
    },
    type: 'Microsoft.Network/loadBalancers/inboundNatRules'
  });

  test('copyIndex() in a name and copyIndex(2200) as a number, per instance', () => {
    const { resources, errors } = expand(
      withResources(
        natRule("[concat('name', '/', 'SSH-', 'VMNamePrefix-', copyIndex())]", 'masterLbLoopNode', '[copyIndex(2200)]')
      )
    );
    expect(errors).toEqual([]);
    expect(names(resources)).toEqual(['name/SSH-VMNamePrefix-0', 'name/SSH-VMNamePrefix-1']);
    // ARM's engine gives the integers 2200 and 2201, not strings.
    expect(resources.map(r => at(r.json, '/properties/frontendPort'))).toEqual([2200, 2201]);
  });

  test('two loops and a resource without one give five resources', () => {
    const { resources, errors } = expand(
      withResources(
        natRule("[concat('name', '/', 'SSH-', 'VMNamePrefix-', copyIndex())]", 'masterLbLoopNode', '[copyIndex(2200)]'),
        natRule('resourceWith/NoCopyLoop', null, '28'),
        natRule("[concat('name', '/', 'CopyLoop2-SSH-', 'VMNamePrefix-', copyIndex())]", 'loop2', '[copyIndex(2200)]')
      )
    );
    expect(errors).toEqual([]);
    expect(names(resources).sort()).toEqual(
      [
        'name/SSH-VMNamePrefix-0',
        'name/SSH-VMNamePrefix-1',
        'resourceWith/NoCopyLoop',
        'name/CopyLoop2-SSH-VMNamePrefix-0',
        'name/CopyLoop2-SSH-VMNamePrefix-1'
      ].sort()
    );
    // A literal "28" stays the string it is written as.
    expect(at(byName(resources, 'resourceWith/NoCopyLoop').json, '/properties/frontendPort')).toBe('28');
  });

  // ScenariosOfCopiesWithDependencies: the names ARM's engine gives each copy.
  test('copies that depend on others, index by index, and copyIndex(1)', () => {
    const vm = (name: string, loop: string | null, dependsOn: string[]): object => ({
      type: 'Microsoft.Compute/virtualMachines',
      name,
      apiVersion: '2017-03-30',
      ...(loop ? { copy: { name: loop, count: 2 } } : {}),
      dependsOn,
      properties: {}
    });
    const first = expand(
      withResources(
        vm("[concat('vmName', copyIndex())]", 'virtualMachineLoop', ['storageAccountName', 'asName']),
        { type: 'Microsoft.Compute/availabilitySets', name: 'asName', apiVersion: '2020-12-01', properties: {} },
        {
          type: 'Microsoft.Storage/storageAccounts',
          name: 'storageAccountName',
          apiVersion: '2020-12-01',
          properties: {}
        }
      )
    );
    expect(first.errors).toEqual([]);
    expect(names(first.resources).sort()).toEqual(['asName', 'storageAccountName', 'vmName0', 'vmName1']);

    const second = expand(
      withResources(
        {
          type: 'Microsoft.Network/networkInterfaces',
          name: "[concat('ni', copyindex())]",
          apiVersion: '2016-03-30',
          dependsOn: [],
          copy: { name: 'WebTierNicLoop', count: 2 },
          properties: {}
        },
        {
          ...vm("[concat('vm', copyindex())]", 'WebTierVMLoop', [
            "[resourceId('Microsoft.Network/networkInterfaces/', concat('ni', copyindex()))]"
          ]),
          properties: { nic: "[resourceId('Microsoft.Network/networkInterfaces/', concat('ni', copyindex()))]" }
        }
      )
    );
    expect(second.errors).toEqual([]);
    expect(names(second.resources).sort()).toEqual(['ni0', 'ni1', 'vm0', 'vm1']);
    // The trailing '/' of the type in resourceId() does not change the id ARM builds.
    expect(at(byName(second.resources, 'vm1').json, '/properties/nic')).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/ni1'
    );

    const third = expand(
      withResources(
        {
          type: 'Microsoft.Compute/availabilitySets',
          name: "[concat('as', copyindex(1))]",
          apiVersion: '2017-12-01',
          copy: { name: 'availSetLoop', count: 2 },
          properties: {}
        },
        vm('vms0', null, ['as1']),
        vm('vms1', null, ['as2'])
      )
    );
    expect(third.errors).toEqual([]);
    expect(names(third.resources).sort()).toEqual(['as1', 'as2', 'vms0', 'vms1']);
  });
});

describe('functions ARM evaluates without a deployment (ArmTemplateProcessorTests)', () => {
  test('uniqueString() in a property ("…WithExpressionInResourceProperties")', () => {
    const { resources, errors } = expand(
      withResources({
        apiVersion: '2020-05-01',
        type: 'Microsoft.Network/publicIPAddresses',
        name: 'publicIPAddress',
        location: 'westus',
        tags: {},
        properties: {
          publicIPAllocationMethod: 'Dynamic',
          dnsSettings: { domainNameLabel: "[concat('linux-vm-', uniqueString(resourceGroup().id))]" }
        }
      })
    );
    expect(errors).toEqual([]);
    const label = at(resources[0].json, '/properties/dnsSettings/domainNameLabel');
    expect(label).toMatch(/^linux-vm-[a-z0-9]{13}$/);
  });

  test('environment().suffixes.sqlServerHostname in a parameter default ("…UsingEnvironmentFunction")', () => {
    const { resources, errors } = expand({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: {
        privateDbDnsZoneName: {
          type: 'string',
          defaultValue: "[concat('privatelink', environment().suffixes.sqlServerHostname)]"
        }
      },
      resources: [
        {
          type: 'Microsoft.Network/privateDnsZones',
          apiVersion: '2020-06-01',
          name: "[parameters('privateDbDnsZoneName')]"
        }
      ]
    });
    expect(errors).toEqual([]);
    expect(names(resources)).toEqual(['privatelink.database.windows.net']);
  });

  // The peer's placeholder group is "placeholderManagementGroup"; cmk-guard's is "mg". What the peer
  // shows is the shape of the id: /providers/Microsoft.Management/managementGroups/<name>.
  test('managementGroup().id at management-group scope ("…UsingManagementGroupFunction")', () => {
    const { resources, errors } = expand({
      $schema: 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Management/managementGroups',
          apiVersion: '2020-05-01',
          scope: '/',
          name: 'aManagementGroupName',
          properties: { details: { parent: { id: '[managementGroup().id]' } } }
        }
      ]
    });
    expect(errors).toEqual([]);
    expect(at(resources[0].json, '/properties/details/parent/id')).toBe(
      '/providers/Microsoft.Management/managementGroups/mg'
    );
  });

  test('dates written as strings stay strings ("…WithDates_DoesNotParseDates")', () => {
    const { resources, errors } = expand(
      withResources({
        type: 'Microsoft.Consumption/budgets',
        apiVersion: '2019-10-01',
        name: 'A name',
        properties: { startDate: '2021-02-28', endDate: '2031-02-28T18:17:16Z' }
      })
    );
    expect(errors).toEqual([]);
    expect(at(resources[0].json, '/properties')).toEqual({ startDate: '2021-02-28', endDate: '2031-02-28T18:17:16Z' });
  });
});

// Azure/template-analyzer issue #184: its older ARM library refused "[variables(…)]" in a parameter's
// default ("The template function 'variables' is not expected at this location"); the quickstart that
// does it deployed in the quickstart pipeline, and the newer library accepts it. So does cmk-guard.
test('a parameter default that reads a variable is evaluated (template-analyzer #184)', () => {
  const { resources, errors } = expand({
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { dnsLabelPrefix: { type: 'string', defaultValue: "[concat(variables('prefix'), '-dns')]" } },
    variables: { prefix: 'openedx' },
    resources: [
      {
        type: 'Microsoft.Network/publicIPAddresses',
        apiVersion: '2020-05-01',
        name: 'ip',
        location: 'westus',
        properties: { dnsSettings: { domainNameLabel: "[parameters('dnsLabelPrefix')]" } }
      }
    ]
  });
  expect(errors).toEqual([]);
  expect(at(resources[0].json, '/properties/dnsSettings/domainNameLabel')).toBe('openedx-dns');
});

describe('parameters (ArmTemplateProcessorTests "PopulateParameters_…", "…PartialParameterList")', () => {
  const template = {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { trafficRoutingMethod: { type: 'string' }, location: { type: 'string' } },
    resources: [
      {
        type: 'Microsoft.Network/trafficmanagerprofiles',
        apiVersion: '2018-08-01',
        name: 'testTrafMan',
        location: "[parameters('location')]",
        properties: { trafficRoutingMethod: "[parameters('trafficRoutingMethod')]" }
      }
    ]
  };

  // The peer fills a parameter that has no value with a placeholder so its rules can run; cmk-guard
  // keeps it unknown (DESIGN.md: unknown, not empty). The value given is used.
  test('a parameter file that gives one of two parameters', () => {
    const { resources, errors } = expand(template, {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { trafficRoutingMethod: { value: 'Priority' } }
    });
    expect(errors).toEqual([]);
    expect(at(resources[0].json, '/properties/trafficRoutingMethod')).toBe('Priority');
    expect(isUnknown(at(resources[0].json, '/location') as Value)).toBe(true);
  });

  // The peer gives "REF_NOT_AVAIL_<name>"; the secret is not in the file, so cmk-guard says unknown.
  test('a Key Vault reference in a parameter file is unknown', () => {
    const { resources, errors } = expand(template, {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: {
        trafficRoutingMethod: {
          reference: { keyVault: { id: 'keyVaultID' }, secretName: 'testSecretName' }
        },
        location: { value: 'westus' }
      }
    });
    expect(errors).toEqual([]);
    expect(isUnknown(at(resources[0].json, '/properties/trafficRoutingMethod') as Value)).toBe(true);
    expect(at(resources[0].json, '/location')).toBe('westus');
  });
});

describe('child resources (ArmTemplateProcessorTests "CopyResourceDependants_…")', () => {
  // "The processed template has the full type value of each resource": a child declared inside its
  // parent gets the parent's type in front, and (in ARM) the parent's name in front of its own.
  test('children and grandchildren get the full type and name', () => {
    const { resources, errors } = expand(
      withResources(
        {
          type: 'Microsoft.EventGrid/domains',
          apiVersion: '2019-04-01',
          name: 'parentResource',
          resources: [
            {
              type: 'topics',
              apiVersion: '2019-04-01',
              name: 'embeddedChildResource',
              properties: {},
              resources: [
                {
                  type: 'eventSubscriptions',
                  apiVersion: '2019-04-01',
                  name: 'embeddedGrandChildResource',
                  properties: {}
                }
              ]
            }
          ],
          properties: {}
        },
        {
          type: 'Microsoft.Sql/servers',
          apiVersion: '2020-02-02-preview',
          name: 'sqlServerName',
          location: 'location',
          properties: {},
          resources: [
            {
              type: 'databases',
              apiVersion: '2020-02-02-preview',
              name: 'dataWarehouseName',
              location: "location'",
              kind: 'v12.0,user,datawarehouse',
              dependsOn: ['sqlServerName'],
              properties: {},
              resources: [
                {
                  type: 'transparentDataEncryption',
                  apiVersion: '2017-03-01-preview',
                  name: 'current',
                  dependsOn: ['dataWarehouseName'],
                  properties: {}
                }
              ]
            }
          ]
        }
      )
    );
    expect(errors).toEqual([]);
    expect(resources.map(r => [r.type, r.name]).sort()).toEqual(
      [
        ['Microsoft.EventGrid/domains', 'parentResource'],
        ['Microsoft.EventGrid/domains/topics', 'parentResource/embeddedChildResource'],
        [
          'Microsoft.EventGrid/domains/topics/eventSubscriptions',
          'parentResource/embeddedChildResource/embeddedGrandChildResource'
        ],
        ['Microsoft.Sql/servers', 'sqlServerName'],
        ['Microsoft.Sql/servers/databases', 'sqlServerName/dataWarehouseName'],
        ['Microsoft.Sql/servers/databases/transparentDataEncryption', 'sqlServerName/dataWarehouseName/current']
      ].sort()
    );
  });

  test('dependsOn a resource group by id and by subscriptionResourceId() ("…DependsOnAResourceGroup")', () => {
    const group = {
      type: 'Microsoft.Resources/resourceGroups',
      apiVersion: '2019-10-01',
      name: 'aResourceName',
      properties: {}
    };
    for (const dependsOn of [
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aResourceName',
      "[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'aResourceName')]"
    ]) {
      const { resources, errors } = expand({
        $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [
          group,
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2019-10-01',
            name: 'aDeploymentName',
            location: 'westus',
            properties: { mode: 'Incremental', template: withResources() },
            dependsOn: [dependsOn]
          }
        ]
      });
      expect(errors).toEqual([]);
      expect(byName(resources, 'aResourceName').id).toBe(
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aResourceName'
      );
    }
  });

  test('a child declared inside its parent with a two-segment name is refused at its line ("…IncorrectSegmentLength")', () => {
    const template = withResources({
      apiVersion: '2020-12-01',
      type: 'Microsoft.Compute/virtualMachines',
      name: 'vms',
      properties: {},
      resources: [{ type: 'extensions', name: 'vms/InstallDomainController', apiVersion: '2020-12-01', properties: {} }]
    });
    const file = path.join(scratch, 'segments.json');
    const text = JSON.stringify(template, null, 2);
    fs.writeFileSync(file, text);
    // At the name that has too many segments.
    expectRefused(
      () => expandTemplateFile(file),
      file,
      lineOf('"name": "vms/InstallDomainController"', text),
      /segment/
    );
  });
});

function expectRefused(run: () => unknown, file: string, line: number, message: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(UserError);
  const e = thrown as TemplateError;
  expect(e.location?.file).toBe(file);
  expect(e.location?.line).toBe(line);
  expect(e.message).toMatch(message);
}

describe('templates ARM refuses (Analyzer.Cli.FunctionalTests)', () => {
  test('a top-level name with more segments than the type has (ReportsError.json)', () => {
    const file = peer('ReportsError.json');
    expectRefused(() => expandTemplateFile(file), file, 8, /incorrect segment lengths/);
  });

  // The template syntax page lists "resources" as required; the peer's ARM engine throws on this file.
  test('a template without "resources" (AnInvalidTemplate.json)', () => {
    const file = peer('AnInvalidTemplate.json');
    expectRefused(() => expandTemplateFile(file), file, 1, /no "resources"/);
  });

  test('a nested template without "resources" is refused at its "template"', () => {
    const template = withResources({
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2021-04-01',
      name: 'nested',
      properties: { mode: 'Incremental', template: { $schema: SCHEMA, contentVersion: '1.0.0.0' } }
    });
    const file = path.join(scratch, 'nested-no-resources.json');
    const text = JSON.stringify(template, null, 2);
    fs.writeFileSync(file, text);
    expectRefused(() => expandTemplateFile(file), file, lineOf('"template": {', text), /no "resources"/);
  });
});

/** The value, and the line it was written on, of each site's ftpsState, by site name. */
function ftpsStates(resources: Resource[]): Record<string, [Value | undefined, number | undefined]> {
  const out: Record<string, [Value | undefined, number | undefined]> = {};
  for (const site of resources.filter(r => r.type === 'Microsoft.Web/sites')) {
    out[site.name] = [
      at(site.json, '/properties/siteConfig/ftpsState'),
      site.positionOf?.('/properties/siteConfig/ftpsState')?.line
    ];
  }
  return out;
}

// TemplateAnalyzerTests "AnalyzeTemplate_ValidNestedTemplate_ReturnsExpectedEvaluations": the lines its
// rules report. A site whose ftpsState line is in the peer's list has a value other than FtpsOnly or
// Disabled in ARM's engine; one whose line is not listed has FtpsOnly.
describe('nested templates (TemplateAnalyzerTests, fixtures copied unchanged)', () => {
  test('outer scope: the parent parameter and the nested literal (SimpleNestedFail.json, lines 41…61)', () => {
    const { resources, errors } = expandTemplateFile(peer('SimpleNestedFail.json'));
    expect(errors).toEqual([]);
    expect(ftpsStates(resources)).toEqual({
      linuxKind: ['FtpsOnly', 37],
      withoutSpecifyingProperties: ['FtpsOnly', 49],
      undesiredFtpsState: ['undesiredValue', 61] // line 61 is in the peer's list
    });
    // The nested deployment names its resource group: the sites are deployed there.
    expect(byName(resources, 'linuxKind').id).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg/providers/Microsoft.Web/sites/linuxKind'
    );
    expect(byName(resources, 'linuxKind').source?.line).toBe(29);
  });

  test('two levels of nesting (DoubleNestedFail.json, lines 30…60)', () => {
    const { resources, errors } = expandTemplateFile(peer('DoubleNestedFail.json'));
    expect(errors).toEqual([]);
    expect(ftpsStates(resources)).toEqual({
      // No ftpsState: the finding is at "properties" (line 36), the line the peer reports too.
      withoutSpecifyingProperties: [undefined, 36],
      undesiredFtpsState: ['undesiredValue', 60]
    });
    expect(resources.map(r => r.source?.line)).toEqual([30, 52]);
  });

  test('outer scope reads the parent, inner scope the nested template (InnerOuterScopeFail.json)', () => {
    const { resources, errors } = expandTemplateFile(peer('InnerOuterScopeFail.json'));
    expect(errors).toEqual([]);
    // Outer scope: the parent's ftpsState (FtpsOnly; line 61 is not in the peer's list), variable and
    // location; inner scope: the nested template's own (line 117 is in the list).
    expect(ftpsStates(resources)).toEqual({
      withoutSpecifyingProperties: ['FtpsOnly', 61],
      '0storagedojm7b5lc3trm': ['undesiredValue', 117],
      '1storagedojm7b5lc3trm': ['undesiredValue', 117]
    });
    const zones = resources.filter(r => r.type === 'Microsoft.Network/dnszones');
    expect(zones.map(r => [r.name, at(r.json, '/location')])).toEqual([
      ['from main template', 'default'],
      ['from nested template2', 'notdefault']
    ]);
  });

  test('inner scope with parameters passed from the parent (ParameterPassingFail.json, lines 50…66)', () => {
    const { resources, errors } = expandTemplateFile(peer('ParameterPassingFail.json'));
    expect(errors).toEqual([]);
    // Line 67 is not in the peer's list: the parent's FtpsOnly reaches the nested template.
    expect(ftpsStates(resources)).toEqual({
      withoutSpecifyingProperties: [undefined, 56], // at "properties", as the peer reports it
      undesiredFtpsState: ['FtpsOnly', 67]
    });
    expect(resources.map(r => at(r.json, '/location'))).toEqual(['location', 'location']);
  });
});
