/**
 * What a nested deployment passes to its template's parameters. The deployment's `parameters`
 * are "Name and value pairs that define the deployment parameters for the template … It can be
 * a JObject or a well formed JSON string."
 * (https://learn.microsoft.com/javascript/api/@azure/arm-resources/deploymentproperties), so
 * both the whole object and each `{"value": …}` entry may be the result of an expression: Bicep
 * compiles an optional module parameter to
 * `"x": "[if(cond, createObject('value', a), createObject('value', b))]"`.
 */
import { describe, expect, test } from '@jest/globals';
import { TemplateError } from '../../src/sources/index.js';
import { isUnknown, type Value } from '../../src/model/value.js';
import { SCHEMA, expandDocTemplate } from './outputs.js';
import { at, byName } from './helpers.js';

/** A template whose nested (inner-scope) deployment gets `parameters` and deploys one storage account named from them. */
function withModule(parameters: unknown, outer: { parameters?: object; variables?: object } = {}) {
  return expandDocTemplate({
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: outer.parameters ?? {},
    variables: outer.variables ?? {},
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'module',
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          parameters,
          template: {
            $schema: SCHEMA,
            contentVersion: '1.0.0.0',
            parameters: {
              workspaceId: { type: 'string', defaultValue: 'default-workspace' },
              sku: { type: 'string', defaultValue: 'Standard_LRS' }
            },
            resources: [
              {
                type: 'Microsoft.Storage/storageAccounts',
                apiVersion: '2023-01-01',
                name: 'stmodule',
                location: 'westus',
                sku: { name: "[parameters('sku')]" },
                tags: { workspace: "[parameters('workspaceId')]" }
              }
            ]
          }
        }
      }
    ]
  }).resources;
}

const tagOf = (resources: ReturnType<typeof withModule>): Value | undefined =>
  at(byName(resources, 'stmodule').json, '/tags/workspace');

describe('a parameter entry given as one expression (Bicep conditional module parameters)', () => {
  const bicepEntry =
    "[if(not(empty(parameters('workspaceName'))), createObject('value', parameters('workspaceName')), createObject('value', ''))]";

  test('the branch the condition picks is the {"value": …} object passed', () => {
    const given = withModule(
      { workspaceId: bicepEntry },
      { parameters: { workspaceName: { type: 'string', defaultValue: 'ws-1' } } }
    );
    expect(tagOf(given)).toBe('ws-1');
    const empty = withModule(
      { workspaceId: bicepEntry },
      { parameters: { workspaceName: { type: 'string', defaultValue: '' } } }
    );
    expect(tagOf(empty)).toBe('');
  });

  test('an entry unknown before deployment passes an unknown value, and the template still expands', () => {
    // The AI agents sample: the condition reads a parameter with no value, the value a module output.
    const resources = withModule(
      {
        workspaceId:
          "[if(not(empty(parameters('workspaceName'))), createObject('value', reference(resourceId('Microsoft.Resources/deployments', 'logAnalytics'), '2022-09-01').outputs.id.value), createObject('value', ''))]"
      },
      { parameters: { workspaceName: { type: 'string' } } }
    );
    const tag = tagOf(resources);
    expect(isUnknown(tag)).toBe(true);
    expect((tag as { reason: string }).reason).toMatch(/parameter 'workspaceName'/);
    expect(at(byName(resources, 'stmodule').json, '/sku/name')).toBe('Standard_LRS');
  });

  test('an entry may also be written as a literal {"value": …} beside expression entries', () => {
    const resources = withModule({
      workspaceId: "[createObject('value', 'ws-2')]",
      sku: { value: 'Premium_LRS' }
    });
    expect(tagOf(resources)).toBe('ws-2');
    expect(at(byName(resources, 'stmodule').json, '/sku/name')).toBe('Premium_LRS');
  });

  test('an entry giving a Key Vault reference passes a secret, unknown offline', () => {
    const resources = withModule({
      workspaceId: "[createObject('reference', createObject('keyVault', createObject('id', 'kv'), 'secretName', 's'))]"
    });
    expect((tagOf(resources) as { reason: string }).reason).toMatch(
      /Key Vault secret passed to parameter 'workspaceId'/
    );
  });

  test('an entry giving neither "value" nor "reference" is refused as ARM refuses it, naming the parameter', () => {
    expect(() => withModule({ workspaceId: "[createObject('val', 'x')]" })).toThrow(TemplateError);
    expect(() => withModule({ workspaceId: "[createObject('val', 'x')]" })).toThrow(
      /parameter 'workspaceId' passed to deployment 'module' needs a "value"/
    );
  });
});

describe('the whole parameters object given as one expression', () => {
  test('an object from a variable', () => {
    const resources = withModule("[variables('moduleParameters')]", {
      variables: { moduleParameters: { workspaceId: { value: 'ws-3' }, sku: { value: 'Premium_ZRS' } } }
    });
    expect(tagOf(resources)).toBe('ws-3');
    expect(at(byName(resources, 'stmodule').json, '/sku/name')).toBe('Premium_ZRS');
  });

  test('"a well formed JSON string"', () => {
    const resources = withModule("[string(variables('moduleParameters'))]", {
      variables: { moduleParameters: { workspaceId: { value: 'ws-4' } } }
    });
    expect(tagOf(resources)).toBe('ws-4');
  });

  test('an object unknown before deployment may set any parameter: defaults included, each is unknown and says why', () => {
    const resources = withModule("[if(parameters('custom'), variables('a'), variables('b'))]", {
      parameters: { custom: { type: 'bool' } },
      variables: { a: { sku: { value: 'Premium_LRS' } }, b: {} }
    });
    const sku = at(byName(resources, 'stmodule').json, '/sku/name');
    expect(isUnknown(sku)).toBe(true);
    expect((sku as { reason: string }).reason).toMatch(
      /parameter 'sku', set by the parameters deployment 'module' passes \(parameter 'custom'/
    );
  });
});
