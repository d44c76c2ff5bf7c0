/**
 * What each keyword compiles to: the Azure Policy condition under which a resource
 * violates it. Operators: https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 * Field counts: https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#field-count
 */
import { compileRule } from '../../src/compiler/index.js';
import { fixtureAliases, ruleFromYaml } from './support.js';

const aliases = fixtureAliases();
const A = 'Microsoft.CognitiveServices/accounts';
const isAccount = { field: 'type', equals: A };

/** The rule's `if` for `schema` (YAML, indented under `schema:`) on the encryption object. */
function violation(schemaYaml: string): unknown {
  const rule = ruleFromYaml(`schema:\n${schemaYaml}`);
  const cond = compileRule(rule, aliases).properties.policyRule.if as { allOf: unknown[] };
  expect(cond.allOf[0]).toEqual(isAccount);
  // allOf flattens: the type test and the members of a violation that is itself an allOf.
  return cond.allOf.length === 2 ? cond.allOf[1] : { allOf: cond.allOf.slice(1) };
}

const inEncryption = (inner: string) =>
  `  properties:\n    properties:\n      properties:\n        encryption:\n${inner
    .split('\n')
    .map(l => `          ${l}`)
    .join('\n')}\n`;

const keySource = `${A}/encryption.keySource`;

/**
 * JSON Schema applies a property's schema only to a present member
 * (https://json-schema.org/draft/2020-12/json-schema-core#name-properties): a violation that a
 * missing value would give is guarded by the member's presence.
 */
const present = (name: string, ...violation: unknown[]) => ({ allOf: [{ field: name, exists: true }, ...violation] });

test('const: notEquals, case-insensitive in Azure, where the property is present', () => {
  expect(violation(inEncryption('properties:\n  keySource:\n    const: Microsoft.KeyVault'))).toEqual(
    present(keySource, { field: keySource, notEquals: 'Microsoft.KeyVault' })
  );
});

test('const where the same schema requires the property: no guard on it, but one on the object that holds it', () => {
  // The encryption object itself may be absent: then `properties` does not apply to it, nor `required` inside it.
  expect(
    violation(inEncryption('required: [keySource]\nproperties:\n  keySource:\n    const: Microsoft.KeyVault'))
  ).toEqual(
    present(`${A}/encryption`, {
      anyOf: [
        { field: keySource, exists: false },
        { field: keySource, notEquals: 'Microsoft.KeyVault' }
      ]
    })
  );
});

test('enum: notIn', () => {
  expect(violation('  properties:\n    kind:\n      enum: [OpenAI, AIServices]\n')).toEqual(
    present('kind', { field: 'kind', notIn: ['OpenAI', 'AIServices'] })
  );
});

test('required: exists false; tags and identity map to their fields', () => {
  expect(violation('  required: [tags, identity]\n  properties:\n    tags:\n      required: [env]\n')).toEqual({
    anyOf: [
      { field: 'tags', exists: false },
      { field: 'identity.type', exists: false },
      { field: "tags['env']", exists: false }
    ]
  });
});

test('limitNumber: only a present value is compared', () => {
  expect(
    violation(
      '  properties:\n    properties:\n      properties:\n        callRateLimit:\n          properties:\n            count:\n              minimum: 1\n              exclusiveMaximum: 10\n'
    )
  ).toEqual({
    allOf: [
      { field: `${A}/callRateLimit.count`, exists: true },
      {
        anyOf: [
          { field: `${A}/callRateLimit.count`, less: 1 },
          { field: `${A}/callRateLimit.count`, greaterOrEquals: 10 }
        ]
      }
    ]
  });
});

test('limitLength: length() of a present value', () => {
  expect(
    violation(
      '  properties:\n    properties:\n      properties:\n        customSubDomainName:\n          minLength: 2\n          maxLength: 8\n'
    )
  ).toEqual({
    allOf: [
      { field: `${A}/customSubDomainName`, exists: true },
      {
        anyOf: [
          { value: `[length(field('${A}/customSubDomainName'))]`, less: 2 },
          { value: `[length(field('${A}/customSubDomainName'))]`, greater: 8 }
        ]
      }
    ]
  });
});

