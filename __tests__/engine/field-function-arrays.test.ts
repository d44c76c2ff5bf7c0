/**
 * `field('a[*].b')` is the array of the `b` values that exist: members without `b` are left out,
 * not filled with null. ALIAS: "The array alias [*] represents a collection of values selected from
 * the elements of an array resource property"; `Microsoft.Storage/storageAccounts/networkAcls.ipRules[*].action`
 * is "the values of the action property from each element of the ipRules array". Built-in 702dd420
 * ("Disks and OS image should have customer-managed keys") depends on it: its gallery branch compares
 * `length(field('…targetRegions[*].encryption.osDiskImage.diskEncryptionSetId'))` with
 * `length(field('…targetRegions[*]'))`, which differ exactly when some region lacks the key.
 * ALIAS = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-alias#understanding-the-array-alias
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDefinition } from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

const here = path.dirname(fileURLToPath(import.meta.url));
const cmk = loadDefinition({
  file: 'Compute_OSAndDataDiskCMKRequired_Deny.json',
  json: JSON.parse(
    fs.readFileSync(path.join(here, '../fixtures/engine/builtin/Compute_OSAndDataDiskCMKRequired_Deny.json'), 'utf8')
  )
});

const VERSION = 'Microsoft.Compute/galleries/images/versions';
const DES = '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des';

function imageVersion(regions: Obj[], dataDisks: number): Obj {
  return {
    type: VERSION,
    name: 'gallery/image/1.0.0',
    location: 'westeurope',
    properties: {
      publishingProfile: { targetRegions: regions },
      storageProfile: {
        osDiskImage: { sizeInGB: 30 },
        dataDiskImages: Array.from({ length: dataDisks }, (_, lun) => ({ lun }))
      }
    }
  };
}
const region = (name: string, osKey: boolean, dataKeys: number | null = null): Obj => ({
  name,
  ...(osKey || dataKeys !== null
    ? {
        encryption: {
          ...(osKey ? { osDiskImage: { diskEncryptionSetId: DES } } : {}),
          ...(dataKeys !== null
            ? { dataDiskImages: Array.from({ length: dataKeys }, (_, lun) => ({ lun, diskEncryptionSetId: DES })) }
            : {})
        }
      }
    : {})
});

describe('built-in 702dd420, gallery image versions', () => {
  const verdict = (json: Obj) => cmk.evaluate(armResource(json)).verdict;

  it('fires when one target region of two has no key for the OS disk image', () => {
    expect(verdict(imageVersion([region('westeurope', true), region('northeurope', false)], 0))).toBe('noncompliant');
  });
  it('fires when the only region has none', () => {
    expect(verdict(imageVersion([region('westeurope', false)], 0))).toBe('noncompliant');
  });
  it('holds when every region has one', () => {
    expect(verdict(imageVersion([region('westeurope', true), region('northeurope', true)], 0))).toBe('compliant');
  });
  it('the data-disk branch: a region with fewer data-disk keys than data disks fires', () => {
    expect(verdict(imageVersion([region('westeurope', true, 2)], 2))).toBe('compliant');
    expect(verdict(imageVersion([region('westeurope', true, 1)], 2))).toBe('noncompliant');
    expect(verdict(imageVersion([region('westeurope', true, 2), region('northeurope', true)], 2))).toBe('noncompliant');
  });
  it('the data-disk branch: a region that lists every data disk but gives one no key fires', () => {
    const partly: Obj = {
      name: 'westeurope',
      encryption: {
        osDiskImage: { diskEncryptionSetId: DES },
        dataDiskImages: [{ lun: 0, diskEncryptionSetId: DES }, { lun: 1 }]
      }
    };
    expect(verdict(imageVersion([partly], 2))).toBe('noncompliant');
  });
});

describe("field('a[*].b') in expressions (ALIAS)", () => {
  const holds = (value: string, operator: Obj, properties: Obj) => {
    const def = loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'All',
          policyRule: {
            if: {
              allOf: [
                { field: 'type', equals: 'Microsoft.Network/networkSecurityGroups' },
                { value, ...operator }
              ]
            },
            then: { effect: 'audit' }
          }
        }
      }
    });
    return def.evaluate(armResource({ type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg', properties }))
      .verdict;
  };
  const rules = (...descriptions: (string | null)[]): Obj => ({
    securityRules: descriptions.map((d, i): Obj => ({
      name: `r${i}`,
      properties: d === null ? { access: 'Allow' } : { access: 'Allow', description: d }
    }))
  });
  const descriptions = "field('Microsoft.Network/networkSecurityGroups/securityRules[*].description')";

  it('leaves out members without the property', () => {
    expect(holds(`[length(${descriptions})]`, { equals: 1 }, rules('a', null, null))).toBe('noncompliant');
    expect(holds(`[string(${descriptions})]`, { equals: '[["a","b"]' }, rules('a', null, 'b'))).toBe('noncompliant');
  });
  it('is empty when no member has it, or there are no members', () => {
    expect(holds(`[empty(${descriptions})]`, { equals: true }, rules(null, null))).toBe('noncompliant');
    expect(holds(`[empty(${descriptions})]`, { equals: true }, { securityRules: [] })).toBe('noncompliant');
    expect(holds(`[empty(${descriptions})]`, { equals: true }, {})).toBe('noncompliant');
  });
  it('keeps a property set to null (it exists)', () => {
    expect(holds(`[length(${descriptions})]`, { equals: 2 }, rules('a', null, null, 'c'))).toBe('noncompliant');
    const withNull: Obj = {
      securityRules: [
        { name: 'r0', properties: { description: null } },
        { name: 'r1', properties: {} }
      ]
    };
    expect(holds(`[length(${descriptions})]`, { equals: 1 }, withNull)).toBe('noncompliant');
  });
  it('a field condition on a[*].b still sees every member, a missing b included ("each element evaluated individually")', () => {
    const def = loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'All',
          policyRule: {
            if: {
              field: 'Microsoft.Network/networkSecurityGroups/securityRules[*].description',
              exists: false
            },
            then: { effect: 'audit' }
          }
        }
      }
    });
    const nsg = (p: Obj) => armResource({ type: 'Microsoft.Network/networkSecurityGroups', name: 'n', properties: p });
    expect(def.evaluate(nsg(rules(null, null))).verdict).toBe('noncompliant');
    expect(def.evaluate(nsg(rules('a', null))).verdict).toBe('compliant');
  });
});
