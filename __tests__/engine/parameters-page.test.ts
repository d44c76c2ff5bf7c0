/**
 * The parameters page of Azure Policy's documentation: which parameter declarations load (the
 * engine refuses at load what Azure refuses when the definition is created), and which assignment
 * values are accepted (the engine refuses what Azure refuses when the definition is assigned).
 * PARAMS = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters
 * Azure's error codes are quoted from public issue threads where the page is silent.
 */
import { loadDefinition, DefinitionError, type EvaluateOptions } from '../../src/engine/index.js';
import { UserError } from '../../src/model/errors.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

const account: Obj = {
  name: 'acct1',
  type: 'Microsoft.CognitiveServices/accounts',
  location: 'westus',
  tags: { environment: 'dev' },
  properties: { encryption: { keySource: 'Microsoft.CognitiveServices' } }
};

function load(parameters: Obj, condition: Value = { field: 'location', equals: 'westus' }, effect = 'audit') {
  return loadDefinition({
    file: 'params.json',
    json: { properties: { mode: 'Indexed', parameters, policyRule: { if: condition, then: { effect } } } }
  });
}

/** The DefinitionError's message, or '' when the definition loads. */
function refusal(parameters: Obj, condition?: Value): string {
  try {
    load(parameters, condition);
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as DefinitionError).message;
  }
}

/** The verdict, or the refusal's message when the assignment values are refused. */
function verdict(parameters: Obj, condition: Value, options: EvaluateOptions, resource: Obj = account): string {
  const def = load(parameters, condition);
  try {
    return def.evaluate(armResource(resource), options).verdict;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return `refused: ${(error as UserError).message}`;
  }
}

describe('PARAMS#parameter-properties: type', () => {
  it.each(['String', 'Array', 'Object', 'Boolean', 'Integer', 'Float', 'DateTime'])('%s loads', type => {
    expect(refusal({ p: { type } })).toBe('');
  });
  it('the type is read case-insensitively: built-ins write both "String" and "string"', () => {
    expect(
      refusal({ a: { type: 'string' }, b: { type: 'array' }, c: { type: 'dateTime' }, d: { type: 'BOOLEAN' } })
    ).toBe('');
  });
  it.each([['Number'], ['int'], ['secureString'], [''], [5]])('type %j is refused at load', type => {
    expect(refusal({ p: { type } })).toMatch(
      /^at properties\.parameters\.p\.type: parameter type .* is not one of String, Array, Object, Boolean, Integer, Float, DateTime\./
    );
  });
  it('a parameter without a type is refused at load', () => {
    expect(refusal({ p: { defaultValue: 'x' } })).toMatch(/properties\.parameters\.p\.type/);
  });
});

describe('PARAMS#parameter-properties: defaultValue of the declared type', () => {
  it.each<[string, Value]>([
    ['String', 'westus2'],
    ['Array', ['westus2']],
    ['Object', {}],
    ['Boolean', false],
    ['Integer', 30],
    ['Float', 0.5],
    ['Float', 2],
    // "dateTime parameters should be in ISO 8601 yyyy-MM-ddTHH:mm:ss.fffffffZ format"
    ['DateTime', '2025-03-04T10:00:00.0000000Z'],
    ['DateTime', '2025-03-04']
  ])('%s default %j loads', (type, defaultValue) => {
    expect(refusal({ p: { type, defaultValue } })).toBe('');
  });
  it.each<[string, Value]>([
    ['String', 5],
    ['Array', 'westus2'],
    ['Object', ['a']],
    ['Boolean', 'true'],
    ['Integer', 1.5],
    ['Integer', '30'],
    ['Float', '0.5'],
    ['DateTime', 'tomorrow'],
    ['DateTime', 20250304]
  ])('%s default %j is refused at load', (type, defaultValue) => {
    expect(refusal({ p: { type, defaultValue } })).toMatch(
      new RegExp(
        `^at properties\\.parameters\\.p\\.defaultValue: the default value .* of parameter 'p' is not an? ${type}`
      )
    );
  });
});

