/**
 * Resource types Azure Policy evaluates in no mode.
 * APPLICABILITY = https://learn.microsoft.com/azure/governance/policy/concepts/policy-applicability (Not Applicable
 *   Resources): "By design, Azure Policy does not evaluate resources under the Microsoft.Resources resource provider
 *   (RP) from policy evaluation, except for subscriptions and resource groups."
 * README = Azure/azure-policy README, "Resources that are exempt from policy evaluation": "Resource types in the
 *   following namespaces are excluded from policy evaluation: Microsoft.Resources/*, except resource groups and
 *   subscriptions. For example, Microsoft.Resources/deployments and Microsoft.Resources/templateSpecs are not
 *   evaluated by policy. Microsoft.Billing/*, Microsoft.Capacity/reservationOrders/*, Microsoft.Help/*,
 *   Microsoft.Diagnostics/*"
 *
 * The fixtures are the fidelity review's reproduction (fixtures/engine/fidelity/microsoft-resources-types-evaluated):
 * built-in 871b6d14 "Require a tag on resources" (Indexed, deny) against a deployment script and a template spec
 * without tags, in a template and in a snapshot.
 */
import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  evaluateDefinitions,
  isExemptType,
  isIndexedType,
  loadDefinition,
  type CompiledDefinition
} from '../../src/engine/index.js';
import type { Finding } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { liveResources } from '../../src/sources/live.js';
import { loadResourceSnapshot } from '../../src/sources/snapshot.js';
import { expandTemplateDocument, expandTemplateFile } from '../../src/sources/templates.js';
import { armResource } from '../support/arm-resource.js';

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/engine/fidelity/microsoft-resources-types-evaluated'
);
const requireTag = loadDefinition({
  file: 'def.json',
  json: JSON.parse(fs.readFileSync(path.join(fixtures, 'def.json'), 'utf8'))
});

/** A definition in `mode` that audits every resource of every type. */
const auditEverything = (mode: string): CompiledDefinition =>
  loadDefinition({
    file: null,
    json: {
      name: `audit-all-${mode}`,
      properties: { mode, policyRule: { if: { field: 'name', like: '*' }, then: { effect: 'audit' } } }
    }
  });

const judged = (findings: Finding[]) => findings.map(f => `${f.resource.type} ${f.verdict}`).sort();

