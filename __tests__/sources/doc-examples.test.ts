import { describe, expect, test } from '@jest/globals';
import { TemplateError } from '../../src/sources/index.js';
import { SCHEMA, templateOutputs } from './outputs.js';

// Documented example templates, checked against the output tables the documentation shows.

const dogs = [
  { name: 'Evie', age: 5, interests: ['Ball', 'Frisbee'] },
  { name: 'Casper', age: 3, interests: ['Other dogs'] },
  { name: 'Indy', age: 2, interests: ['Butter'] },
  { name: 'Kira', age: 8, interests: ['Rubs'] }
];

describe('object functions', () => {
  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#items
  test('items() with a variables copy loop gives the documented modifiedResult, sorted by key', () => {
    const outputs = templateOutputs({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      variables: {
        copy: [
          {
            name: 'modifiedListOfEntities',
            count: "[length(items(variables('entities')))]",
            input: {
              key: "[items(variables('entities'))[copyIndex('modifiedListOfEntities')].key]",
              fullName: "[items(variables('entities'))[copyIndex('modifiedListOfEntities')].value.displayName]",
              itemEnabled: "[items(variables('entities'))[copyIndex('modifiedListOfEntities')].value.enabled]"
            }
          }
        ],
        entities: {
          item002: { enabled: false, displayName: 'Example item 2', number: 200 },
          item001: { enabled: true, displayName: 'Example item 1', number: 300 }
        }
      },
      resources: [],
      outputs: {
        modifiedResult: { type: 'array', value: "[variables('modifiedListOfEntities')]" },
        itemsResult: { type: 'array', value: "[items(variables('entities'))]" }
      }
    });
    expect(outputs.modifiedResult).toEqual([
      { fullName: 'Example item 1', itemEnabled: true, key: 'item001' },
      { fullName: 'Example item 2', itemEnabled: false, key: 'item002' }
    ]);
    expect(outputs.itemsResult).toEqual([
      { key: 'item001', value: { displayName: 'Example item 1', enabled: true, number: 300 } },
      { key: 'item002', value: { displayName: 'Example item 2', enabled: false, number: 200 } }
    ]);
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#json
  // The array parameter's default is written "[[1,2,3 ]": the escaped bracket keeps it a string.
  test('json() of parameter defaults, including an escaped "[[" default', () => {
    const outputs = templateOutputs({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: {
        jsonEmptyObject: { type: 'string', defaultValue: 'null' },
        jsonArray: { type: 'string', defaultValue: '[[1,2,3 ]' }
      },
      resources: [],
      outputs: {
        emptyObjectOutput: { type: 'bool', value: "[empty(json(parameters('jsonEmptyObject')))]" },
        arrayOutput: { type: 'array', value: "[json(parameters('jsonArray'))]" }
      }
    });
    expect(outputs).toEqual({ emptyObjectOutput: true, arrayOutput: [1, 2, 3] });
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda
describe('lambda functions over template variables', () => {
  test('filteredLoop (over a variables copy loop) and mapObject (indexing a variable by a lambda variable)', () => {
    const outputs = templateOutputs({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      variables: {
        dogs,
        copy: [
          {
            name: 'itemForLoop',
            count: '[length(range(0, 10))]',
            input: "[range(0, 10)[copyIndex('itemForLoop')]]"
          }
        ]
      },
      resources: [],
      outputs: {
        filteredLoop: {
          type: 'array',
          value: "[filter(variables('itemForLoop'), lambda('i', greater(lambdaVariables('i'), 5)))]"
        },
        mapObject: {
          type: 'array',
          value:
            "[map(range(0, length(variables('dogs'))), lambda('i', createObject('i', lambdaVariables('i'), 'dog', variables('dogs')[lambdaVariables('i')].name, 'greeting', format('Ahoy, {0}!', variables('dogs')[lambdaVariables('i')].name))))]"
        },
        dogsByAge: {
          type: 'array',
          value: "[sort(variables('dogs'), lambda('a', 'b', less(lambdaVariables('a').age, lambdaVariables('b').age)))]"
        }
      }
    });
    expect(outputs.filteredLoop).toEqual([6, 7, 8, 9]);
    expect(outputs.mapObject).toEqual([
      { i: 0, dog: 'Evie', greeting: 'Ahoy, Evie!' },
      { i: 1, dog: 'Casper', greeting: 'Ahoy, Casper!' },
      { i: 2, dog: 'Indy', greeting: 'Ahoy, Indy!' },
      { i: 3, dog: 'Kira', greeting: 'Ahoy, Kira!' }
    ]);
    expect((outputs.dogsByAge as { name: string }[]).map(d => d.name)).toEqual(['Indy', 'Casper', 'Evie', 'Kira']);
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-outputs
describe('output copy loops', () => {
  test('copyIndex() without a loop name is the index of the output loop', () => {
    const outputs = templateOutputs({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { storageCount: { type: 'int', defaultValue: 2 } },
      variables: { baseName: "[concat('storage', 'abc')]" },
      resources: [],
      outputs: {
        storageNames: {
          type: 'array',
          copy: { count: "[parameters('storageCount')]", input: "[concat(copyIndex(), variables('baseName'))]" }
        }
      }
    });
    expect(outputs.storageNames).toEqual(['0storageabc', '1storageabc']);
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#utcnow
describe('utcNow in parameter defaults', () => {
  test('gives the documented formats (default, "d" and a custom "M d")', () => {
    const outputs = templateOutputs({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: {
        utcValue: { type: 'string', defaultValue: '[utcNow()]' },
        utcShortValue: { type: 'string', defaultValue: "[utcNow('d')]" },
        utcCustomValue: { type: 'string', defaultValue: "[utcNow('M d')]" }
      },
      resources: [],
      outputs: {
        utcOutput: { type: 'string', value: "[parameters('utcValue')]" },
        utcShortOutput: { type: 'string', value: "[parameters('utcShortValue')]" },
        utcCustomOutput: { type: 'string', value: "[parameters('utcCustomValue')]" }
      }
    });
    // The documented run happened at 2019-03-05 17:53:18 UTC; the helper's clock is set to it.
    expect(outputs).toEqual({ utcOutput: '20190305T175318Z', utcShortOutput: '03/05/2019', utcCustomOutput: '3 5' });
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions#escape-characters
describe('escaped brackets', () => {
  test('"[[" keeps a bracketed literal; a string not ending in "]" is never an expression', () => {
    const outputs = templateOutputs({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      variables: { demoVar1: '[[test value]', demoVar2: '[test] value' },
      resources: [],
      outputs: {
        one: { type: 'string', value: "[variables('demoVar1')]" },
        two: { type: 'string', value: "[variables('demoVar2')]" }
      }
    });
    expect(outputs).toEqual({ one: '[test value]', two: '[test] value' });
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits
describe('template limits ARM refuses', () => {
  const many = (count: number, make: (i: number) => unknown) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${i}`, make(i)]));

  function refusal(template: object): TemplateError {
    try {
      templateOutputs(template);
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      return error as TemplateError;
    }
    throw new Error('expected the template to be refused');
  }

  test('256 parameters are allowed, 257 are not', () => {
    const base = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [] };
    expect(() =>
      templateOutputs({ ...base, parameters: many(256, () => ({ type: 'int', defaultValue: 1 })) })
    ).not.toThrow();
    const error = refusal({ ...base, parameters: many(257, () => ({ type: 'int', defaultValue: 1 })) });
    expect(error.message).toMatch(/declares 257 parameters; ARM allows at most 256/);
    expect(error.location?.file).toBe('doc-example.json');
    // The error points at the "parameters" section: line 5 of the serialized template.
    expect(error.location?.line).toBe(5);
  });

  test('64 output values are allowed, 65 are not', () => {
    const base = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [] };
    expect(() => templateOutputs({ ...base, outputs: many(64, () => ({ type: 'int', value: 1 })) })).not.toThrow();
    expect(refusal({ ...base, outputs: many(65, () => ({ type: 'int', value: 1 })) }).message).toMatch(
      /declares 65 output values; ARM allows at most 64/
    );
  });

  test('800 resources (copy loops counted) are allowed, 801 are not', () => {
    const loop = (name: string, count: number) => ({
      type: 'Microsoft.Network/networkSecurityGroups',
      apiVersion: '2023-04-01',
      name: `[concat('${name}', copyIndex())]`,
      copy: { name, count }
    });
    const base = { $schema: SCHEMA, contentVersion: '1.0.0.0' };
    expect(() => templateOutputs({ ...base, resources: [loop('a', 500), loop('b', 300)] })).not.toThrow();
    expect(refusal({ ...base, resources: [loop('a', 500), loop('b', 301)] }).message).toMatch(
      /deploys 801 resources \(copy loops counted\); ARM allows at most 800/
    );
  });

  test('an expression longer than 24,576 characters', () => {
    const long = `[concat('${'x'.repeat(24_576)}')]`;
    const error = refusal({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      variables: { v: long },
      resources: [],
      outputs: { o: { type: 'string', value: "[variables('v')]" } }
    });
    expect(error.message).toMatch(/24588 characters long; ARM allows at most 24576/);
  });
});
