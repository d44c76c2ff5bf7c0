/**
 * Outputs are evaluated as ARM evaluates them, after the deployment: an output ARM cannot evaluate fails the
 * deployment, so it is the template's error at its line; what only the deployment knows is not.
 * OUTPUTS = https://learn.microsoft.com/azure/azure-resource-manager/templates/outputs
 */
import { describe, expect, it } from '@jest/globals';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';
import { armTemplate, nestedDeployment, SCHEMA, type J } from '../support/arm-templates.js';
const vault = {
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name: 'kv',
  location: 'westus',
  properties: {}
};

function expand(body: object, parameters: J = {}) {
  const text = JSON.stringify({ ...armTemplate([vault], { parameters }), ...body }, null, 2);
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
      nestedDeployment('inner', [], {
        members: condition ? { condition } : {},
        scope: 'inner',
        template: { outputs: { o: { type: 'string', value } } }
      })
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

/**
 * ARM checks each output's value against its declared type when it evaluates the outputs, and fails the deployment
 * on one that does not match ("The template output 'result' is not valid: Template output JToken type is not valid.
 * Expected 'Integer'. Actual 'Null'.", DeploymentOutputEvaluationFailed). OUTPUTS lists the types: string, int,
 * bool, object, array, secureString, secureObject; in languageVersion 2.0 an output may name a user-defined type.
 */
describe('outputs are checked against their declared types', () => {
  const typed = (type: string, value: unknown) => ({ type, value });

  it('a value of another type is the template’s error at the output’s line', () => {
    const outputs = {
      s: typed('string', 1),
      i: typed('int', '1'),
      f: typed('Int', 1.5),
      b: typed('bool', 'true'),
      o: typed('object', [1]),
      a: typed('array', { a: 1 }),
      ss: typed('secureString', true),
      so: typed('secureObject', 'x'),
      n: typed('int', '[null()]'),
      loop: { type: 'string', copy: { count: 2, input: '[copyIndex()]' } }
    };
    const { errors, lineOf } = expand({ outputs });
    const at = (name: string) => lineOf(`"${name}": {`);
    const fails = 'ARM fails the deployment when it evaluates the outputs (DeploymentOutputEvaluationFailed).';
    expect(errors).toEqual([
      {
        line: at('s'),
        message: `The value 1 of output 's' is not of type string; give a value of that type. ${fails}`
      },
      { line: at('i'), message: `The value "1" of output 'i' is not of type int; give a value of that type. ${fails}` },
      { line: at('f'), message: `The value 1.5 of output 'f' is not of type Int; give a value of that type. ${fails}` },
      {
        line: at('b'),
        message: `The value "true" of output 'b' is not of type bool; give a value of that type. ${fails}`
      },
      {
        line: at('o'),
        message: `The value [1] of output 'o' is not of type object; give a value of that type. ${fails}`
      },
      {
        line: at('a'),
        message: `The value {"a":1} of output 'a' is not of type array; give a value of that type. ${fails}`
      },
      {
        line: at('ss'),
        message: `The value true of output 'ss' is not of type secureString; give a value of that type. ${fails}`
      },
      {
        line: at('so'),
        message: `The value "x" of output 'so' is not of type secureObject; give a value of that type. ${fails}`
      },
      {
        line: at('n'),
        message: `The value null of output 'n' is not of type int; give a value of that type. ${fails}`
      },
      {
        line: at('loop'),
        message: `The value [0,1] of output 'loop' is not of type string; give a value of that type. ${fails}`
      }
    ]);
  });

  it('a value of its type, or one only the deployment knows, is no error; nor a constraint, which outputs do not check', () => {
    const { errors } = expand(
      {
        outputs: {
          s: typed('String', 'x'),
          i: typed('INT', 3),
          b: typed('bool', false),
          o: typed('object', { a: [1] }),
          a: typed('array', "[createArray(1, 'a')]"),
          ss: typed('securestring', "[parameters('secret')]"),
          so: typed('secureObject', '[json(\'{"k": 1}\')]'),
          uri: typed('string', "[reference('kv').vaultUri]"),
          loop: { type: 'array', copy: { count: 2, input: '[copyIndex()]' } },
          short: { type: 'string', value: 'x', minLength: 3 },
          off: { condition: false, type: 'int', value: 'x' }
        }
      },
      { secret: { type: 'securestring' } }
    );
    expect(errors).toEqual([]);
  });

  it('an output whose condition is unknown is noted, not an error', () => {
    const { errors, result } = expand(
      { outputs: { maybe: { condition: "[parameters('on')]", type: 'int', value: 'x' } } },
      { on: { type: 'bool' } }
    );
    expect(errors).toEqual([]);
    expect(result.notes.join('\n')).toContain(
      `The value "x" of output 'maybe' is not of type int; give a value of that type. ARM fails the deployment when it evaluates the outputs (DeploymentOutputEvaluationFailed), if it is deployed.`
    );
  });

  it('a user-defined type (languageVersion 2.0) is checked inside, as a parameter’s is', () => {
    const text = JSON.stringify(
      {
        $schema: SCHEMA,
        languageVersion: '2.0',
        contentVersion: '1.0.0.0',
        definitions: {
          endpoint: {
            type: 'object',
            properties: { host: { type: 'string' }, port: { type: 'int', minValue: 1 } },
            additionalProperties: false
          }
        },
        resources: {},
        outputs: {
          good: { $ref: '#/definitions/endpoint', value: { host: 'a', port: 443 } },
          zero: { $ref: '#/definitions/endpoint', value: { host: 'a', port: 0 } },
          extra: { $ref: '#/definitions/endpoint', value: { host: 'a', port: 1, path: '/' } },
          missing: { $ref: '#/definitions/endpoint', value: { host: 'a' } },
          ints: { type: 'array', items: { type: 'int' }, value: [1, 'two'] }
        }
      },
      null,
      2
    );
    const result = expandTemplateDocument(parseJsonWithPositions(text, 'main.json'));
    const line = (name: string) => text.split('\n').findIndex(l => l.includes(`"${name}": {`)) + 1;
    expect(result.errors.map(e => [e.location?.line, e.message.replace(/ ARM fails .*$/, '')])).toEqual([
      [line('zero'), "The value 0 of output 'zero' at .port is below its minValue 1."],
      [
        line('extra'),
        "The value of output 'extra' has the property 'path', which its type does not allow (additionalProperties is false)."
      ],
      [
        line('missing'),
        "The value of output 'missing' lacks the property 'port', which its type requires (it is not nullable)."
      ],
      [line('ints'), `The value "two" of output 'ints' at [1] is not of type int; give a value of that type.`]
    ]);
  });
});

describe('outputs of a nested deployment are checked against their types too', () => {
  it('when it deploys for certain', () => {
    const { errors, lineOf } = expand({
      resources: [
        vault,
        nestedDeployment('inner', [], {
          scope: 'inner',
          template: { outputs: { count: { type: 'int', value: 'three' } } }
        })
      ]
    });
    expect(errors).toEqual([
      {
        line: lineOf('"count": {'),
        message:
          'The value "three" of output \'count\' is not of type int; give a value of that type. ARM fails the deployment when it evaluates the outputs (DeploymentOutputEvaluationFailed).'
      }
    ]);
  });
});
