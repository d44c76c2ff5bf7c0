/**
 * Documented Azure Policy behaviour, one named case each, with the page that states it.
 * RULE = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule
 * ARRAYS = https://learn.microsoft.com/azure/governance/policy/how-to/author-policies-for-arrays
 * BASICS = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics
 * EFFECTS = https://learn.microsoft.com/azure/governance/policy/concepts/effect-basics
 */
import {
  loadDefinition as loadWithCatalog,
  DefinitionError,
  UnsupportedError,
  type EvaluateOptions
} from '../../src/engine/index.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';
import { withTestAliases } from '../support/test-aliases.js';

const loadDefinition = withTestAliases(loadWithCatalog);

type Obj = { [key: string]: Value };

const testResource: Obj = {
  name: 'res1',
  type: 'Microsoft.Test/resourceType',
  location: 'westeurope',
  kind: 'OpenAI',
  tags: { env: 'prod', 'cost center': 'a1' },
  properties: {
    stringArray: ['a', 'b', 'c'],
    objectArray: [
      { property: 'value1', nestedArray: [1, 2] },
      { property: 'value2', nestedArray: [3, 4] }
    ],
    emptyArray: [],
    flag: true,
    count: 5,
    text: 'Hello-World',
    created: '2024-05-01T00:00:00Z'
  }
};

function holds(
  condition: unknown,
  json: Obj = testResource,
  options: EvaluateOptions = {},
  parameters: Obj = {}
): string {
  const def = loadDefinition({
    file: null,
    json: { properties: { mode: 'All', parameters, policyRule: { if: condition, then: { effect: 'audit' } } } }
  });
  const e = def.evaluate(armResource(json), options);
  if (!e.applicable || e.verdict === 'compliant') return 'false';
  return e.verdict === 'noncompliant' ? 'true' : e.verdict;
}

const field = (alias: string) => `Microsoft.Test/resourceType/${alias}`;

describe('conditions (RULE#conditions)', () => {
  it('equals compares strings case-insensitively', () => {
    expect(holds({ field: 'location', equals: 'WestEurope' })).toBe('true');
  });
  it('equals compares booleans and numbers by their text', () => {
    expect(holds({ field: field('flag'), equals: 'True' })).toBe('true');
    expect(holds({ field: field('count'), equals: '5' })).toBe('true');
  });
  it('a missing field equals nothing and notEquals anything', () => {
    expect(holds({ field: field('missing'), equals: 'x' })).toBe('false');
    expect(holds({ field: field('missing'), notEquals: 'x' })).toBe('true');
  });
  it('like matches * wildcards case-insensitively over the whole value', () => {
    expect(holds({ field: field('text'), like: 'hello-*' })).toBe('true');
    expect(holds({ field: field('text'), like: 'World*' })).toBe('false');
    expect(holds({ field: field('missing'), notLike: '*' })).toBe('true');
  });
  it('match: # is a digit, ? a letter, . any character; case-sensitive', () => {
    expect(holds({ field: 'name', match: '???#' })).toBe('true');
    expect(holds({ field: 'name', match: 'RES#' })).toBe('false');
    expect(holds({ field: 'name', matchInsensitively: 'RES#' })).toBe('true');
    expect(holds({ field: 'name', match: 'r.s1' })).toBe('true');
    expect(holds({ field: 'name', notMatch: '####' })).toBe('true');
  });
  it('contains: substring of a string, member of an array', () => {
    expect(holds({ field: field('text'), contains: 'O-w' })).toBe('true');
    expect(holds({ field: field('stringArray'), contains: 'B' })).toBe('true');
    expect(holds({ field: field('stringArray'), notContains: 'z' })).toBe('true');
  });
  it('containsKey: a key of an object, case-insensitively', () => {
    expect(holds({ field: 'tags', containsKey: 'ENV' })).toBe('true');
    expect(holds({ field: 'tags', notContainsKey: 'owner' })).toBe('true');
  });
  it('in / notIn compare members as equals does; a missing field is in nothing', () => {
    expect(holds({ field: 'kind', in: ['openai', 'TextAnalytics'] })).toBe('true');
    expect(holds({ field: field('missing'), in: ['a'] })).toBe('false');
    expect(holds({ field: field('missing'), notIn: ['a'] })).toBe('true');
  });
  it('less/greater order numbers numerically and strings (dates) as text', () => {
    expect(holds({ field: field('count'), greater: 4 })).toBe('true');
    expect(holds({ field: field('count'), lessOrEquals: '5' })).toBe('true');
    expect(holds({ field: field('created'), less: '2025-01-01' })).toBe('true');
    expect(holds({ field: field('missing'), greaterOrEquals: 0 })).toBe('false');
  });
  it('exists takes true/false, also as strings', () => {
    expect(holds({ field: field('text'), exists: 'true' })).toBe('true');
    expect(holds({ field: field('missing'), exists: false })).toBe('true');
  });
  it('operator names and logical operators are case-insensitive', () => {
    expect(holds({ ALLOF: [{ field: 'LOCATION', EQUALS: 'westeurope' }] })).toBe('true');
  });
});