describe('PARAMS#parameter-properties: allowedValues and defaultValue', () => {
  // Azure: PolicyParameterAllowedAndDefaultValuesMismatch, "The 'allowedValues' property must include the value
  // of the 'defaultValue' property if both are present." https://github.com/Azure/azure-monitor-baseline-alerts/issues/917
  it('a default outside allowedValues is refused at load', () => {
    const windowSize = { type: 'String', allowedValues: ['PT5M', 'PT15M', 'PT1H'], defaultValue: 'PT1M' };
    expect(refusal({ windowSize })).toMatch(
      /^at properties\.parameters\.windowSize\.defaultValue: the default value "PT1M" of parameter 'windowSize' is not one of its allowed values \["PT5M","PT15M","PT1H"\]/
    );
  });
  it('"allowed value comparisons are case-sensitive": a default differing in case is refused', () => {
    expect(
      refusal({ effect: { type: 'String', allowedValues: ['Audit', 'Disabled'], defaultValue: 'audit' } })
    ).toMatch(/not one of its allowed values/);
  });
  it('Example 1: an array default whose items are all allowed loads', () => {
    const allowedLocations = {
      type: 'array',
      metadata: {
        description: 'The list of allowed locations for resources.',
        displayName: 'Allowed locations',
        strongType: 'location'
      },
      defaultValue: ['westus2'],
      allowedValues: ['eastus2', 'westus2', 'westus']
    };
    expect(refusal({ allowedLocations })).toBe('');
    expect(refusal({ allowedLocations: { ...allowedLocations, defaultValue: ['westus2', 'centralus'] } })).toMatch(
      /allowed values/
    );
  });
  it('an empty allowedValues restricts nothing (built-in AdministratorsGroupMembers_AINE declares [] with a default)', () => {
    expect(refusal({ Members: { type: 'String', allowedValues: [], defaultValue: 'Administrator' } })).toBe('');
    expect(
      verdict(
        { Members: { type: 'String', allowedValues: [] } },
        { field: 'location', equals: 'westus' },
        {
          parameters: { Members: 'anyone' }
        }
      )
    ).toBe('noncompliant');
  });
  it('allowedValues that is not an array is refused at load', () => {
    expect(refusal({ p: { type: 'String', allowedValues: 'a' } })).toMatch(/"allowedValues" must be an array/);
  });
});

describe('PARAMS#parameter-properties: assignment values', () => {
  const effectParam = {
    effect: { type: 'String', allowedValues: ['Audit', 'Deny', 'Disabled'], defaultValue: 'Audit' }
  };
  const inEffect = { field: 'location', equals: 'westus' };
  // Azure: PolicyParameterValueNotAllowed, "The value '0' is not allowed for policy parameter 'minimumRSAKeySize' …
  // The allowed values are '2048, 3072, 4096'." https://github.com/salesforce/cloud-guardrails/issues/53
  it('a value outside allowedValues is refused, naming the parameter and the allowed values', () => {
    expect(verdict(effectParam, inEffect, { parameters: { effect: 'Modify' } })).toBe(
      `refused: definition 'params': parameter 'effect' is "Modify", which is not one of its allowed values ["Audit","Deny","Disabled"] (compared case-sensitively); use one of them, spelled as listed.`
    );
  });
  it('"the selected parameter values in the assignment must match the casing of values in the allowedValues array"', () => {
    expect(verdict(effectParam, inEffect, { parameters: { effect: 'deny' } })).toMatch(
      /^refused: .*parameter 'effect' is "deny"/
    );
    expect(verdict(effectParam, inEffect, { parameters: { effect: 'Deny' } })).toBe('noncompliant');
  });
  it('"once values are selected … evaluation of string comparisons might be case insensitive": allowed Dev matches tag dev', () => {
    const tagValue = { type: 'String', allowedValues: ['Dev', 'Prod'] };
    const condition = { field: 'tags[environment]', equals: "[parameters('tagValue')]" };
    expect(verdict({ tagValue }, condition, { parameters: { tagValue: 'Dev' } })).toBe('noncompliant');
    expect(verdict({ tagValue }, condition, { parameters: { tagValue: 'dev' } })).toMatch(/^refused: /);
  });
  it('Example 1: the sample input ["westus", "eastus2"] is accepted, an item outside allowedValues is not', () => {
    const allowedLocations = {
      type: 'array',
      defaultValue: ['westus2'],
      allowedValues: ['eastus2', 'westus2', 'westus']
    };
    const condition = { field: 'location', notIn: "[parameters('allowedLocations')]" };
    expect(verdict({ allowedLocations }, condition, { parameters: { allowedLocations: ['westus', 'eastus2'] } })).toBe(
      'compliant'
    );
    expect(verdict({ allowedLocations }, condition, {})).toBe('noncompliant');
    expect(
      verdict({ allowedLocations }, condition, { parameters: { allowedLocations: ['westus', 'centralus'] } })
    ).toMatch(
      /^refused: .*parameter 'allowedLocations' is \["westus","centralus"\], which is not one of its allowed values/
    );
  });
  it.each<[string, Value]>([
    ['String', 5],
    ['Array', 'westus'],
    ['Object', 'x'],
    ['Boolean', 'true'],
    ['Integer', '5'],
    ['Integer', 2.5],
    ['Float', 'NaN'],
    ['DateTime', 'next week']
  ])('%s parameter given %j is refused', (type, value) => {
    const condition = { value: "[parameters('p')]", exists: true };
    expect(verdict({ p: { type } }, condition, { parameters: { p: value } })).toMatch(
      new RegExp(
        `^refused: definition 'params': parameter 'p' is .*, which is not an? ${type}; give it a value of that type\\.`
      )
    );
  });
  it('a value of the declared type is accepted', () => {
    const condition = { value: "[parameters('p')]", greater: 3 };
    expect(verdict({ p: { type: 'Integer' } }, condition, { parameters: { p: 5 } })).toBe('noncompliant');
    expect(verdict({ p: { type: 'Float' } }, condition, { parameters: { p: 2.5 } })).toBe('compliant');
  });
  it('a value not known before deployment is not checked: it is unknown, so the verdict is indeterminate', () => {
    const condition = { field: 'location', equals: "[parameters('loc')]" };
    const loc = { type: 'String', allowedValues: ['westus', 'eastus'] };
    expect(verdict({ loc }, condition, { parameters: { loc: new Unknown('parameter `location`') } })).toBe(
      'indeterminate'
    );
  });
  it('the refusal names the definition file', () => {
    const def = load(effectParam, inEffect);
    try {
      def.evaluate(armResource(account), { parameters: { effect: 'Append' } });
      throw new Error('not refused');
    } catch (error) {
      expect((error as UserError).location?.file).toBe('params.json');
    }
  });
});

