/**
 * Which resources a definition's mode evaluates, with Azure's own built-ins.
 * MODES = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#resource-manager-modes
 *   "all: evaluate resource groups, subscriptions, and all resource types; indexed: only evaluate resource
 *   types that support tags and location … The exception is resource groups and subscriptions. Policy
 *   definitions that enforce location or tags on a resource group or subscription should set mode to all
 *   and specifically target the Microsoft.Resources/subscriptions/resourceGroups or
 *   Microsoft.Resources/subscriptions type."
 *
 * "Allowed locations" (e56962a6, Indexed) judges the resources in a group; "Allowed locations for resource
 * groups" (e765b5de, All) judges the groups, as Azure Policy types them.
 */
import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateDefinitions, isIndexedType, loadDefinition } from '../../src/engine/index.js';
import { covers, type Exception } from '../../src/exceptions/model.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import type { Finding } from '../../src/model/finding.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { loadResourceSnapshot } from '../../src/sources/snapshot.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';

const builtins = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/engine/modes');
const builtin = (file: string) =>
  loadDefinition({ file, json: JSON.parse(fs.readFileSync(path.join(builtins, file), 'utf8')) });
const allowedLocations = builtin('General_AllowedLocations_Deny.json');
const groupLocations = builtin('General_ResourceGroupAllowedLocations_Deny.json');
const definitions = [allowedLocations, groupLocations];
const parameters = Object.fromEntries(definitions.map(d => [d.name, { listOfAllowedLocations: ['westeurope'] }]));

/** Which definition judged which resource, and how. */
const verdicts = (findings: Finding[]) =>
  findings.map(f => `${f.definition.slice(0, 8)} ${f.resource.name} ${f.verdict}`).sort();

/** A subscription deployment that creates a group in eastus and deploys a vault into it there. */
const subscriptionTemplate = {
  $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  resources: [
    { type: 'Microsoft.Resources/resourceGroups', apiVersion: '2022-09-01', name: 'rg-ai', location: 'eastus' },
    {
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'inner',
      resourceGroup: 'rg-ai',
      dependsOn: ["[resourceId('Microsoft.Resources/resourceGroups', 'rg-ai')]"],
      properties: {
        mode: 'Incremental',
        expressionEvaluationOptions: { scope: 'inner' },
        template: {
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          resources: [
            {
              type: 'Microsoft.KeyVault/vaults',
              apiVersion: '2023-07-01',
              name: 'kv-ai',
              location: 'eastus',
              properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' } }
            }
          ]
        }
      }
    }
  ]
};

