/**
 * Policy evaluation against what Azure itself answered: Azure/Enterprise-Scale's live-Azure Pester tests
 * (`tests/policy/*.Tests.ps1` at dbd9bd21) assign each Azure Landing Zones definition to a management group and send
 * requests (Az PowerShell cmdlets, Invoke-AzRestMethod PUTs), asserting "disallowed by policy" or not. The definitions
 * are read from the corpus (`alz/enterprise-scale/`, the same commit); each Pester case is restated here as the
 * request it sends, a template resource, and the answer Azure gave.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { evaluateDefinitions, loadDefinition, type CompiledDefinition } from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument, type DeploymentContext } from '../../src/sources/templates.js';
import { armTemplate } from '../support/arm-templates.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repo, '../shared/corpus');
const alz = path.join(corpus, 'alz/enterprise-scale');

type Obj = { [key: string]: Value };

function definition(name: string): CompiledDefinition {
  const file = path.join(alz, `${name}.json`);
  return loadDefinition({ file, json: JSON.parse(fs.readFileSync(file, 'utf8')) });
}

/** Whether Azure refuses the request for `resource` under `def`, assigned with its defaults and `parameters`. */
function refused(
  def: CompiledDefinition,
  resource: Obj,
  parameters: Record<string, Value> = {},
  scope?: DeploymentContext
): boolean {
  const text = JSON.stringify(armTemplate([{ apiVersion: '2023-01-01', ...resource }]), null, 2);
  const expanded = expandTemplateDocument(parseJsonWithPositions(text, 'request.json'), { scope });
  expect(expanded.errors).toEqual([]);
  const findings = evaluateDefinitions([def], expanded.resources, { parameters: { [def.name]: parameters } });
  expect(findings.filter(f => f.verdict === 'indeterminate')).toEqual([]);
  return findings.some(f => f.verdict === 'noncompliant' && f.effect === 'Deny');
}

describe('Deny-MgmtPorts-From-Internet (ports 3389 and 22, as the test assigns)', () => {
  const def = definition('Deny-MgmtPorts-From-Internet');
  const ports = { ports: ['3389', '22'] };
  const NSG = 'Microsoft.Network/networkSecurityGroups';
  const rule = (name: string, priority: number, port: string | string[]): Obj => ({
    name,
    properties: {
      description: name,
      protocol: 'Tcp',
      sourcePortRange: '*',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: '*',
      access: 'Allow',
      priority,
      direction: 'Inbound',
      ...(Array.isArray(port) ? { destinationPortRanges: port } : { destinationPortRange: port })
    }
  });
  const nsg = (rules: Obj[]): Obj => ({
    type: NSG,
    name: 'nsg-test',
    location: 'uksouth',
    properties: { securityRules: rules }
  });
  const child = (r: Obj): Obj => ({
    type: `${NSG}/securityRules`,
    name: `nsg-test/${r.name}`,
    properties: r.properties
  });
  test.each<[string, boolean, Obj[]]>([
    ['RDP 3389', true, [rule('RDP-rule', 200, '3389')]],
    ['range 21-23', true, [rule('SSH-rulePlus', 200, '21-23')]],
    ['443', false, [rule('web-rule', 200, '443')]],
    ['443 and 21-23', true, [rule('Web-rule', 300, '443'), rule('SSH-rule', 310, '21-23')]],
    [
      'ranges 23, 3388-3390, 8080',
      true,
      [rule('Web-rule', 300, '443'), rule('Multi', 310, ['23', '3388-3390', '8080'])]
    ],
    [
      'ranges 23, 3390-3392, 8080',
      false,
      [rule('Web-rule', 300, '443'), rule('Multi', 310, ['23', '3390-3392', '8080'])]
    ]
  ])('a group with %s: refused %s, and the same rules as child resources', (_label, expected, rules) => {
    expect(refused(def, nsg(rules), ports)).toBe(expected);
    expect(rules.some(r => refused(def, child(r), ports))).toBe(expected);
  });
});

