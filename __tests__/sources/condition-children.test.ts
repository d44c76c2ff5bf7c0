/**
 * "Conditional deployment doesn't cascade to child resources. If you want to conditionally deploy a resource and
 * its child resources, you must apply the same condition to each resource type."
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/conditional-resource-deployment
 */
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { byName, expandInline, fixture } from './helpers.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const RG = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg';

function account(condition: unknown, children: object[], extra: object = {}): object {
  return {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { newOrExisting: { type: 'string' } },
    resources: [
      {
        condition,
        type: 'Microsoft.Storage/storageAccounts',
        apiVersion: '2022-09-01',
        name: 'mystorage',
        location: 'westus',
        kind: 'StorageV2',
        ...extra,
        resources: children
      }
    ]
  };
}

const scope = (name: string, more: object = {}) => ({
  type: 'encryptionScopes',
  apiVersion: '2022-09-01',
  name,
  dependsOn: ['mystorage'],
  properties: { source: 'Microsoft.Storage' },
  ...more
});

describe('a child declared inside a parent whose condition is false', () => {
  const { resources } = expandInline(
    account(false, [
      scope('noCondition'),
      scope('explicitTrue', { condition: true }),
      scope('off', { condition: false })
    ])
  );

  test('is deployed, under the parent it names; the parent is not', () => {
    expect(resources.map(r => r.id)).toEqual([
      `${RG}/providers/Microsoft.Storage/storageAccounts/mystorage/encryptionScopes/noCondition`,
      `${RG}/providers/Microsoft.Storage/storageAccounts/mystorage/encryptionScopes/explicitTrue`
    ]);
    expect(byName(resources, 'mystorage/noCondition').conditionUnknown).toBeUndefined();
    expect(byName(resources, 'mystorage/noCondition').type).toBe('Microsoft.Storage/storageAccounts/encryptionScopes');
  });

  test('in a copy loop: each copy of the parent names its children', () => {
    const { resources: copied } = expandInline(
      account(false, [scope('s1')], { name: "[concat('st', copyIndex())]", copy: { name: 'accounts', count: 2 } })
    );
    expect(copied.map(r => r.name)).toEqual(['st0/s1', 'st1/s1']);
  });
});

describe('a child declared inside a parent whose condition is unknown', () => {
  test("deploys whatever the parent's condition is; its own condition still counts", () => {
    const { resources } = expandInline(
      account("[equals(parameters('newOrExisting'), 'new')]", [
        scope('always'),
        scope('own', { condition: "[equals(parameters('newOrExisting'), 'existing')]" })
      ])
    );
    expect(byName(resources, 'mystorage').conditionUnknown).toMatch(/parameter 'newOrExisting'/);
    expect(byName(resources, 'mystorage/always').conditionUnknown).toBeUndefined();
    expect(byName(resources, 'mystorage/own').conditionUnknown).toMatch(/parameter 'newOrExisting'/);
  });

  test("what the parent's deployment or copy loop leaves unknown still reaches the child", () => {
    const { resources } = expandInline(
      account(true, [scope('s1')], {
        name: "[concat('st', copyIndex())]",
        copy: { name: 'accounts', count: "[length(parameters('newOrExisting'))]" }
      })
    );
    expect(resources.find(r => r.type.endsWith('/encryptionScopes'))?.conditionUnknown).toMatch(/copy loop 'accounts'/);
  });
});

test('quickstart 201-blob-storage-private-endpoint without Log Analytics still deploys the workspace data sources', () => {
  const { resources } = expandTemplateFile(fixture('real-templates', 'qs-201-blob-storage-private-endpoint.json'), {
    parameterFiles: [],
    parameterOverrides: {
      deployLogAnalytics: false,
      workspaceName: 'logs',
      adminUsername: 'u',
      adminPasswordOrKey: 'p'
    }
  });
  expect(resources.filter(r => r.type === 'Microsoft.OperationalInsights/workspaces')).toEqual([]);
  const sources = resources.filter(r => r.type === 'Microsoft.OperationalInsights/workspaces/dataSources');
  expect(sources).toHaveLength(11);
  expect(sources.every(r => r.name.startsWith('logs/') && r.conditionUnknown === undefined)).toBe(true);
});