const ipRules = `${A}/networkAcls.ipRules[*]`;
const acls = (inner: string) =>
  `  properties:\n    properties:\n      properties:\n        networkAcls:\n          properties:\n            ipRules:\n${inner
    .split('\n')
    .map(l => `              ${l}`)
    .join('\n')}\n`;

const ipRulesArray = `${A}/networkAcls.ipRules`;

test('minItems/maxItems: field count over the [*] alias, of a present array', () => {
  expect(violation(acls('minItems: 1\nmaxItems: 3'))).toEqual(
    present(ipRulesArray, {
      anyOf: [
        { count: { field: ipRules }, less: 1 },
        { count: { field: ipRules }, greater: 3 }
      ]
    })
  );
});

test('items: a count of violating members (an array that is not there has none: no guard)', () => {
  expect(violation(acls('items:\n  properties:\n    value:\n      like: "10.*"'))).toEqual({
    count: { field: ipRules, where: present(`${ipRules}.value`, { field: `${ipRules}.value`, notLike: '10.*' }) },
    greater: 0
  });
});

test('contains with minContains/maxContains: a count of satisfying members', () => {
  const satisfying = { not: present(`${ipRules}.value`, { field: `${ipRules}.value`, notEquals: '10.0.0.1' }) };
  expect(
    violation(acls('contains:\n  properties:\n    value:\n      const: 10.0.0.1\nminContains: 2\nmaxContains: 3'))
  ).toEqual(
    present(ipRulesArray, {
      anyOf: [
        { count: { field: ipRules, where: satisfying }, less: 2 },
        { count: { field: ipRules, where: satisfying }, greater: 3 }
      ]
    })
  );
});

test('not, allOf, anyOf', () => {
  expect(
    violation(
      '  properties:\n    kind:\n      not:\n        const: Face\n    location:\n      anyOf:\n        - const: eastus\n        - allOf:\n            - like: "west*"\n            - not:\n                const: westus\n'
    )
  ).toEqual({
    anyOf: [
      // `not: {const}` cannot be violated by a missing kind (equals is false there): no guard.
      { field: 'kind', equals: 'Face' },
      present(
        'location',
        { field: 'location', notEquals: 'eastus' },
        {
          anyOf: [
            { field: 'location', notLike: 'west*' },
            { field: 'location', equals: 'westus' }
          ]
        }
      )
    ]
  });
});

test('oneOf: none satisfied, or two satisfied', () => {
  expect(
    violation('  properties:\n    kind:\n      oneOf:\n        - const: OpenAI\n        - like: "Open*"\n')
  ).toEqual(
    present('kind', {
      anyOf: [
        {
          allOf: [
            { field: 'kind', notEquals: 'OpenAI' },
            { field: 'kind', notLike: 'Open*' }
          ]
        },
        {
          allOf: [
            { field: 'kind', equals: 'OpenAI' },
            { field: 'kind', like: 'Open*' }
          ]
        }
      ]
    })
  );
});

test('if/then/else', () => {
  expect(
    violation(
      '  if:\n    properties:\n      kind:\n        const: OpenAI\n  then:\n    required: [identity]\n  else:\n    properties:\n      location:\n        const: eastus\n'
    )
  ).toEqual({
    anyOf: [
      {
        // `if` holds where kind is absent too: its `properties` do not apply to a missing member.
        allOf: [
          { not: present('kind', { field: 'kind', notEquals: 'OpenAI' }) },
          { field: 'identity.type', exists: false }
        ]
      },
      {
        allOf: [
          { field: 'kind', exists: true },
          { field: 'kind', notEquals: 'OpenAI' },
          { field: 'location', exists: true },
          { field: 'location', notEquals: 'eastus' }
        ]
      }
    ]
  });
});