describe('Deny-Subnet-Without-Nsg, -Udr, -Penp', () => {
  const nsgId = '/subscriptions/0000/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg1';
  const rtId = '/subscriptions/0000/resourceGroups/rg1/providers/Microsoft.Network/routeTables/RouteTable01';
  const vnet = (name: string, properties: Obj = {}): Obj => ({
    type: 'Microsoft.Network/virtualNetworks',
    name: 'vnet-x',
    location: 'uksouth',
    properties: {
      addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
      subnets: [{ name, properties: { addressPrefix: '10.0.0.0/24', ...properties } }]
    }
  });
  const withNsg = { networkSecurityGroup: { id: nsgId } };
  test('a subnet without a network security group is refused; AzureFirewallSubnet and one with a group are not', () => {
    const def = definition('Deny-Subnet-Without-Nsg');
    expect(refused(def, vnet('Subnet01'))).toBe(true);
    expect(refused(def, vnet('AzureFirewallSubnet'))).toBe(false);
    expect(refused(def, vnet('Subnet01', withNsg))).toBe(false);
  });
  test('a subnet without a route table is refused; AzureBastionSubnet and one with a table are not', () => {
    const def = definition('Deny-Subnet-Without-Udr');
    expect(refused(def, vnet('Subnet01', withNsg))).toBe(true);
    expect(refused(def, vnet('AzureBastionSubnet', withNsg))).toBe(false);
    expect(refused(def, vnet('Subnet01', { ...withNsg, routeTable: { id: rtId } }))).toBe(false);
  });
  test('a subnet without private endpoint network policies is refused', () => {
    const def = definition('Deny-Subnet-Without-Penp');
    expect(refused(def, vnet('Subnet01', withNsg))).toBe(true);
    expect(refused(def, vnet('Subnet01', { ...withNsg, privateEndpointNetworkPolicies: 'Enabled' }))).toBe(false);
  });
});

describe('Deny-UDR-With-Specific-NextHop', () => {
  const def = definition('Deny-UDR-With-Specific-NextHop');
  const table = (name: string, addressPrefix: string, nextHopType: string): Obj => ({
    type: 'Microsoft.Network/routeTables',
    name: 'RouteTable01',
    location: 'uksouth',
    properties: { routes: [{ name, properties: { addressPrefix, nextHopType } }] }
  });
  test.each([
    ['Internet', true, '0.0.0.0/0'],
    ['VirtualNetworkGateway', true, '10.1.0.0/24'],
    ['VnetLocal', false, '10.0.0.0/16']
  ])('a route to %s: refused %s', (hop, expected, prefix) => {
    expect(refused(def, table('Route01', prefix, hop))).toBe(expected);
  });
});

describe('storage accounts: custom domain, SFTP', () => {
  const account = (properties: Obj = {}): Obj => ({
    type: 'Microsoft.Storage/storageAccounts',
    name: 'alztestx',
    location: 'uksouth',
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
    properties: {
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      supportsHttpsTrafficOnly: true,
      publicNetworkAccess: 'Disabled',
      ...properties
    }
  });
  test('Deny-StorageAccount-CustomDomain: a custom domain is refused, with or without useSubDomainName', () => {
    const def = definition('Deny-StorageAccount-CustomDomain');
    const domain = (useSubDomainName: boolean) => ({
      customDomain: { name: 'alztestx.blob.core.windows.net', useSubDomainName }
    });
    expect(refused(def, account(domain(true)))).toBe(true);
    expect(refused(def, account(domain(false)))).toBe(true);
    expect(refused(def, account())).toBe(false);
  });
  test('Deny-Storage-SFTP: SFTP enabled is refused', () => {
    const def = definition('Deny-Storage-SFTP');
    expect(refused(def, account({ isSftpEnabled: true }))).toBe(true);
    expect(refused(def, account({ isSftpEnabled: false }))).toBe(false);
  });
});

describe('Deny-FileServices-*: a file service PUT with SMB protocol settings', () => {
  const valid = {
    authenticationMethods: 'Kerberos',
    channelEncryption: 'AES-256-GCM',
    kerberosTicketEncryption: 'AES-256',
    versions: 'SMB3.1.1'
  };
  const files = (smb: Obj): Obj => ({
    type: 'Microsoft.Storage/storageAccounts/fileServices',
    apiVersion: '2022-09-01',
    name: 'alztestx/default',
    properties: { protocolSettings: { smb } }
  });
  test.each<[string, Obj]>([
    ['Deny-FileServices-InsecureAuth', { authenticationMethods: 'NTLMv2' }],
    ['Deny-FileServices-InsecureKerberos', { kerberosTicketEncryption: 'RC4-HMAC' }],
    ['Deny-FileServices-InsecureSmbChannel', { channelEncryption: 'AES-128-CCM' }],
    ['Deny-FileServices-InsecureSmbVersions', { versions: 'SMB2.1' }]
  ])('%s: the insecure setting %j is refused, the secure settings are not', (name, insecure) => {
    const def = definition(name);
    expect(refused(def, files({ ...valid, ...insecure }))).toBe(true);
    expect(refused(def, files(valid))).toBe(false);
  });
});