describe('types Azure Policy never evaluates (APPLICABILITY, README)', () => {
  it('the namespaces the README names, and not resource groups or subscriptions', () => {
    for (const type of [
      'Microsoft.Resources/deploymentScripts',
      'Microsoft.Resources/templateSpecs',
      'microsoft.resources/templatespecs/versions',
      'Microsoft.Resources/deployments',
      'Microsoft.Resources/tags',
      'Microsoft.Billing/billingAccounts',
      'Microsoft.Capacity/reservationOrders',
      'Microsoft.Capacity/reservationOrders/reservations',
      'Microsoft.Help/diagnostics',
      'Microsoft.Diagnostics/solutions'
    ])
      expect([type, isExemptType(type)]).toEqual([type, true]);
    for (const type of [
      'Microsoft.Resources/subscriptions',
      'Microsoft.Resources/subscriptions/resourceGroups',
      'Microsoft.Resources/resourceGroups',
      // Only reservation orders in Microsoft.Capacity; a type merely beginning alike is another type.
      'Microsoft.Capacity/resourceProviders',
      'Microsoft.Capacity/reservationOrdersX',
      'Microsoft.ResourcesX/things',
      'Microsoft.KeyVault/vaults'
    ])
      expect([type, isExemptType(type)]).toEqual([type, false]);
  });

  it('the tag-support answer stays what the page says; the exemption is a fact of its own', () => {
    // A deployment script takes tags and a location, so Indexed would take it by the page; no mode evaluates it.
    expect(isIndexedType('Microsoft.Resources/deploymentScripts')).toBe(true);
    expect(isExemptType('Microsoft.Resources/deploymentScripts')).toBe(true);
  });

  it('a template’s deployment script and template spec are not applicable: the build does not fail on them', () => {
    const { resources } = expandTemplateFile(path.join(fixtures, 'main.json'));
    expect(resources.map(r => r.type).sort()).toEqual([
      'Microsoft.Resources/deploymentScripts',
      'Microsoft.Resources/templateSpecs'
    ]);
    expect(evaluateDefinitions([requireTag], resources)).toEqual([]);
    for (const resource of resources) expect(requireTag.evaluate(resource).applicable).toBe(false);
    expect(requireTag.evaluate(resources[0]).message).toMatch(/Azure Policy does not evaluate Microsoft\.Resources\//);
  });

  it('a snapshot’s deployment script is not applicable', () => {
    const snapshot = loadResourceSnapshot(path.join(fixtures, 'res.json'));
    expect(snapshot).toHaveLength(1);
    expect(evaluateDefinitions([requireTag], snapshot)).toEqual([]);
  });

  it('a live scope’s are not either, in mode All or Indexed, while All still evaluates groups and subscriptions', () => {
    const rows = JSON.parse(fs.readFileSync(path.join(fixtures, 'res.json'), 'utf8'));
    const sub = '/subscriptions/00000000-0000-0000-0000-000000000000';
    const live = liveResources(
      [
        ...rows,
        {
          id: `${sub}/resourceGroups/rg1/providers/Microsoft.Resources/templateSpecs/spec1`,
          name: 'spec1',
          type: 'Microsoft.Resources/templateSpecs',
          location: 'westeurope'
        },
        {
          id: `/providers/Microsoft.Billing/billingAccounts/b1`,
          name: 'b1',
          type: 'Microsoft.Billing/billingAccounts'
        },
        {
          id: `/providers/Microsoft.Capacity/reservationOrders/o1`,
          name: 'o1',
          type: 'Microsoft.Capacity/reservationOrders',
          location: 'westeurope'
        },
        {
          id: `${sub}/resourceGroups/rg1`,
          name: 'rg1',
          type: 'Microsoft.Resources/subscriptions/resourceGroups',
          location: 'westeurope'
        },
        { id: sub, name: 'sub', type: 'Microsoft.Resources/subscriptions' },
        {
          id: `${sub}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv`,
          name: 'kv',
          type: 'Microsoft.KeyVault/vaults',
          location: 'westeurope'
        }
      ],
      'the test scope'
    );
    expect(live.every(r => r.origin === 'live')).toBe(true);
    expect(judged(evaluateDefinitions([auditEverything('All')], live))).toEqual([
      'Microsoft.KeyVault/vaults noncompliant',
      'Microsoft.Resources/subscriptions noncompliant',
      'Microsoft.Resources/subscriptions/resourceGroups noncompliant'
    ]);
    expect(judged(evaluateDefinitions([auditEverything('Indexed')], live))).toEqual([
      'Microsoft.KeyVault/vaults noncompliant'
    ]);
    expect(judged(evaluateDefinitions([requireTag], live))).toEqual(['Microsoft.KeyVault/vaults noncompliant']);
  });

  it('a rule that names an exempt type says, when it loads, that it applies to nothing', () => {
    const def = loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'All',
          policyRule: {
            if: { field: 'type', equals: 'Microsoft.Resources/templateSpecs' },
            then: { effect: 'deny' }
          }
        }
      }
    });
    expect(def.notes.join(' ')).toMatch(/Azure Policy evaluates none of the types the "if" requires/);
    expect(def.mayApply('Microsoft.Resources/templateSpecs')).toBe(false);
    const spec = armResource({ name: 'spec1', type: 'Microsoft.Resources/templateSpecs', location: 'westeurope' });
    expect(def.evaluate(spec).applicable).toBe(false);
  });
});

describe('nested deployments: expanded, never evaluated themselves', () => {
  const template = (resources: unknown[]) =>
    expandTemplateDocument(
      parseJsonWithPositions(
        JSON.stringify({
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          resources
        }),
        'nested.json'
      )
    );

  it('an inline nested deployment’s resources are evaluated, the deployment and a template spec in it are not', () => {
    const { resources } = template([
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'inner',
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          template: {
            $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
            contentVersion: '1.0.0.0',
            resources: [
              {
                type: 'Microsoft.Resources/templateSpecs',
                apiVersion: '2022-02-01',
                name: 'spec1',
                location: 'westeurope',
                properties: {}
              },
              {
                type: 'Microsoft.KeyVault/vaults',
                apiVersion: '2023-07-01',
                name: 'kv1',
                location: 'westeurope',
                properties: { tenantId: '00000000-0000-0000-0000-000000000000', sku: { family: 'A', name: 'standard' } }
              }
            ]
          }
        }
      }
    ]);
    expect(resources.map((r: Resource) => r.type).sort()).toEqual([
      'Microsoft.KeyVault/vaults',
      'Microsoft.Resources/templateSpecs'
    ]);
    expect(judged(evaluateDefinitions([requireTag, auditEverything('All')], resources))).toEqual([
      'Microsoft.KeyVault/vaults noncompliant',
      'Microsoft.KeyVault/vaults noncompliant'
    ]);
  });

  it('a nested deployment whose template cannot be read still stands, indeterminate, for what it deploys', () => {
    const { resources } = template([
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'remote',
        properties: { mode: 'Incremental', templateLink: { uri: 'https://example.com/t.json' } }
      }
    ]);
    expect(resources).toHaveLength(1);
    expect(resources[0].unresolved).toBeDefined();
    const findings = evaluateDefinitions([requireTag, auditEverything('All')], resources);
    expect(findings.map(f => f.verdict)).toEqual(['indeterminate', 'indeterminate']);
  });
});