describe('PARAMS#strongtype and metadata', () => {
  it('strongType, assignPermissions, deprecated and the portal texts load and change nothing offline', () => {
    const condition = { field: 'location', notIn: "[parameters('allowedLocations')]" };
    const plain = { type: 'Array', defaultValue: ['westus2'] };
    const withMetadata = {
      ...plain,
      metadata: {
        displayName: 'Allowed locations',
        description: 'The list of allowed locations for resources.',
        strongType: 'location',
        assignPermissions: true,
        deprecated: false
      }
    };
    expect(verdict({ allowedLocations: withMetadata }, condition, {})).toBe(
      verdict({ allowedLocations: plain }, condition, {})
    );
    expect(load({ allowedLocations: withMetadata }, condition).parameters.allowedLocations.metadata).toMatchObject({
      strongType: 'location',
      assignPermissions: true
    });
  });
  it.each([
    'Microsoft.Network/virtualNetworks/subnets',
    'resourceTypes',
    'storageSkus',
    'vmSKUs',
    'existingResourceGroups'
  ])('strongType %s loads', strongType => {
    expect(refusal({ p: { type: 'String', metadata: { strongType } } })).toBe('');
  });
});

describe('PARAMS#parameter-properties: schema on Object parameters ("follows the Json.NET Schema 2019-09 implementation")', () => {
  // Example 2 of the page, verbatim in substance: a Kubernetes label selector.
  const labelSelector = {
    type: 'object',
    metadata: { displayName: 'Kubernetes label selector', description: 'Label query to select Kubernetes resources.' },
    defaultValue: {},
    schema: {
      type: 'object',
      properties: {
        matchLabels: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1 },
        matchExpressions: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              key: { type: 'string' },
              operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
              values: { type: 'array', items: { type: 'string' } }
            },
            required: ['key', 'operator'],
            additionalProperties: false
          },
          minItems: 1
        }
      },
      additionalProperties: false
    }
  };
  const sampleInput: Obj = {
    matchLabels: { poolID: 'abc123', nodeGroup: 'Group1', region: 'southcentralus' },
    matchExpressions: [
      { key: 'name', operator: 'In', values: ['payroll', 'web'] },
      { key: 'environment', operator: 'NotIn', values: ['dev'] }
    ]
  };
  const condition = { value: "[parameters('labelSelector')]", exists: true };

  it('Example 2 loads, and its sample input is accepted', () => {
    expect(verdict({ labelSelector }, condition, {})).toBe('noncompliant');
    expect(verdict({ labelSelector }, condition, { parameters: { labelSelector: sampleInput } })).toBe('noncompliant');
  });
  it('an assignment value the schema refuses is refused, naming the parameter and what is wrong', () => {
    const badOperator = { matchExpressions: [{ key: 'name', operator: 'Like' }] };
    expect(verdict({ labelSelector }, condition, { parameters: { labelSelector: badOperator } })).toMatch(
      /^refused: definition 'params': parameter 'labelSelector' does not match its schema: \/matchExpressions\/0\/operator must be equal to one of the allowed values/
    );
    expect(verdict({ labelSelector }, condition, { parameters: { labelSelector: { selector: 'x' } } })).toMatch(
      /does not match its schema: the value must NOT have additional properties/
    );
    expect(verdict({ labelSelector }, condition, { parameters: { labelSelector: { matchLabels: {} } } })).toMatch(
      /\/matchLabels must NOT have fewer than 1 properties/
    );
  });
  it('"For object-type parameters, the value must match the appropriate schema": a default that does not is refused at load', () => {
    expect(refusal({ labelSelector: { ...labelSelector, defaultValue: { matchLabels: { a: 1 } } } })).toMatch(
      /^at properties\.parameters\.labelSelector\.defaultValue: the default value of parameter 'labelSelector' does not match its schema: \/matchLabels\/a must be string/
    );
  });
  it('a schema that is not a JSON Schema is refused at load', () => {
    expect(refusal({ p: { type: 'Object', schema: { type: 'objekt' } } })).toMatch(
      /^at properties\.parameters\.p\.schema: the schema of parameter 'p' is not a valid JSON Schema \(2019-09\)/
    );
    expect(refusal({ p: { type: 'Object', schema: 'object' } })).toMatch(/"schema" must be a JSON Schema object/);
  });
  it('2019-09 keywords are honoured (dependentRequired is not in earlier drafts)', () => {
    const p = { type: 'Object', schema: { type: 'object', dependentRequired: { keyName: ['vaultUri'] } } };
    const cond = { value: "[parameters('p')]", exists: true };
    expect(verdict({ p }, cond, { parameters: { p: { keyName: 'k', vaultUri: 'https://v.vault.azure.net' } } })).toBe(
      'noncompliant'
    );
    expect(verdict({ p }, cond, { parameters: { p: { keyName: 'k' } } })).toMatch(/must have property vaultUri/);
  });
  it('a schema naming another draft is not validated with the wrong one: nothing is refused, and a note says so', () => {
    // Draft-04's boolean exclusiveMaximum is not valid 2019-09; how Azure treats `$schema` is not documented.
    const p = {
      type: 'Object',
      schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        properties: { n: { type: 'number', maximum: 5, exclusiveMaximum: true } }
      }
    };
    const def = load({ p }, { value: "[parameters('p')]", exists: true });
    expect(def.notes).toEqual([expect.stringMatching(/parameter 'p': its schema names .*draft-04.*not validated/)]);
    expect(def.evaluate(armResource(account), { parameters: { p: { n: 9 } } }).verdict).toBe('noncompliant');
  });
  // The page: "This property is only supported for object-type parameters". Not stated: whether Azure refuses it
  // elsewhere; the engine loads such a definition and validates nothing with it.
  it('a schema on a non-Object parameter validates nothing', () => {
    const p = { type: 'String', schema: { type: 'string', maxLength: 2 } };
    expect(refusal({ p })).toBe('');
    expect(verdict({ p }, { value: "[parameters('p')]", exists: true }, { parameters: { p: 'longer' } })).toBe(
      'noncompliant'
    );
  });
});

