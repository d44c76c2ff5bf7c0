/**
 * `[field()]` inside an `existenceCondition` reads the resource that matched `if`; a `field`
 * condition there reads the related resource. The auditIfNotExists and deployIfNotExists pages:
 * the existence condition "is evaluated against each related resource individually" and "Can use
 * [field()] to check equivalence with values in the if condition. For example, could be used to
 * validate that the parent resource (in the if condition) is in the same resource location as the
 * matching related resource."
 * AINE = https://learn.microsoft.com/azure/governance/policy/concepts/effect-audit-if-not-exists#auditifnotexists-properties
 * DINE = https://learn.microsoft.com/azure/governance/policy/concepts/effect-deploy-if-not-exists#deployifnotexists-properties
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDefinition } from '../../src/engine/index.js';
import type { Resource } from '../../src/model/resource.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

const here = path.dirname(fileURLToPath(import.meta.url));
const builtin = (file: string) =>
  loadDefinition({
    file,
    json: JSON.parse(fs.readFileSync(path.join(here, '../fixtures/engine/builtin', file), 'utf8'))
  });

const SUB = '11111111-1111-1111-1111-111111111111';
const rg = (group: string) => `/subscriptions/${SUB}/resourceGroups/${group}`;
const at = (group: string, type: string, name: string, json: Obj = {}): Resource =>
  armResource({
    id: `${rg(group)}/providers/${type}/${name}`,
    type,
    name,
    location: 'westeurope',
    properties: {},
    ...json
  });

describe('built-in fc5e4038 "All Internet traffic should be routed via your deployed Azure Firewall" (AINE)', () => {
  const def = builtin('Network_AllInternetTrafficViaAzureFirewall_AuditIfNotExists.json');
  const VNET = 'Microsoft.Network/virtualNetworks';
  const FIREWALL = 'Microsoft.Network/azureFirewalls';
  // A subnet with two NICs attached, no route table, not the Bastion or gateway subnet: the `if` holds.
  const vnet = (name: string) =>
    at('net', VNET, name, {
      properties: {
        subnets: [
          {
            name: 'workloads',
            properties: {
              ipConfigurations: [
                { id: `${rg('app')}/nic1/ipConfigurations/c` },
                { id: `${rg('app')}/nic2/ipConfigurations/c` }
              ]
            }
          }
        ]
      }
    });
  const firewall = (name: string, vnetName: string, group = 'net') =>
    at(group, FIREWALL, name, {
      properties: {
        ipConfigurations: [
          {
            name: 'ipconfig',
            properties: {
              subnet: { id: `${rg(group)}/providers/${VNET}/${vnetName}/subnets/AzureFirewallSubnet` }
            }
          }
        ]
      }
    });
  const verdict = (evaluated: Resource, related: Resource[]) =>
    def.evaluate(evaluated, { related: [evaluated, ...related] });

  it("reads first(split(field('fullName'), '/')) from the virtual network that matched if: its own firewall satisfies it", () => {
    // Were field() read from the firewall, the pattern would ask for a network named after the firewall.
    const e = verdict(vnet('hub'), [firewall('fw-hub', 'hub')]);
    expect(e.verdict).toBe('compliant');
    expect(e.message).toMatch(/'fw-hub' meets the existence condition/);
  });

  it('a firewall in another virtual network does not satisfy it, while the field condition reads the firewall', () => {
    expect(verdict(vnet('spoke'), [firewall('fw-hub', 'hub')]).verdict).toBe('noncompliant');
  });

  it('the resource-group wildcard of the pattern matches a firewall whose subnet id names another group', () => {
    expect(verdict(vnet('hub'), [firewall('fw-hub', 'hub', 'net')]).verdict).toBe('compliant');
  });

  it("does not apply to a network whose subnets are routed (the if's count is 0)", () => {
    const routed = at('net', VNET, 'hub', {
      properties: {
        subnets: [
          {
            name: 'workloads',
            properties: { routeTable: { id: 'rt' }, ipConfigurations: [{ id: 'a' }, { id: 'b' }] }
          }
        ]
      }
    });
    expect(verdict(routed, [firewall('fw-hub', 'hub')]).applicable).toBe(false);
  });
});

describe("[field()] against the if resource, field conditions against the related one (AINE's location example)", () => {
  const VM = 'Microsoft.Compute/virtualMachines';
  const EXT = 'Microsoft.Compute/virtualMachines/extensions';
  const def = loadDefinition({
    file: 'same-location.json',
    json: {
      properties: {
        mode: 'Indexed',
        policyRule: {
          if: { field: 'type', equals: VM },
          then: {
            effect: 'auditIfNotExists',
            details: {
              type: EXT,
              existenceCondition: {
                allOf: [
                  // The related extension's location equals the location of the VM that matched `if`.
                  { field: 'location', equals: "[field('location')]" },
                  { value: "[field('name')]", equals: 'vm1' },
                  { field: 'name', equals: 'monitor' }
                ]
              }
            }
          }
        }
      }
    }
  });
  const vm = at('app', VM, 'vm1', { location: 'eastus' });
  const ext = (location: string) =>
    armResource({
      id: `${rg('app')}/providers/${VM}/vm1/extensions/monitor`,
      type: EXT,
      name: 'vm1/monitor',
      location,
      properties: {}
    });

  it('an extension in the same location as its VM is compliant', () => {
    expect(def.evaluate(vm, { related: [vm, ext('eastus')] }).verdict).toBe('compliant');
  });
  it('one in another location is not', () => {
    expect(def.evaluate(vm, { related: [vm, ext('westeurope')] }).verdict).toBe('noncompliant');
  });
});

describe('field() inside a count over the related resource reads the counted member', () => {
  const def = loadDefinition({
    file: 'count.json',
    json: {
      properties: {
        mode: 'All',
        policyRule: {
          if: { field: 'type', equals: 'Microsoft.Network/virtualNetworks' },
          then: {
            effect: 'auditIfNotExists',
            details: {
              type: 'Microsoft.Network/azureFirewalls',
              existenceCondition: {
                count: {
                  field: 'Microsoft.Network/azureFirewalls/ipConfigurations[*]',
                  where: {
                    value: "[first(field('Microsoft.Network/azureFirewalls/ipConfigurations[*].name'))]",
                    equals: "[concat(field('name'), '-ip')]"
                  }
                },
                equals: 1
              }
            }
          }
        }
      }
    }
  });
  const vnet = at('net', 'Microsoft.Network/virtualNetworks', 'hub');
  const fw = (ipName: string) =>
    at('net', 'Microsoft.Network/azureFirewalls', 'fw', { properties: { ipConfigurations: [{ name: ipName }] } });
  it("the member's name against the virtual network's name", () => {
    expect(def.evaluate(vnet, { related: [vnet, fw('hub-ip')] }).verdict).toBe('compliant');
    expect(def.evaluate(vnet, { related: [vnet, fw('fw-ip')] }).verdict).toBe('noncompliant');
  });
});

describe('an alias of the related type that the if resource cannot have reads the related resource', () => {
  // Built-in "Configure log retention days for PostgreSQL flexible servers" (DINE) reads the related
  // configuration's value with field() in its existence condition.
  const def = builtin('PostgreSQL_FlexibleServers_LogRetentionDays_DINE.json');
  const SERVER = 'Microsoft.DBforPostgreSQL/flexibleServers';
  const server = at('db', SERVER, 'pg1');
  const retention = (value: string) =>
    armResource({
      id: `${rg('db')}/providers/${SERVER}/pg1/configurations/logfiles.retention_days`,
      type: `${SERVER}/configurations`,
      name: 'pg1/logfiles.retention_days',
      properties: { value }
    });
  it('a retention at or above the parameter is compliant, below it is not', () => {
    expect(def.evaluate(server, { related: [server, retention('7')] }).verdict).toBe('compliant');
    expect(def.evaluate(server, { related: [server, retention('2')] }).verdict).toBe('noncompliant');
  });
});
