import * as fs from 'node:fs';
import { expandTemplateFile } from '../../src/sources/index.js';
import { Unknown } from '../../src/model/value.js';
import { UserError } from '../../src/model/errors.js';
import { at, expandInline, fixture, lineOf } from './helpers.js';

// https://learn.microsoft.com/azure/azure-resource-manager/templates/parameter-files
describe('parameter files and overrides', () => {
  test('main.json pairs with main.parameters.json by convention, positions in the parameter file', () => {
    const expanded = expandTemplateFile(fixture('params', 'main.json'));
    expect(expanded.parameterFile).toBe(fixture('params', 'main.parameters.json'));
    const account = expanded.resources[0];
    expect(account.name).toBe('ai-from-file');
    expect(at(account.json, '/properties/encryption/keySource')).toBe('Microsoft.KeyVault');
    // The value comes from the template's expression line.
    const text = fs.readFileSync(fixture('params', 'main.json'), 'utf8');
    expect(account.positionOf!('/properties/encryption/keySource')?.line).toBe(
      lineOf('"keySource": "[parameters', text)
    );
  });

  test('azuredeploy.json pairs with azuredeploy.parameters.json', () => {
    const expanded = expandTemplateFile(fixture('params', 'azuredeploy.json'));
    expect(expanded.parameterFile).toBe(fixture('params', 'azuredeploy.parameters.json'));
    expect(expanded.resources[0].name).toBe('ai-azuredeploy');
    expect(at(expanded.resources[0].json, '/properties/encryption/keySource')).toBe('Microsoft.CognitiveServices');
  });

  test('overrides win over the parameter file and defaults; command-line text is read as the declared type', () => {
    const expanded = expandTemplateFile(fixture('params', 'main.json'), {
      parameterOverrides: { accountName: 'ai-override', capacity: '7' }
    });
    expect(expanded.resources[0].name).toBe('ai-override');
    expect(at(expanded.resources[0].json, '/sku/capacity')).toBe(7);
  });

  test('a parameter with no default and no value is unknown, keyed by its name', () => {
    const expanded = expandTemplateFile(fixture('params', 'main.json'), { parameterFiles: [] });
    const name = expanded.resources[0].json.name as Unknown;
    expect(name).toBeInstanceOf(Unknown);
    expect(name.key).toBe('parameter:accountName');
    expect(expanded.resources[0].name).toBe("[parameters('accountName')]");
  });

  test('a value outside allowedValues is an error at the value in the parameter file', () => {
    const file = fixture('params', 'bad.parameters.json');
    try {
      expandTemplateFile(fixture('params', 'main.json'), { parameterFiles: [file] });
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      const e = error as UserError;
      expect(e.location).toEqual({ file, line: 7, column: 7 });
      expect(e.message).toMatch(/"Microsoft.Storage" of parameter 'keySource' is not one of its allowedValues/);
    }
  });

  // ARM compares allowed values case-insensitively: https://github.com/Azure/bicep/issues/2489
  test('allowedValues compare strings case-insensitively; maxValue is checked', () => {
    expect(() =>
      expandTemplateFile(fixture('params', 'main.json'), { parameterOverrides: { keySource: 'microsoft.keyvault' } })
    ).not.toThrow();
    expect(() => expandTemplateFile(fixture('params', 'main.json'), { parameterOverrides: { capacity: 11 } })).toThrow(
      /above its maxValue 10/
    );
  });

  // An empty allowedValues constrains nothing: ARM deployed a template whose parameter declares "allowedValues": []
  // with its default "test" (https://github.com/Azure/bicep/issues/581). Marketplace templates write it (Azure Stack
  // Hub's ethereum-consortium-blockchain mainTemplate.json) and were refused before anything was checked.
  test('an empty allowedValues allows every value', () => {
    const expanded = expandInline({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { keySource: { type: 'string', defaultValue: 'Microsoft.CognitiveServices', allowedValues: [] } },
      resources: [
        {
          type: 'Microsoft.CognitiveServices/accounts',
          apiVersion: '2023-05-01',
          name: 'ai-empty-allowed',
          kind: 'OpenAI',
          properties: { encryption: { keySource: "[parameters('keySource')]" } }
        }
      ]
    });
    expect(at(expanded.resources[0].json, '/properties/encryption/keySource')).toBe('Microsoft.CognitiveServices');
  });

  test('a parameter file giving a parameter the template does not declare is an error; an override is not', () => {
    expect(() =>
      expandTemplateFile(fixture('params', 'main.json'), {
        parameterFiles: [fixture('discovery', 'infra', 'main.parameters.json')]
      })
    ).toThrow(/gives parameter 'deployCmk', which the template does not declare/);
    expect(() => expandTemplateFile(fixture('params', 'main.json'), { parameterOverrides: { nope: 1 } })).not.toThrow();
  });
});
