import { describe, expect, test } from '@jest/globals';
import { isUnknown, type Value } from '../../src/model/value.js';
import { SCHEMA, expandDocTemplate, templateOutputs } from './outputs.js';

// Documented behaviour of languageVersion 2.0 symbolic names, nested deployments' scopes and
// the scope functions, checked with the example deployment of outputs.ts (subscription
// 00000000-…, resource group `examplegroup`).

const SUB = '00000000-0000-0000-0000-000000000000';
const RG_ID = `/subscriptions/${SUB}/resourceGroups/examplegroup`;

function keyOf(value: Value): string {
  if (!isUnknown(value)) throw new Error(`expected an unknown, got ${JSON.stringify(value)}`);
  return value.key;
}

// https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-declaration#use-symbolic-name
// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#reference
describe('languageVersion 2.0 symbolic names', () => {
  const symbolic = {
    $schema: SCHEMA,
    languageVersion: '2.0',
    contentVersion: '1.0.0.0',
    resources: {
      vault: {
        existing: true,
        type: 'Microsoft.KeyVault/vaults',
        apiVersion: '2023-07-01',
        subscriptionId: '11111111-1111-1111-1111-111111111111',
        resourceGroup: 'keys-rg',
        name: 'kv-shared'
      },
      localVault: { existing: true, type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv-local' },
      account: {
        type: 'Microsoft.CognitiveServices/accounts',
        apiVersion: '2024-10-01',
        name: 'ai-1',
        location: 'eastus',
        kind: 'OpenAI',
        dependsOn: ['vault'],
        properties: {
          encryption: {
            keySource: 'Microsoft.KeyVault',
            keyVaultProperties: { keyVaultUri: "[reference('vault').vaultUri]", keyName: 'cmk' }
          }
        }
      }
    },
    outputs: {
      bySymbol: { type: 'string', value: "[reference('vault').vaultUri]" },
      bySymbolFull: { type: 'string', value: "[reference('vault', '2023-07-01', 'Full').properties.vaultUri]" },
      byId: {
        type: 'string',
        value:
          "[reference(resourceId('11111111-1111-1111-1111-111111111111', 'keys-rg', 'Microsoft.KeyVault/vaults', 'kv-shared'), '2023-07-01').vaultUri]"
      },
      localBySymbol: { type: 'string', value: "[reference('localVault').vaultUri]" },
      localByName: { type: 'string', value: "[reference('kv-local').vaultUri]" },
      localById: { type: 'string', value: "[reference(resourceId('Microsoft.KeyVault/vaults', 'kv-local')).vaultUri]" }
    }
  };

  test('an existing resource in another subscription and group is the resource resourceId(sub, rg, …) names', () => {
    const { resources } = expandDocTemplate(symbolic);
    const vault = resources.find(r => r.name === 'kv-shared')!;
    expect(vault.id).toBe(
      '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/keys-rg/providers/Microsoft.KeyVault/vaults/kv-shared'
    );
    expect(vault.existing).toBe(true);
    // subscriptionId and resourceGroup say where the resource is; they are not sent in its body.
    expect(Object.keys(vault.json).sort()).toEqual(['name', 'type']);
  });

  test("reference('symbol') and reference(resourceId(sub, rg, …)) of an existing resource share one unknown key", () => {
    const outputs = templateOutputs(symbolic);
    const expected = `reference(/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/keys-rg/providers/microsoft.keyvault/vaults/kv-shared).properties.vaultUri`;
    expect(keyOf(outputs.bySymbol)).toBe(expected);
    expect(keyOf(outputs.bySymbolFull)).toBe(expected);
    expect(keyOf(outputs.byId)).toBe(expected);
  });

  // "When referencing a resource in the current template, provide only the resource name."
  test('a resource named by symbol, by bare name or by id is the same deployed value', () => {
    const outputs = templateOutputs(symbolic);
    const expected = `reference(${RG_ID.toLowerCase()}/providers/microsoft.keyvault/vaults/kv-local).properties.vaultUri`;
    expect(keyOf(outputs.localBySymbol)).toBe(expected);
    expect(keyOf(outputs.localByName)).toBe(expected);
    expect(keyOf(outputs.localById)).toBe(expected);
  });

  test("a resource property set from reference('symbol') carries the same key as the output", () => {
    const { resources, outputs } = expandDocTemplate(symbolic);
    const account = resources.find(r => r.name === 'ai-1')!;
    const encryption = (account.json.properties as { encryption: { keyVaultProperties: { keyVaultUri: Value } } })
      .encryption;
    expect(keyOf(encryption.keyVaultProperties.keyVaultUri)).toBe(keyOf(outputs.byId));
  });

  // Symbolic dependsOn: a symbol names the resource (every instance, for a copy loop).
  // https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-dependency#dependson
  test('symbolic dependsOn orders a resource after every instance of a looped symbol', () => {
    const { resources } = expandDocTemplate({
      $schema: SCHEMA,
      languageVersion: '2.0',
      contentVersion: '1.0.0.0',
      resources: {
        account: {
          type: 'Microsoft.CognitiveServices/accounts',
          apiVersion: '2024-10-01',
          name: 'ai-1',
          location: 'eastus',
          dependsOn: ['vaults']
        },
        vaults: {
          copy: { name: 'vaultLoop', count: 2 },
          type: 'Microsoft.KeyVault/vaults',
          apiVersion: '2023-07-01',
          name: "[format('kv-{0}', copyIndex())]",
          location: 'eastus'
        }
      }
    });
    expect(resources.map(r => r.name)).toEqual(['kv-0', 'kv-1', 'ai-1']);
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#expression-evaluation-scope-in-nested-templates
describe('nested templates: expression evaluation scope', () => {
  const nested = (scope: 'inner' | 'outer' | undefined): object => ({
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    variables: { exampleVar: 'from parent template' },
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2025-04-01',
        name: 'nestedTemplate1',
        properties: {
          ...(scope ? { expressionEvaluationOptions: { scope } } : {}),
          mode: 'Incremental',
          template: {
            $schema: SCHEMA,
            contentVersion: '1.0.0.0',
            variables: { exampleVar: 'from nested template' },
            resources: [],
            outputs: { testVar: { type: 'string', value: "[variables('exampleVar')]" } }
          }
        }
      }
    ],
    outputs: {
      messageFromLinkedTemplate: { type: 'string', value: "[reference('nestedTemplate1').outputs.testVar.value]" }
    }
  });

  test('inner scope reads the nested template\'s variable: "from nested template"', () => {
    expect(templateOutputs(nested('inner')).messageFromLinkedTemplate).toBe('from nested template');
  });

  test('outer scope (and the default) reads the parent\'s variable: "from parent template"', () => {
    expect(templateOutputs(nested('outer')).messageFromLinkedTemplate).toBe('from parent template');
    expect(templateOutputs(nested(undefined)).messageFromLinkedTemplate).toBe('from parent template');
  });

  // "Parameters for the nested template are passed in the parameters property" (inner scope);
  // their values are evaluated in the parent template.
  test('parameters passed to an inner-scope nested template are evaluated in the parent', () => {
    const outputs = templateOutputs({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { vaultName: { type: 'string', defaultValue: 'kv-parent' } },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2025-04-01',
          name: 'passParams',
          properties: {
            expressionEvaluationOptions: { scope: 'inner' },
            mode: 'Incremental',
            parameters: { vaultName: { value: "[concat(parameters('vaultName'), '-child')]" } },
            template: {
              $schema: SCHEMA,
              contentVersion: '1.0.0.0',
              parameters: { vaultName: { type: 'string' }, sku: { type: 'string', defaultValue: 'standard' } },
              resources: [],
              outputs: {
                seen: { type: 'string', value: "[format('{0}/{1}', parameters('vaultName'), parameters('sku'))]" }
              }
            }
          }
        }
      ],
      outputs: { seen: { type: 'string', value: "[reference('passParams').outputs.seen.value]" } }
    });
    expect(outputs.seen).toBe('kv-parent-child/standard');
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/scope-functions#function-resolution-in-scopes
// "Set the property to inner to resolve to the scope for the nested template. Set the property
// to outer to resolve to the scope of the parent template."
describe('a nested deployment to another resource group', () => {
  const crossGroup = (scope: 'inner' | 'outer'): object => ({
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2025-04-01',
        name: `${scope}ScopeDeployment`,
        resourceGroup: 'secondgroup',
        subscriptionId: '22222222-2222-2222-2222-222222222222',
        properties: {
          expressionEvaluationOptions: { scope },
          mode: 'Incremental',
          template: {
            $schema: SCHEMA,
            contentVersion: '1.0.0.0',
            resources: [
              {
                type: 'Microsoft.KeyVault/vaults',
                apiVersion: '2023-07-01',
                name: 'kv-second',
                location: 'eastus',
                properties: { tenantId: '[subscription().tenantId]' }
              }
            ],
            outputs: {
              group: { type: 'string', value: '[resourceGroup().name]' },
              subscription: { type: 'string', value: '[subscription().subscriptionId]' },
              vaultId: { type: 'string', value: "[resourceId('Microsoft.KeyVault/vaults', 'kv-second')]" }
            }
          }
        }
      }
    ],
    outputs: {
      parentRG: { type: 'string', value: "[concat('Parent resource group name: ', resourceGroup().name)]" },
      nestedRG: {
        type: 'string',
        value: `[concat('Nested resource group name: ', reference('${scope}ScopeDeployment').outputs.group.value)]`
      },
      nestedSubscription: {
        type: 'string',
        value: `[reference('${scope}ScopeDeployment').outputs.subscription.value]`
      },
      nestedVaultId: { type: 'string', value: `[reference('${scope}ScopeDeployment').outputs.vaultId.value]` }
    }
  });
  const SECOND = '/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/secondgroup';

  test("inner scope: resourceGroup(), subscription() and resourceId() are the nested deployment's", () => {
    const { outputs, resources } = expandDocTemplate(crossGroup('inner'));
    expect(outputs.parentRG).toBe('Parent resource group name: examplegroup');
    expect(outputs.nestedRG).toBe('Nested resource group name: secondgroup');
    expect(outputs.nestedSubscription).toBe('22222222-2222-2222-2222-222222222222');
    expect(outputs.nestedVaultId).toBe(`${SECOND}/providers/Microsoft.KeyVault/vaults/kv-second`);
    expect(resources.map(r => r.id)).toEqual([`${SECOND}/providers/Microsoft.KeyVault/vaults/kv-second`]);
  });

  test("outer scope: the functions resolve to the parent's group, but the resources still deploy to the nested one", () => {
    const { outputs, resources } = expandDocTemplate(crossGroup('outer'));
    expect(outputs.nestedRG).toBe('Nested resource group name: examplegroup');
    expect(outputs.nestedSubscription).toBe(SUB);
    expect(outputs.nestedVaultId).toBe(`${RG_ID}/providers/Microsoft.KeyVault/vaults/kv-second`);
    expect(resources.map(r => r.id)).toEqual([`${SECOND}/providers/Microsoft.KeyVault/vaults/kv-second`]);
  });

  // Bicep reads a cross-group module's outputs through the deployment's full id.
  test('the deployment itself lives in the group it names, so reference(its id) finds its outputs', () => {
    const template = crossGroup('inner') as { outputs: Record<string, unknown> };
    template.outputs.byId = {
      type: 'string',
      value:
        "[reference(extensionResourceId('/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/secondgroup', 'Microsoft.Resources/deployments', 'innerScopeDeployment'), '2022-09-01').outputs.group.value]"
    };
    expect(templateOutputs(template).byId).toBe('secondgroup');
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/scope-functions#supported-functions
describe('scope functions by deployment level', () => {
  const at = (schema: string, outputs: Record<string, string>): Record<string, Value> =>
    templateOutputs({
      $schema: `https://schema.management.azure.com/schemas/2018-05-01/${schema}.json#`,
      contentVersion: '1.0.0.0',
      resources: [],
      outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { type: 'string', value }]))
    });

  test('at a subscription, resourceId() without a group is a subscription resource; with one, a group resource', () => {
    const outputs = at('subscriptionDeploymentTemplate', {
      role: "[resourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
      roleBySubscriptionResourceId:
        "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
      subnet: "[resourceId('network-rg', 'Microsoft.Network/virtualNetworks/subnets', 'vnet', 'subnet1')]",
      subscription: '[subscription().id]'
    });
    const role = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`;
    expect(outputs.role).toBe(role);
    expect(outputs.roleBySubscriptionResourceId).toBe(role);
    expect(outputs.subnet).toBe(
      `/subscriptions/${SUB}/resourceGroups/network-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/subnet1`
    );
    expect(outputs.subscription).toBe(`/subscriptions/${SUB}`);
  });

  test('"resourceGroup() is supported for resource group deployments" only', () => {
    expect(() => at('subscriptionDeploymentTemplate', { rg: '[resourceGroup().name]' })).toThrow(
      /'resourceGroup' is not expected here: this template deploys to a subscription/
    );
  });

  test('"subscription() is supported for resource group and subscription deployments" only', () => {
    expect(() => at('managementGroupDeploymentTemplate', { sub: '[subscription().id]' })).toThrow(
      /'subscription' is not expected here: this template deploys to a management group/
    );
    expect(() => at('tenantDeploymentTemplate', { sub: '[subscription().id]' })).toThrow(
      /'subscription' is not expected here: this template deploys to a tenant/
    );
  });

  test('at a management group, a custom policy definition is an extension of the group; a built-in one a tenant resource', () => {
    const outputs = at('managementGroupDeploymentTemplate', {
      custom: "[extensionResourceId(managementGroup().id, 'Microsoft.Authorization/policyDefinitions', 'audit-cmk')]",
      builtIn:
        "[tenantResourceId('Microsoft.Authorization/policyDefinitions', '0a15ec92-a229-4763-bb14-0ea34a568f8d')]",
      tenant: '[tenant().id]'
    });
    expect(outputs.custom).toBe(
      '/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyDefinitions/audit-cmk'
    );
    expect(outputs.builtIn).toBe(
      '/providers/Microsoft.Authorization/policyDefinitions/0a15ec92-a229-4763-bb14-0ea34a568f8d'
    );
    expect(outputs.tenant).toBe(`/tenants/${SUB}`);
  });
});