describe('fields (RULE#fields)', () => {
  it('name is the last segment, fullName the whole name', () => {
    const child = { ...testResource, name: 'parent/child', type: 'Microsoft.Test/resourceType/children' };
    expect(holds({ field: 'name', equals: 'child' }, child)).toBe('true');
    expect(holds({ field: 'fullName', equals: 'parent/child' }, child)).toBe('true');
  });
  it("tags['x'], tags.x and tags[x] read a tag", () => {
    expect(holds({ field: "tags['cost center']", equals: 'a1' })).toBe('true');
    expect(holds({ field: 'tags.env', equals: 'prod' })).toBe('true');
    expect(holds({ field: 'tags[env]', equals: 'prod' })).toBe('true');
  });
  it('property names in the resource match case-insensitively', () => {
    expect(holds({ field: field('TEXT'), equals: 'hello-world' })).toBe('true');
  });
  it('a field named by an expression is resolved with the parameters', () => {
    expect(
      holds(
        { field: "[concat('tags[', parameters('tagName'), ']')]", exists: true },
        testResource,
        {},
        {
          tagName: { type: 'String', defaultValue: 'env' }
        }
      )
    ).toBe('true');
  });
});

describe('[*] aliases (ARRAYS#referencing-array-resource-properties)', () => {
  it('a condition on [*] must hold for every member', () => {
    expect(holds({ field: field('stringArray[*]'), in: ['a', 'b', 'c'] })).toBe('true');
    expect(holds({ field: field('stringArray[*]'), equals: 'a' })).toBe('false');
    expect(holds({ field: field('objectArray[*].property'), like: 'value*' })).toBe('true');
    expect(holds({ field: field('objectArray[*].nestedArray[*]'), less: 5 })).toBe('true');
  });
  it('field() of a [*] alias is the array of selected values; of a missing [*] alias, []', () => {
    expect(holds({ value: `[length(field('${field('objectArray[*].nestedArray[*]')}'))]`, equals: 4 })).toBe('true');
    expect(holds({ value: `[length(field('${field('missingArray[*]')}'))]`, equals: 0 })).toBe('true');
  });
  it('an empty or missing array selects no members, and a condition on no members holds', () => {
    // Documented: a missing array's [*] is "an empty collection of values" (ARRAYS#referencing-array-fields),
    // and "each element in the array is evaluated individually with logical and between elements"
    // (RULE#fields): an `and` of no elements holds. The docs give no empty-array row, so this follows the
    // documented scenario names (ARRAYS#additional--alias-examples: `{[*], notEquals}` is "none match",
    // `not` of it "one or more match") and built-ins written for it (App Service CORS existenceCondition
    // `allowedOrigins[*]` notEquals `*`; Synapse auditing `not {auditActionsAndGroups[*] notEquals X}`).
    expect(holds({ field: field('emptyArray[*]'), exists: false })).toBe('true');
    expect(holds({ field: field('missingArray[*].x'), notEquals: 'y' })).toBe('true');
    expect(holds({ field: field('missingArray[*].x'), equals: 'y' })).toBe('true');
    expect(holds({ not: { field: field('emptyArray[*]'), notEquals: 'x' } })).toBe('false');
  });
});