describe('modes and resource groups', () => {
  const { resources } = expandTemplateDocument(
    parseJsonWithPositions(JSON.stringify(subscriptionTemplate, null, 2), 'sub.json')
  );

  it('a template’s resource group has the type Azure Policy gives it', () => {
    const group = resources.find(r => r.name === 'rg-ai');
    expect(group?.type).toBe('Microsoft.Resources/subscriptions/resourceGroups');
  });

  it('Indexed "Allowed locations" leaves the group to All-mode "Allowed locations for resource groups"', () => {
    const findings = evaluateDefinitions(definitions, resources, { parameters });
    expect(verdicts(findings)).toEqual(['e56962a6 kv-ai noncompliant', 'e765b5de rg-ai noncompliant']);
    const group = findings.find(f => f.resource.name === 'rg-ai')!;
    expect(group.message).toMatch(/eastus/);
  });

  it('a group in an allowed location passes the group built-in', () => {
    const inWesteurope = expandTemplateDocument(
      parseJsonWithPositions(
        JSON.stringify({
          ...subscriptionTemplate,
          resources: [{ ...subscriptionTemplate.resources[0], location: 'westeurope' }]
        }),
        'sub.json'
      )
    ).resources;
    expect(verdicts(evaluateDefinitions(definitions, inWesteurope, { parameters }))).toEqual([
      'e765b5de rg-ai compliant'
    ]);
  });

  it('a snapshot’s resource groups and subscriptions, in either spelling, are not evaluated by Indexed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-modes-'));
    try {
      const file = path.join(dir, 'snapshot.json');
      fs.writeFileSync(
        file,
        JSON.stringify([
          // `az group list` spells the type as ARM answers it; Resource Graph's resourcecontainers as policy does.
          {
            id: '/subscriptions/1111/resourceGroups/rg-a',
            name: 'rg-a',
            type: 'Microsoft.Resources/resourceGroups',
            location: 'eastus'
          },
          {
            id: '/subscriptions/1111/resourceGroups/rg-b',
            name: 'rg-b',
            type: 'microsoft.resources/subscriptions/resourcegroups',
            location: 'eastus'
          },
          { id: '/subscriptions/1111', name: 'sub', type: 'Microsoft.Resources/subscriptions', location: 'eastus' },
          {
            id: '/subscriptions/1111/resourceGroups/rg-a/providers/Microsoft.KeyVault/vaults/kv',
            name: 'kv',
            type: 'Microsoft.KeyVault/vaults',
            location: 'eastus'
          }
        ])
      );
      const snapshot = loadResourceSnapshot(file);
      expect(verdicts(evaluateDefinitions(definitions, snapshot, { parameters }))).toEqual([
        'e56962a6 kv noncompliant',
        'e765b5de rg-a noncompliant',
        'e765b5de rg-b noncompliant'
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Indexed skips resource groups and subscriptions and evaluates tracked types', () => {
    expect(isIndexedType('Microsoft.Resources/subscriptions/resourceGroups')).toBe(false);
    expect(isIndexedType('Microsoft.Resources/resourceGroups')).toBe(false);
    expect(isIndexedType('Microsoft.Resources/subscriptions')).toBe(false);
    expect(isIndexedType('Microsoft.KeyVault/vaults')).toBe(true);
    expect(isIndexedType('Microsoft.Resources/deploymentScripts')).toBe(true);
  });

  it('a definition without a mode is Indexed, as a null mode and the REST API’s default are', () => {
    // The page's own example: routeTables takes tags and a location, its routes do not.
    const routes = expandTemplateDocument(
      parseJsonWithPositions(
        JSON.stringify({
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          resources: [
            { type: 'Microsoft.Network/routeTables', apiVersion: '2023-09-01', name: 'rt', location: 'eastus' },
            { type: 'Microsoft.Network/routeTables/routes', apiVersion: '2023-09-01', name: 'rt/r', dependsOn: ['rt'] }
          ]
        }),
        'routes.json'
      )
    ).resources;
    const withMode = (mode: string | undefined) => {
      const json = JSON.parse(fs.readFileSync(path.join(builtins, 'General_AllowedLocations_Deny.json'), 'utf8'));
      if (mode === undefined) delete json.properties.mode;
      else json.properties.mode = mode;
      return loadDefinition({ file: 'allowed.json', json });
    };
    const judged = (mode: string | undefined) =>
      evaluateDefinitions([withMode(mode)], [...routes, ...resources], {
        parameters: { 'e56962a6-4747-49cd-b67b-bf8b01975c4c': { listOfAllowedLocations: ['westeurope'] } }
      })
        .map(f => f.resource.name)
        .sort();
    expect(judged(undefined)).toEqual(['kv-ai', 'rt']);
    expect(judged('Indexed')).toEqual(['kv-ai', 'rt']);
    expect(judged('All')).toEqual(['kv-ai', 'rg-ai', 'rt', 'rt/r']);
  });

  it('an exception selecting a group by either spelling of its type covers its finding', () => {
    const group = evaluateDefinitions([groupLocations], resources, { parameters })[0];
    const exception = (type: string): Exception => ({
      kind: 'external',
      rules: [groupLocations.name],
      resources: [{ type }],
      declared: [],
      reason: 'r',
      category: 'waiver',
      source: { file: 'cmk-guard.yaml', line: 1, column: 1 },
      entryText: type
    });
    expect(covers(exception('Microsoft.Resources/resourceGroups'), group.definition, group.resource)).toBe(true);
    expect(covers(exception('microsoft.resources/subscriptions/*'), group.definition, group.resource)).toBe(true);
    expect(covers(exception('Microsoft.KeyVault/vaults'), group.definition, group.resource)).toBe(false);
  });

  it('a group’s finding keeps the id it had when its type was spelled as ARM spells it', () => {
    const findings = evaluateDefinitions([groupLocations], resources, { parameters });
    const group = findings.find(f => f.resource.name === 'rg-ai')!;
    const asBefore = { ...group, resource: { ...group.resource, type: 'Microsoft.Resources/resourceGroups' } };
    expect(fingerprint(group)).toBe(fingerprint(asBefore));
  });
});
