/**
 * Outputs are evaluated as ARM evaluates them, after the deployment: an output ARM cannot evaluate fails the
 * deployment, so it is the template's error at its line; what only the deployment knows is not.
 * OUTPUTS = https://learn.microsoft.com/azure/azure-resource-manager/templates/outputs
 */
import { describe, expect, it } from '@jest/globals';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const vault = {
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name: 'kv',
  location: 'westus',
  properties: {}
};

function expand(body: object, parameters: object = {}) {
  const text = JSON.stringify(
    { $schema: SCHEMA, contentVersion: '1.0.0.0', parameters, resources: [vault], ...body },
    null,
    2
  );
  const result = expandTemplateDocument(parseJsonWithPositions(text, 'main.json'));
  const lineOf = (needle: string) => text.split('\n').findIndex(l => l.includes(needle)) + 1;
  return { result, lineOf, errors: result.errors.map(e => ({ line: e.location?.line, message: e.message })) };
}

describe('top-level outputs', () => {
  it('what needs the deployment (reference, listKeys, a parameter without a value) is no error', () => {
    const { errors, result } = expand(
      {
        outputs: {
          id: { type: 'string', value: "[resourceId('Microsoft.KeyVault/vaults', 'kv')]" },
          uri: { type: 'string', value: "[reference('kv').vaultUri]" },
          full: { type: 'object', value: "[reference('kv', '2023-07-01', 'Full')]" },
          keys: {
            type: 'object',
            value: "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01')]"
          },
          name: { type: 'string', value: "[parameters('name')]" },
          loop: { type: 'array', copy: { count: 2, input: "[concat(parameters('name'), copyIndex())]" } },
          off: { condition: false, type: 'string', value: '[notAFunction()]' }
        }
      },
      { name: { type: 'string' } }
    );
    expect(errors).toEqual([]);
    expect(result.resources.map(r => r.name)).toEqual(['kv']);
  });

  it.each([
    ['a function that does not exist', "[notAFunction('x')]", /notAFunction/i],
    ['a wrong number of arguments', "[toLower('a', 'b')]", /toLower/i],
    ['an expression that does not parse', "[concat('a', ]", /./],
    ['a value that fails with the values given', '[div(1, 0)]', /div/i]
  ])('%s is the template’s error at the output’s line', (_name, value, message) => {
    const { errors, lineOf, result } = expand({
      outputs: { good: { type: 'string', value: 'x' }, broken: { type: 'string', value } }
    });
    expect(errors).toEqual([
      { line: lineOf(JSON.stringify(value).slice(1, -1)), message: expect.stringMatching(message) }
    ]);
    // The resources are evaluated all the same.
    expect(result.resources.map(r => r.name)).toEqual(['kv']);
  });

  it('an output whose condition is unknown is noted, not an error', () => {
    const { errors, result } = expand(
      { outputs: { maybe: { condition: "[parameters('on')]", type: 'int', value: '[div(1, 0)]' } } },
      { on: { type: 'bool' } }
    );
    expect(errors).toEqual([]);
    expect(result.notes.join('\n')).toMatch(/div/i);
  });
});

describe('outputs of a nested deployment', () => {
  const nested = (value: string, condition?: string) => ({
    resources: [
      vault,
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'inner',
        ...(condition ? { condition } : {}),
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          template: {
            $schema: SCHEMA,
            contentVersion: '1.0.0.0',
            resources: [],
            outputs: { o: { type: 'string', value } }
          }
        }
      }
    ]
  });

  it('an output the nested deployment cannot evaluate is the template’s error though nothing reads it', () => {
    const { errors, lineOf } = expand(nested("[notAFunction('x')]"));
    expect(errors).toEqual([{ line: lineOf("notAFunction('x')"), message: expect.stringMatching(/notAFunction/i) }]);
  });

  it('not when the nested deployment deploys only if something unknown holds', () => {
    const { errors } = expand(nested("[notAFunction('x')]", "[parameters('on')]"), { on: { type: 'bool' } });
    expect(errors).toEqual([]);
  });
});