describe('count (RULE#count, ARRAYS#count-expressions)', () => {
  it('count without where is the array length', () => {
    expect(holds({ count: { field: field('stringArray[*]') }, equals: 3 })).toBe('true');
    expect(holds({ count: { field: field('objectArray[*].nestedArray[*]') }, greaterOrEquals: 4 })).toBe('true');
    expect(holds({ count: { field: field('missingArray[*]') }, equals: 0 })).toBe('true');
  });
  it('where sees one member at a time', () => {
    expect(
      holds({
        count: { field: field('stringArray[*]'), where: { field: field('stringArray[*]'), equals: 'a' } },
        equals: 1
      })
    ).toBe('true');
  });
  it('where can combine member fields and nested arrays', () => {
    const where = {
      allOf: [
        { field: field('objectArray[*].property'), equals: 'value2' },
        { field: field('objectArray[*].nestedArray[*]'), greater: 2 }
      ]
    };
    expect(holds({ count: { field: field('objectArray[*]'), where }, equals: 1 })).toBe('true');
  });
  it('where can read fields outside the array', () => {
    expect(
      holds({ count: { field: field('objectArray[*]'), where: { field: 'tags.env', equals: 'prod' } }, equals: 2 })
    ).toBe('true');
  });
  it('nested count', () => {
    const inner = {
      count: {
        field: field('objectArray[*].nestedArray[*]'),
        where: { field: field('objectArray[*].nestedArray[*]'), equals: 3 }
      },
      greater: 0
    };
    expect(holds({ count: { field: field('objectArray[*]'), where: inner }, equals: 1 })).toBe('true');
  });
  it('field() of the counted alias inside where is a one-member array; first() unwraps it', () => {
    const alias = field('stringArray[*]');
    expect(holds({ count: { field: alias, where: { field: alias, equals: `[field('${alias}')]` } }, equals: 0 })).toBe(
      'true'
    );
    expect(
      holds({ count: { field: alias, where: { field: alias, equals: `[first(field('${alias}'))]` } }, equals: 3 })
    ).toBe('true');
  });
  it('value count with name and current()', () => {
    expect(
      holds({
        count: {
          value: ['west*', 'north*'],
          name: 'pattern',
          where: { field: 'location', like: "[current('pattern')]" }
        },
        equals: 1
      })
    ).toBe('true');
  });
  it('current() of the counted alias inside a field count', () => {
    const alias = field('objectArray[*]');
    expect(
      holds({
        count: { field: alias, where: { value: `[current('${alias}').property]`, equals: 'value1' } },
        equals: 1
      })
    ).toBe('true');
  });
});

describe('parameters and effects (BASICS#parameters, EFFECTS)', () => {
  const definition = (effect: string, extra: Obj = {}) => ({
    properties: {
      mode: 'Indexed',
      parameters: {
        effect: { type: 'String', defaultValue: 'Audit', allowedValues: ['Audit', 'Deny', 'Disabled'] },
        ...extra
      },
      policyRule: { if: { field: 'location', equals: 'westeurope' }, then: { effect } }
    }
  });
  it('an effect given as a parameter takes the default, then the assignment value', () => {
    const def = loadDefinition({ file: null, json: definition("[parameters('effect')]") });
    expect(def.evaluate(armResource(testResource)).effect).toBe('Audit');
    expect(def.evaluate(armResource(testResource), { parameters: { effect: 'Deny' } }).effect).toBe('Deny');
  });
  it('Disabled makes the definition not applicable', () => {
    const def = loadDefinition({ file: null, json: definition("[parameters('effect')]") });
    expect(def.evaluate(armResource(testResource), { parameters: { effect: 'Disabled' } }).applicable).toBe(false);
  });
  it('an assignment value outside allowedValues is refused', () => {
    const def = loadDefinition({ file: null, json: definition("[parameters('effect')]") });
    expect(() => def.evaluate(armResource(testResource), { parameters: { effect: 'Modify' } })).toThrow(
      /allowed values/
    );
  });
  it('Indexed mode skips types without tags and location', () => {
    const def = loadDefinition({ file: null, json: definition('audit') });
    expect(def.appliesToType('Microsoft.CognitiveServices/accounts')).toBe(true);
    expect(def.appliesToType('Microsoft.Network/networkSecurityGroups/securityRules')).toBe(false);
  });
  it('resource provider modes load and apply to their provider only', () => {
    const json = definition('audit');
    (json.properties as Obj).mode = 'Microsoft.KeyVault.Data';
    const def = loadDefinition({ file: null, json });
    expect(def.appliesToType('Microsoft.KeyVault/vaults/keys')).toBe(true);
    expect(def.appliesToType('Microsoft.Storage/storageAccounts')).toBe(false);
  });
  it('auditIfNotExists looks for the related resource and evaluates existenceCondition', () => {
    const json = {
      properties: {
        mode: 'All',
        policyRule: {
          if: { field: 'type', equals: 'Microsoft.Test/resourceType' },
          then: {
            effect: 'auditIfNotExists',
            details: {
              type: 'Microsoft.Test/resourceType/children',
              existenceCondition: { field: 'Microsoft.Test/resourceType/children/enabled', equals: true }
            }
          }
        }
      }
    };
    const def = loadDefinition({ file: null, json });
    const parent = armResource(testResource);
    const child = armResource({
      name: 'res1/c',
      type: 'Microsoft.Test/resourceType/children',
      properties: { enabled: true }
    });
    expect(def.evaluate(parent).reason).toMatch(/related resource not available/);
    expect(def.evaluate(parent, { related: [child] }).verdict).toBe('compliant');
    expect(def.evaluate(parent, { related: [] }).reason).toMatch(/related resource not available/);
    const disabled = armResource({
      name: 'res1/c',
      type: 'Microsoft.Test/resourceType/children',
      properties: { enabled: false }
    });
    expect(def.evaluate(parent, { related: [disabled] }).verdict).toBe('noncompliant');
  });
});

