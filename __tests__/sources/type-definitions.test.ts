/**
 * Values of user-defined types (languageVersion 2.0 `definitions`) are checked inside, as ARM checks them
 * before it deploys anything. Each case is an example of https://learn.microsoft.com/azure/azure-resource-manager/templates/definitions
 * ("would accept … but reject …"), given as a parameter's value.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import type { Json } from '../../src/model/value.js';
import { expandTemplateFile } from '../../src/sources/index.js';
import { fixtures } from './helpers.js';
import { expandDocTemplate } from './outputs.js';

/** Expands a languageVersion 2.0 template with one parameter `p` of type `decl` and the value given. */
function withValue(decl: { [key: string]: Json }, value: Json, definitions: { [key: string]: Json } = {}) {
  return expandDocTemplate({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    languageVersion: '2.0',
    contentVersion: '1.0.0.0',
    definitions,
    parameters: { p: { ...decl, defaultValue: value } },
    resources: {},
    outputs: { o: { type: decl.type ?? 'object', value: "[parameters('p')]" } }
  });
}

const accepts = (decl: { [key: string]: Json }, value: Json, definitions?: { [key: string]: Json }) =>
  expect(withValue(decl, value, definitions).outputs.o).toEqual(value);
const rejects = (decl: { [key: string]: Json }, value: Json, message: RegExp, definitions?: { [key: string]: Json }) =>
  expect(() => withValue(decl, value, definitions)).toThrow(message);