test('dependentRequired', () => {
  expect(
    violation(
      '  properties:\n    properties:\n      dependentRequired:\n        customSubDomainName: [publicNetworkAccess]\n'
    )
  ).toEqual({
    allOf: [
      { field: `${A}/customSubDomainName`, exists: true },
      { field: `${A}/publicNetworkAccess`, exists: false }
    ]
  });
});

test('$ref to $defs compiles the definition in place', () => {
  expect(
    violation(
      "  $defs:\n    region:\n      enum: [eastus, westus]\n  properties:\n    location:\n      $ref: '#/$defs/region'\n"
    )
  ).toEqual(present('location', { field: 'location', notIn: ['eastus', 'westus'] }));
});

test('pattern: an anchored regex becomes match', () => {
  expect(violation("  properties:\n    name:\n      pattern: '^ai-\\p{L}{2}\\p{Nd}{3}$'\n")).toEqual({
    field: 'name',
    notMatch: 'ai-??###'
  });
});

test('match and like keywords', () => {
  // A resource always has a name: only location needs its presence tested.
  expect(violation("  properties:\n    name:\n      match: 'ai-##'\n    location:\n      like: '*us'\n")).toEqual({
    anyOf: [{ field: 'name', notMatch: 'ai-##' }, present('location', { field: 'location', notLike: '*us' })]
  });
});

test('annotations and type at the root compile to nothing; a schema never violated is a constant', () => {
  const rule = ruleFromYaml(
    'schema:\n  type: object\n  title: T\n  description: D\n  $comment: C\n  examples: [{}]\n  default: {}\n'
  );
  expect(compileRule(rule, aliases).properties.policyRule.if).toEqual({ value: true, equals: false });
});

test('type string beside an enum of strings is kept as implied', () => {
  expect(violation('  properties:\n    kind:\n      type: string\n      enum: [OpenAI]\n')).toEqual(
    present('kind', { field: 'kind', notIn: ['OpenAI'] })
  );
});

test('appliesTo: the resource must satisfy it', () => {
  const rule = ruleFromYaml(
    'appliesTo:\n  properties:\n    kind:\n      const: OpenAI\nschema:\n  required: [identity]\n'
  );
  // appliesTo holds where kind is absent too (JSON Schema applies `properties` to present members).
  expect(compileRule(rule, aliases).properties.policyRule.if).toEqual({
    allOf: [
      isAccount,
      { not: present('kind', { field: 'kind', notEquals: 'OpenAI' }) },
      { field: 'identity.type', exists: false }
    ]
  });
});

test('several resource types: one branch per type, each with its own aliases', () => {
  const rule = {
    ...ruleFromYaml(
      'schema:\n  properties:\n    properties:\n      properties:\n        publicNetworkAccess:\n          const: Disabled\n'
    ),
    resourceType: [A, 'Microsoft.KeyVault/vaults']
  };
  expect(compileRule(rule, aliases).properties.policyRule.if).toEqual({
    anyOf: [
      {
        allOf: [
          isAccount,
          { field: `${A}/publicNetworkAccess`, exists: true },
          { field: `${A}/publicNetworkAccess`, notEquals: 'Disabled' }
        ]
      },
      {
        allOf: [
          { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
          { field: 'Microsoft.KeyVault/vaults/publicNetworkAccess', exists: true },
          { field: 'Microsoft.KeyVault/vaults/publicNetworkAccess', notEquals: 'Disabled' }
        ]
      }
    ]
  });
});

test('reference: contains inside items is judged right on an empty array (ajv 8.20 alone is not)', async () => {
  const { createReferenceAjv, referenceSchema } = await import('../../src/compiler/reference.js');
  const check = createReferenceAjv().compile(
    referenceSchema({ items: { properties: { keys: { contains: { const: 'w' } } } } }) as object
  );
  expect(check([{ keys: ['w'] }, { keys: [] }])).toBe(false);
  expect(check([{ keys: ['W'] }, { keys: ['w'] }])).toBe(true);
});