describe('Deny-MySql-http and Deny-PostgreSql-http (New-AzMySqlServer, New-AzPostgreSqlServer, GP_Gen5_2)', () => {
  const server = (type: string, sslEnforcement: string, minimalTlsVersion: string): Obj => ({
    type,
    apiVersion: '2017-12-01',
    name: 'db-abcdefghijklm',
    location: 'uksouth',
    sku: { name: 'GP_Gen5_2', tier: 'GeneralPurpose', family: 'Gen5', capacity: 2 },
    properties: {
      createMode: 'Default',
      administratorLogin: 'mysql_test',
      administratorLoginPassword: 'x',
      sslEnforcement,
      minimalTlsVersion
    }
  });
  test.each([
    ['Deny-MySql-http', 'Microsoft.DBforMySQL/servers', 'TLS1_0'],
    ['Deny-PostgreSql-http', 'Microsoft.DBforPostgreSQL/servers', 'TLS1_1']
  ])('%s: SSL disabled or an older TLS is refused; SSL with TLS 1.2 is not', (name, type, olderTls) => {
    const def = definition(name);
    expect(refused(def, server(type, 'Disabled', 'TLS1_2'))).toBe(true);
    expect(refused(def, server(type, 'Enabled', olderTls))).toBe(true);
    expect(refused(def, server(type, 'Enabled', 'TLS1_2'))).toBe(false);
  });
});

describe('Deny-AppGW-Without-WAF (New-AzApplicationGateway)', () => {
  const def = definition('Deny-AppGW-Without-WAF');
  const gateway = (sku: string): Obj => ({
    type: 'Microsoft.Network/applicationGateways',
    name: 'alztestabcdefghijklm',
    location: 'uksouth',
    properties: {
      sku: { name: sku, tier: sku, capacity: 1 },
      webApplicationFirewallConfiguration: {
        enabled: true,
        firewallMode: 'Detection',
        ruleSetType: 'OWASP',
        ruleSetVersion: '3.0'
      }
    }
  });
  test('a Standard_v2 gateway is refused even with a WAF configuration; a WAF_v2 one is not', () => {
    expect(refused(def, gateway('Standard_v2'))).toBe(true);
    expect(refused(def, gateway('WAF_v2'))).toBe(false);
  });
});

describe('Deny-Private-DNS-Zones (New-AzPrivateDnsZone)', () => {
  test('a private DNS zone is refused', () => {
    const zone: Obj = { type: 'Microsoft.Network/privateDnsZones', name: 'alztest.com', location: 'global' };
    expect(refused(definition('Deny-Private-DNS-Zones'), zone)).toBe(true);
  });
});

describe('virtual network peerings (Add-AzVirtualNetworkPeering: a PUT of …/virtualNetworkPeerings/NAME)', () => {
  const vnetId = (name: string, subscription = '00000000-0000-0000-0000-000000000000') =>
    `/subscriptions/${subscription}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/${name}`;
  const peering = (from: string, to: string): Obj => ({
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    name: `${from}/${from}To${to}`,
    properties: { remoteVirtualNetwork: { id: vnetId(to) } }
  });
  const vnet = (name: string): Obj => ({
    type: 'Microsoft.Network/virtualNetworks',
    name,
    location: 'uksouth',
    properties: {
      addressSpace: { addressPrefixes: ['10.1.0.0/16'] },
      subnets: [{ name: 'subnet01', properties: { addressPrefix: '10.1.0.0/24' } }]
    }
  });
  test('Deny-VNET-Peer-Cross-Sub: a peering to a network in another subscription is refused', () => {
    const crossSub = peering('myVnet1', 'myVnet2');
    const remote = vnetId('myVnet2', '11111111-1111-1111-1111-111111111111');
    crossSub.properties = { remoteVirtualNetwork: { id: remote } };
    // The test deploys to its first subscription: given, as --subscription gives it to expand.
    const where = { subscriptionId: '22222222-2222-2222-2222-222222222222', resourceGroup: 'rg1' };
    expect(refused(definition('Deny-VNET-Peer-Cross-Sub'), crossSub, {}, where)).toBe(true);
  });
  test('Deny-VNet-Peering: any peering is refused', () => {
    expect(refused(definition('Deny-VNet-Peering'), peering('myVnet1', 'myVnet2'))).toBe(true);
  });
  test('Deny-VNET-Peering-To-Non-Approved-VNETs: a peering to a network not listed is refused, to a listed one not', () => {
    const def = definition('Deny-VNET-Peering-To-Non-Approved-VNETs');
    // The deny case assigns bare names, which no remote network id equals.
    expect(refused(def, peering('myVnet1', 'myVnet2'), { allowedVnets: ['ApprovedVnet01', 'ApprovedVnet02'] })).toBe(
      true
    );
    const approved = { allowedVnets: [vnetId('ApprovedVnet01'), vnetId('ApprovedVnet02')] };
    // The networks themselves are created first, without peerings: not refused.
    expect(refused(def, vnet('ApprovedVnet01'), approved)).toBe(false);
    expect(refused(def, peering('ApprovedVnet01', 'ApprovedVnet02'), approved)).toBe(false);
  });
});