describe('unknown values (three-valued logic)', () => {
  const unknownResource = (): Obj => ({
    ...testResource,
    properties: { ...(testResource.properties as Obj), keySource: new Unknown('parameter `keySource`') }
  });
  const onKey = (op: Obj) => ({ field: field('keySource'), ...op });
  it('a condition on an unknown value is indeterminate and names what it depends on', () => {
    const def = loadDefinition({
      file: null,
      json: { policyRule: { if: onKey({ notEquals: 'Microsoft.KeyVault' }), then: { effect: 'deny' } } }
    });
    const e = def.evaluate(armResource(unknownResource()));
    expect(e.verdict).toBe('indeterminate');
    expect(e.reason).toBe('depends on parameter `keySource`');
  });
  it('anyOf with one true branch is true even when another is unknown', () => {
    expect(
      holds({ anyOf: [onKey({ equals: 'x' }), { field: 'location', equals: 'westeurope' }] }, unknownResource())
    ).toBe('true');
  });
  it('allOf with one false branch is false even when another is unknown', () => {
    expect(holds({ allOf: [onKey({ equals: 'x' }), { field: 'location', equals: 'eastus' }] }, unknownResource())).toBe(
      'false'
    );
  });
  it('not of unknown is unknown', () => {
    expect(holds({ not: onKey({ equals: 'x' }) }, unknownResource())).toBe('indeterminate');
  });
  it('in with unknown members: a known match decides, otherwise unknown', () => {
    const list = ["[parameters('a')]", 'westeurope'];
    const params = { a: { type: 'String' } };
    expect(holds({ field: 'location', in: list }, testResource, {}, params)).toBe('true');
    expect(holds({ field: 'kind', in: list }, testResource, {}, params)).toBe('indeterminate');
  });
  it('exists: a property set to an unknown value exists; one under an unknown object may not', () => {
    expect(holds(onKey({ exists: true }), unknownResource())).toBe('true');
    expect(holds(onKey({ exists: false }), unknownResource())).toBe('false');
    const unknownParent: Obj = { ...testResource, properties: new Unknown('parameter `props`') };
    expect(holds(onKey({ exists: true }), unknownParent)).toBe('indeterminate');
  });
  it('a parameter without a value or default is unknown', () => {
    expect(
      holds({ field: 'location', equals: "[parameters('loc')]" }, testResource, {}, { loc: { type: 'String' } })
    ).toBe('indeterminate');
  });
});

