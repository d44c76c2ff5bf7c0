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

test('const: notEquals, case-insensitive in Azure', () => {
  expect(violation(inEncryption('properties:\n  keySource:\n    const: Microsoft.KeyVault'))).toEqual({
    field: keySource,
    notEquals: 'Microsoft.KeyVault'
  });
});

test('enum: notIn', () => {
  expect(violation('  properties:\n    kind:\n      enum: [OpenAI, AIServices]\n')).toEqual({
    field: 'kind',
    notIn: ['OpenAI', 'AIServices']
  });
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

test('minItems/maxItems: field count over the [*] alias', () => {
  expect(violation(acls('minItems: 1\nmaxItems: 3'))).toEqual({
    anyOf: [
      { count: { field: ipRules }, less: 1 },
      { count: { field: ipRules }, greater: 3 }
    ]
  });
});

test('items: a count of violating members', () => {
  expect(violation(acls('items:\n  properties:\n    value:\n      like: "10.*"'))).toEqual({
    count: { field: ipRules, where: { field: `${ipRules}.value`, notLike: '10.*' } },
    greater: 0
  });
});

test('contains with minContains/maxContains: a count of satisfying members', () => {
  expect(
    violation(acls('contains:\n  properties:\n    value:\n      const: 10.0.0.1\nminContains: 2\nmaxContains: 3'))
  ).toEqual({
    anyOf: [
      { count: { field: ipRules, where: { field: `${ipRules}.value`, equals: '10.0.0.1' } }, less: 2 },
      { count: { field: ipRules, where: { field: `${ipRules}.value`, equals: '10.0.0.1' } }, greater: 3 }
    ]
  });
});

test('not, allOf, anyOf', () => {
  expect(
    violation(
      '  properties:\n    kind:\n      not:\n        const: Face\n    location:\n      anyOf:\n        - const: eastus\n        - allOf:\n            - like: "west*"\n            - not:\n                const: westus\n'
    )
  ).toEqual({
    anyOf: [
      { field: 'kind', equals: 'Face' },
      {
        allOf: [
          { field: 'location', notEquals: 'eastus' },
          {
            anyOf: [
              { field: 'location', notLike: 'west*' },
              { field: 'location', equals: 'westus' }
            ]
          }
        ]
      }
    ]
  });
});

test('oneOf: none satisfied, or two satisfied', () => {
  expect(
    violation('  properties:\n    kind:\n      oneOf:\n        - const: OpenAI\n        - like: "Open*"\n')
  ).toEqual({
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
  });
});

test('if/then/else', () => {
  expect(
    violation(
      '  if:\n    properties:\n      kind:\n        const: OpenAI\n  then:\n    required: [identity]\n  else:\n    properties:\n      location:\n        const: eastus\n'
    )
  ).toEqual({
    anyOf: [
      {
        allOf: [
          { field: 'kind', equals: 'OpenAI' },
          { field: 'identity.type', exists: false }
        ]
      },
      {
        allOf: [
          { field: 'kind', notEquals: 'OpenAI' },
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
  ).toEqual({
    field: 'location',
    notIn: ['eastus', 'westus']
  });
});

test('pattern: an anchored regex becomes match', () => {
  expect(violation("  properties:\n    name:\n      pattern: '^ai-\\p{L}{2}\\p{Nd}{3}$'\n")).toEqual({
    field: 'name',
    notMatch: 'ai-??###'
  });
});

test('match and like keywords', () => {
  expect(violation("  properties:\n    name:\n      match: 'ai-##'\n    location:\n      like: '*us'\n")).toEqual({
    anyOf: [
      { field: 'name', notMatch: 'ai-##' },
      { field: 'location', notLike: '*us' }
    ]
  });
});

test('annotations and type at the root compile to nothing; a schema never violated is a constant', () => {
  const rule = ruleFromYaml(
    'schema:\n  type: object\n  title: T\n  description: D\n  $comment: C\n  examples: [{}]\n  default: {}\n'
  );
  expect(compileRule(rule, aliases).properties.policyRule.if).toEqual({ value: true, equals: false });
});

test('type string beside an enum of strings is kept as implied', () => {
  expect(violation('  properties:\n    kind:\n      type: string\n      enum: [OpenAI]\n')).toEqual({
    field: 'kind',
    notIn: ['OpenAI']
  });
});

test('appliesTo: the resource must satisfy it', () => {
  const rule = ruleFromYaml(
    'appliesTo:\n  properties:\n    kind:\n      const: OpenAI\nschema:\n  required: [identity]\n'
  );
  expect(compileRule(rule, aliases).properties.policyRule.if).toEqual({
    allOf: [isAccount, { field: 'kind', equals: 'OpenAI' }, { field: 'identity.type', exists: false }]
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
      { allOf: [isAccount, { field: `${A}/publicNetworkAccess`, notEquals: 'Disabled' }] },
      {
        allOf: [
          { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
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