describe('object constraints', () => {
  const objectDefinition = {
    type: 'object',
    properties: { foo: { type: 'string', minLength: 3 }, bar: { type: 'int', minValue: 0 } }
  };
  const ref = { $ref: '#/definitions/objectDefinition' };

  test('properties: every property is required and typed', () => {
    accepts(ref, { foo: 'string', bar: 1 }, { objectDefinition });
    rejects(ref, { foo: 'string', bar: -1 }, /parameter 'p' at \.bar is below its minValue 0/, { objectDefinition });
    rejects(ref, { foo: '', bar: 1 }, /parameter 'p' at \.foo has 0 characters, fewer than its minLength 3/, {
      objectDefinition
    });
    rejects(ref, { foo: 'string' }, /lacks the property 'bar', which its type requires/, { objectDefinition });
  });

  test('a nullable property may be left out or null', () => {
    const optional = {
      type: 'object',
      properties: {
        foo: { type: 'string', minLength: 3, nullable: true },
        bar: { type: 'int', minValue: 0, nullable: true }
      }
    };
    accepts(optional, {});
    accepts(optional, { foo: null, bar: 2 });
    rejects(objectDefinition, { foo: null, bar: 2 }, /parameter 'p' at \.foo is null, which its type does not allow/);
  });

  test('additionalProperties: a type for the others, false for none, true (the default) for any', () => {
    const dictionary = {
      type: 'object',
      properties: {
        foo: { type: 'string', minLength: 3, nullable: true },
        bar: { type: 'int', minValue: 0, nullable: true }
      },
      additionalProperties: { type: 'string' }
    };
    accepts(dictionary, { fizz: 'buzz', foo: 'bar' });
    rejects(dictionary, { property: 1 }, /at \.property is not of type string/);
    const sealed = { ...objectDefinition, additionalProperties: false };
    accepts(sealed, { foo: 'string', bar: 1 });
    rejects(sealed, { foo: 'string', bar: 1, fizz: 'buzz' }, /has the property 'fizz', which its type does not allow/);
    accepts({ ...objectDefinition, additionalProperties: true }, { foo: 'string', bar: 1, fizz: 'buzz' });
  });

  test('discriminator: the type is the one its property names', () => {
    const taggedUnion = {
      type: 'object',
      discriminator: {
        propertyName: 'type',
        mapping: {
          ints: { type: 'object', additionalProperties: { type: 'int' } },
          strings: { type: 'object', additionalProperties: { type: 'string' } }
        }
      }
    };
    // The examples leave `type` out of the mapped types' properties, so it is an additional property too;
    // the documentation accepts them, so a discriminator's own property is not checked against them.
    accepts(taggedUnion, { type: 'ints', foo: 1, bar: 2 });
    accepts(taggedUnion, { type: 'strings', fizz: 'buzz', pop: 'goes', the: 'weasel' });
    rejects(taggedUnion, { type: 'ints', fizz: 'buzz' }, /at \.fizz is not of type int/);
    rejects(taggedUnion, { type: 'floats' }, /has type "floats", which is not one of its type's kinds/);
  });
});

describe('array constraints', () => {
  const tuple = { type: 'array', prefixItems: [{ type: 'int' }, { type: 'bool' }] };

  test('prefixItems type the items one by one, and all must be there', () => {
    accepts(tuple, [1, true]);
    rejects(tuple, [1, 'string'], /at \[1\] is not of type bool/);
    rejects(tuple, [1], /has 1 item\(s\); its type gives 2 \(prefixItems\)/);
  });

  test('items types the rest; false allows no more; true (the default) any', () => {
    const tupleThenInts = { ...tuple, items: { type: 'int' } };
    accepts(tupleThenInts, [1, true, 1]);
    accepts(tupleThenInts, [1, true, 1, 1]);
    rejects(tupleThenInts, [1, true, 'foo'], /at \[2\] is not of type int/);
    const ints = { type: 'array', items: { type: 'int' } };
    accepts(ints, [1, 2]);
    accepts(ints, [1]);
    rejects(ints, ['foo'], /at \[0\] is not of type int/);
    const exact = { ...tuple, items: false };
    accepts(exact, [1, true]);
    rejects(exact, [1, true, 1], /allows only the 2 of its prefixItems/);
    accepts(tuple, [1, true, false, 'foo', 'bar']);
  });
});

describe('references between definitions', () => {
  test('a $ref in a property is followed, with the referring nullable kept', () => {
    const definitions = {
      naturalNumber: { type: 'int', minValue: 1 },
      pair: {
        type: 'object',
        properties: {
          first: { $ref: '#/definitions/naturalNumber' },
          second: { $ref: '#/definitions/naturalNumber', nullable: true }
        }
      }
    };
    const ref = { $ref: '#/definitions/pair' };
    accepts(ref, { first: 1 }, definitions);
    rejects(ref, { first: 0 }, /at \.first is below its minValue 1/, definitions);
    // The documentation's own example: a parameter of type naturalNumber with the default 0.
    rejects({ $ref: '#/definitions/naturalNumber' }, 0, /parameter 'p' is below its minValue 1/, definitions);
  });

  test('templates without languageVersion 2.0 are not checked inside (their types have no definitions)', () => {
    const { outputs } = expandDocTemplate({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { p: { type: 'array', items: { type: 'int' }, defaultValue: ['a'] } },
      resources: [],
      outputs: { o: { type: 'array', value: "[parameters('p')]" } }
    });
    expect(outputs.o).toEqual(['a']);
  });
});

/*
 * A Bicep-compiled template of PSRule's TemplateVisitorTests.cs "CustomTypes" (Azure/PSRule.Rules.Azure,
 * tests/PSRule.Rules.Azure.Tests/Tests.Bicep.14.json at commit 4f272da06baaae9949d6022e2db15c77015004fa,
 * copied into __tests__/fixtures/peer/psrule/): a tuple of two typed objects inside an object, with a
 * $ref to a boolean; PSRule expands it without an issue.
 */
describe('a tuple of typed objects inside an object (PSRule Tests.Bicep.14.json, "CustomTypes")', () => {
  const file = path.join(fixtures, '..', 'peer', 'psrule', 'Tests.Bicep.14.json');

  test('the default fits its type', () => {
    expect(expandTemplateFile(file).errors).toEqual([]);
  });

  test('a setting of the wrong type is refused at the parameter file, saying where', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-types-'));
    try {
      const parameters = path.join(dir, 'p.json');
      const props = {
        name: 'abc',
        properties: {
          enabled: true,
          settings: [
            { name: 'key1', value: 'one' },
            { name: 'key2', value: 'value2' }
          ]
        }
      };
      fs.writeFileSync(
        parameters,
        JSON.stringify({ contentVersion: '1.0.0.0', parameters: { props: { value: props } } })
      );
      let error: unknown;
      try {
        expandTemplateFile(file, { parameterFiles: [parameters] });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({
        location: { file: parameters },
        message: expect.stringMatching(/parameter 'props' at \.properties\.settings\[0\]\.value is not of type int/)
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