describe('loading refuses malformed definitions with the JSON path', () => {
  const load = (rule: unknown) => loadDefinition({ file: 'bad.json', json: { properties: { policyRule: rule } } });
  it('an unknown operator', () => {
    expect(() => load({ if: { field: 'type', equal: 'x' }, then: { effect: 'audit' } })).toThrow(DefinitionError);
    expect(() => load({ if: { field: 'type', equal: 'x' }, then: { effect: 'audit' } })).toThrow(
      /properties\.policyRule\.if\.equal/
    );
  });
  it('two operators in one condition', () => {
    expect(() => load({ if: { field: 'type', equals: 'x', like: 'y' }, then: { effect: 'audit' } })).toThrow(
      /one operator/
    );
  });
  it('an effect that is not one', () => {
    expect(() => load({ if: { field: 'type', equals: 'x' }, then: { effect: 'block' } })).toThrow(/not an effect/);
  });
  it('an undeclared parameter', () => {
    expect(() => load({ if: { field: 'type', equals: "[parameters('nope')]" }, then: { effect: 'audit' } })).toThrow(
      /does not declare/
    );
  });
  it('an unknown function is unsupported, not invalid', () => {
    expect(() => load({ if: { value: "[frobnicate('x')]", equals: 'x' }, then: { effect: 'audit' } })).toThrow(
      UnsupportedError
    );
  });
  it('in with a non-array operand', () => {
    expect(() => load({ if: { field: 'type', in: 'x' }, then: { effect: 'audit' } })).toThrow(/takes an array/);
  });
  it('DefinitionError names the file', () => {
    try {
      load({ if: { field: 'type', equal: 'x' }, then: { effect: 'audit' } });
    } catch (error) {
      expect((error as DefinitionError).describe()).toMatch(/^bad\.json: at properties\.policyRule\.if/);
    }
    expect.assertions(1);
  });
});

// https://learn.microsoft.com/azure/governance/policy/concepts/policy-applicability
describe('applicability: which resources a definition reports on', () => {
  const verdictOf = (rule: unknown, json: Obj, effect = 'audit') => {
    const def = loadDefinition({
      file: null,
      json: { properties: { mode: 'All', policyRule: { if: rule, then: { effect } } } }
    });
    const e = def.evaluate(armResource(json));
    return e.applicable ? e.verdict : 'not applicable';
  };
  const vault = {
    type: 'Microsoft.KeyVault/vaults',
    name: 'kv',
    kind: 'x',
    location: 'westeurope',
    properties: { a: 1 }
  };
  const onType = { field: 'type', equals: 'Microsoft.KeyVault/vaults' };
  const other = { field: 'location', equals: 'eastus' };

  it('type conditions decide; other conditions are treated as true: a matching type whose if is false is compliant', () => {
    expect(verdictOf({ allOf: [onType, other] }, vault)).toBe('compliant');
    expect(verdictOf({ allOf: [onType, other] }, { ...vault, type: 'Microsoft.Storage/storageAccounts' })).toBe(
      'not applicable'
    );
  });
  it('other conditions under not are treated as false, so the not holds', () => {
    expect(verdictOf({ allOf: [onType, { not: other }] }, { ...vault, location: 'eastus' })).toBe('compliant');
  });
  it('type, kind and other conditions: type and kind decide', () => {
    const rule = { allOf: [onType, { field: 'kind', equals: 'y' }, other] };
    expect(verdictOf(rule, vault)).toBe('not applicable');
    expect(verdictOf(rule, { ...vault, kind: 'y' })).toBe('compliant');
  });
  it('only type and kind conditions: only type decides', () => {
    expect(verdictOf({ allOf: [onType, { field: 'kind', equals: 'y' }] }, vault)).toBe('compliant');
  });
  it('only a name condition: applies to every resource', () => {
    expect(verdictOf({ field: 'name', equals: 'other' }, vault)).toBe('compliant');
  });
  it('AuditIfNotExists applies only where the whole if holds', () => {
    const rule = { allOf: [onType, other] };
    const def = loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'All',
          policyRule: {
            if: rule,
            then: { effect: 'auditIfNotExists', details: { type: 'Microsoft.Insights/diagnosticSettings' } }
          }
        }
      }
    });
    expect(def.evaluate(armResource(vault)).applicable).toBe(false);
  });
});

describe('a field named by an expression', () => {
  // Built-in 871b6d14 "Require a tag on resources": { field: "[concat('tags[', parameters('tagName'), ']')]", exists: false }
  const rule = { field: "[concat('tags[', parameters('tagName'), ']')]", exists: 'false' };
  const params = { tagName: { type: 'String' } };
  it('reads the tag the parameter names', () => {
    const tagged = { ...testResource, tags: { env: 'prod' } };
    expect(holds(rule, tagged, { parameters: { tagName: 'env' } }, params)).toBe('false');
    expect(holds(rule, tagged, { parameters: { tagName: 'owner' } }, params)).toBe('true');
  });
  it('is indeterminate when the parameter that names it has no value: whether it exists is unknown too', () => {
    expect(holds(rule, testResource, {}, params)).toBe('indeterminate');
  });
});
