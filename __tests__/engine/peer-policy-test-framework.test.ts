/**
 * Policy evaluation against what Azure itself answered: microsoft/AzurePolicyTestFramework (MIT) assigns each of
 * its four definitions (`policy_definitions/*.json`, commit b32dd39bae26a7f6440672da0e061fe35a4b0d15, copied
 * unchanged into __tests__/fixtures/peer/azure-policy-test-framework/) to a resource group or subscription, with
 * effect Deny where the definition takes one, deploys resources with Terraform's azurerm provider 2.63 and asserts
 * whether Azure answers RequestDisallowedByPolicy (`test/*.yaml`: location and windows_vm at
 * 7f6ca96ec444e4df2fd7fd0bfa892ec27fe6f33c, the others at 63515cd2039a3e6ff747e3d373faf89492e77029). Each case is
 * restated here as the request azurerm sends, a template resource, and the answer Azure gave.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { evaluateDefinitions, loadDefinition, type CompiledDefinition } from '../../src/engine/index.js';
import type { Finding } from '../../src/model/finding.js';
import type { Value } from '../../src/model/value.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';
import { armTemplate } from '../support/arm-templates.js';

const peerDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/peer/azure-policy-test-framework'
);

type Obj = { [key: string]: Value };

function definition(file: string): CompiledDefinition {
  const full = path.join(peerDir, `${file}.json`);
  return loadDefinition({ file: full, json: JSON.parse(fs.readFileSync(full, 'utf8')) });
}

const LOCATION = definition('location');
const RG_NAMING = definition('resource-group-naming');
const BLOB_PUBLIC = definition('storage-account-disable-public-access');
const WINDOWS_VM = definition('windows-vm');
const ALL = [LOCATION, RG_NAMING, BLOB_PUBLIC, WINDOWS_VM];
/** The setups assign Deny to every definition whose effect is a parameter (the Windows VM one takes none). */
const DENY: Record<string, Record<string, Value>> = Object.fromEntries(
  [LOCATION, RG_NAMING, BLOB_PUBLIC].map(d => [d.name, { effect: 'Deny' }])
);

/** Azure's answer to a deployment of `resources` under `definitions`: refused (RequestDisallowedByPolicy) or not. */
function refused(definitions: CompiledDefinition[], resources: Obj[]): boolean {
  const text = JSON.stringify(armTemplate(resources), null, 2);
  const expanded = expandTemplateDocument(parseJsonWithPositions(text, 'main.tf.json'));
  expect(expanded.errors).toEqual([]);
  const findings: Finding[] = evaluateDefinitions(definitions, expanded.resources, { parameters: DENY });
  expect(findings.filter(f => f.verdict === 'indeterminate')).toEqual([]);
  return findings.some(f => f.verdict === 'noncompliant' && f.effect === 'Deny');
}

/** azurerm_virtual_network: a virtual network in `location` (Terraform sends the short name it is given). */
const vnet = (location: string): Obj => ({
  type: 'Microsoft.Network/virtualNetworks',
  apiVersion: '2020-11-01',
  name: 'vnet-ci-test-location-abcde',
  location,
  properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [] }
});

/** azurerm_resource_group: a resource group named prefix + five random lowercase letters. */
const resourceGroup = (prefix: string): Obj => ({
  type: 'Microsoft.Resources/resourceGroups',
  apiVersion: '2021-04-01',
  name: `${prefix}abcde`,
  location: 'northeurope'
});

/** azurerm_storage_account, Standard LRS, StorageV2, as provider 2.63 sends it. */
const storage = (allowBlobPublicAccess: boolean): Obj => ({
  type: 'Microsoft.Storage/storageAccounts',
  apiVersion: '2021-01-01',
  name: 'testfbaabcde',
  location: 'northeurope',
  kind: 'StorageV2',
  sku: { name: 'Standard_LRS' },
  properties: {
    supportsHttpsTrafficOnly: true,
    minimumTlsVersion: 'TLS1_0',
    allowBlobPublicAccess,
    isHnsEnabled: false,
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] }
  }
});

/** azurerm_windows_virtual_machine / azurerm_linux_virtual_machine: the OS profile says which. */
const vm = (windows: boolean, publisher: string, offer: string, sku: string): Obj => ({
  type: 'Microsoft.Compute/virtualMachines',
  apiVersion: '2020-12-01',
  name: 'vm-test',
  location: 'northeurope',
  properties: {
    hardwareProfile: { vmSize: 'Standard_B1s' },
    storageProfile: {
      imageReference: { publisher, offer, sku, version: 'latest' },
      osDisk: { caching: 'ReadWrite', createOption: 'FromImage', managedDisk: { storageAccountType: 'Standard_LRS' } }
    },
    osProfile: {
      computerName: 'vm-test',
      adminUsername: 'adminuser',
      ...(windows
        ? { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true } }
        : { linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true } })
    },
    networkProfile: {
      networkInterfaces: [
        { id: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic' }
      ]
    }
  }
});

describe('location.yaml: allowed locations given as display names ("North Europe", "East US 2")', () => {
  test.each([
    ['westeurope', true],
    ['westus', true],
    ['uksouth', true],
    ['francecentral', true],
    ['northeurope', false],
    ['eastus2', false]
  ])('a virtual network in %s: refused %s', (location, expected) => {
    expect(refused([LOCATION], [vnet(location)])).toBe(expected);
  });
});

describe('resource_group_naming.yaml: a resource group name must be like rg-*', () => {
  test.each([
    ['gr-', true],
    ['gr', true],
    ['rg', true],
    ['rg-', false]
  ])('prefix %s: refused %s', (prefix, expected) => {
    expect(refused([RG_NAMING], [resourceGroup(prefix)])).toBe(expected);
  });
});

describe('storageaccount_forbid_blob_public_access.yaml: allowBlobPublicAccess must be false', () => {
  test.each([
    [true, true],
    [false, false]
  ])('allow_blob_public_access %s: refused %s', (allow, expected) => {
    expect(refused([BLOB_PUBLIC], [storage(allow)])).toBe(expected);
  });
});

describe('windows_vm.yaml: a virtual machine with a Windows configuration is refused', () => {
  test.each([
    [true, 'MicrosoftWindowsServer', 'WindowsServer', '2019-Datacenter'],
    [true, 'MicrosoftWindowsServer', 'WindowsServer', '2016-Datacenter'],
    [true, 'MicrosoftWindowsServer', 'WindowsServer', '2012-Datacenter'],
    [true, 'MicrosoftWindowsDesktop', 'Windows-7', 'win7-enterprise'],
    [true, 'MicrosoftWindowsDesktop', 'Windows-10', '20h2-pro'],
    [true, 'MicrosoftWindowsDesktop', 'Windows-10', 'rs1-enterprise'],
    [false, 'OpenLogic', 'CentOS', '8_2']
  ])('windows %s (%s %s %s): refused as windows', (windows, publisher, offer, sku) => {
    expect(refused([WINDOWS_VM], [vm(windows, publisher, offer, sku)])).toBe(windows);
  });
});

describe('all_policies.yaml: all four assigned, compliant resources deploy', () => {
  test.each(['northeurope', 'eastus2'])('in %s nothing is refused', location => {
    const resources = [resourceGroup('rg-'), vnet(location), storage(false), vm(false, 'OpenLogic', 'CentOS', '8_2')];
    expect(refused(ALL, resources)).toBe(false);
  });
});