describe('PARAMS#using-a-parameter-value', () => {
  // Azure: InvalidPolicyParameters, "The policy '…' has undefined parameter '…' which is used in the policy rule."
  // https://github.com/Azure/Enterprise-Scale/issues/399
  it('a parameter used in the rule but not declared is refused at load', () => {
    expect(refusal({}, { field: 'location', in: "[parameters('allowedLocations')]" })).toMatch(
      /allowedLocations.*does not declare|does not declare.*allowedLocations/
    );
  });
  // Built-in 2630c91f (Flux v2 with HTTPS CA certificate) declares `repositoryHttpsCACert` and uses
  // `parameters('repositoryhttpsCACert')`: Azure resolves parameter names case-insensitively.
  it('parameter names are case-insensitive in parameters() and in the assignment', () => {
    const allowedLocations = { type: 'Array', defaultValue: ['eastus'] };
    const condition = { field: 'location', notIn: "[parameters('ALLOWEDLOCATIONS')]" };
    expect(verdict({ allowedLocations }, condition, {})).toBe('noncompliant');
    expect(verdict({ allowedLocations }, condition, { parameters: { AllowedLocations: ['westus'] } })).toBe(
      'compliant'
    );
  });
  it('two parameters whose names differ only in case are refused at load', () => {
    expect(refusal({ effect: { type: 'String' }, Effect: { type: 'String' } })).toMatch(
      /^at properties\.parameters\.Effect: parameters 'effect' and 'Effect' differ only in case/
    );
  });
});
