/**
 * Every keyword Azure Policy cannot express is refused with the file, line, keyword, JSON
 * pointer and why; nothing is dropped silently.
 */
import { UserError, UserErrors } from '../../src/model/errors.js';
import { compileRule, refusedReasons } from '../../src/compiler/index.js';
import { fixtureAliases, ruleFromYaml } from './support.js';

const aliases = fixtureAliases();
const file = 'policies/test-rule.yaml';

function refusals(yaml: string): string[] {
  try {
    compileRule(ruleFromYaml(yaml, file), aliases);
  } catch (error) {
    if (error instanceof UserErrors) return error.errors.map(e => e.describe());
    if (error instanceof UserError) return [error.describe()];
    throw error;
  }
  throw new Error('expected the rule to be refused');
}

const values: Record<string, string> = {
  additionalProperties: 'false',
  patternProperties: '{"^x": true}',
  propertyNames: '{maxLength: 3}',
  minProperties: '1',
  maxProperties: '1',
  unevaluatedProperties: 'false',
  unevaluatedItems: 'false',
  uniqueItems: 'true',
  prefixItems: '[true]',
  additionalItems: 'false',
  format: 'uri',
  multipleOf: '2',
  dependentSchemas: '{a: true}',
  dependencies: '{a: [b]}',
  $id: 'https://example.com/x',
  $anchor: 'x',
  $dynamicRef: '"#x"',
  $dynamicAnchor: 'x',
  $recursiveRef: '"#"',
  $recursiveAnchor: 'true',
  $vocabulary: '{}',
  contentEncoding: 'base64',
  contentMediaType: 'application/json',
  contentSchema: '{}'
};

test('every refused keyword has a test value', () => {
  expect(Object.keys(values).sort()).toEqual(Object.keys(refusedReasons).sort());
});

test.each(Object.keys(refusedReasons))('%s is refused at its line with its reason', keyword => {
  const yaml = `schema:\n  properties:\n    properties:\n      properties:\n        encryption:\n          ${keyword}: ${values[keyword]}\n`;
  expect(refusals(yaml)).toEqual([
    `${file}:6:${13 + keyword.length}: \`${keyword}\` at /schema/properties/properties/properties/encryption/${keyword} cannot be compiled to Azure Policy: ${refusedReasons[keyword]}`
  ]);
});

test('additionalProperties says what to write instead', () => {
  expect(refusals('schema:\n  properties:\n    tags:\n      additionalProperties: false\n')).toEqual([
    `${file}:4:29: \`additionalProperties\` at /schema/properties/tags/additionalProperties cannot be compiled to Azure Policy: Azure Policy cannot list the property names an object has, so it cannot find properties the schema does not name; forbid each unwanted property with \`not: {required: [name]}\` instead`
  ]);
});

const more: [string, string, string][] = [
  [
    'a path with no alias',
    'schema:\n  properties:\n    properties:\n      properties:\n        noSuchProperty:\n          const: x\n',
    `${file}:6:18: \`const\` at /schema/properties/properties/properties/noSuchProperty/const cannot be compiled to Azure Policy: Microsoft.CognitiveServices/accounts has no Azure Policy alias for \`properties.noSuchProperty\``
  ],
  [
    'a recursive $ref',
    "schema:\n  $defs:\n    loop:\n      not:\n        $ref: '#/$defs/loop'\n  $ref: '#/$defs/loop'\n",
    `${file}:5:15: \`$ref\` at /schema/$defs/loop/not/$ref cannot be compiled to Azure Policy: \`#/$defs/loop\` refers to itself (a recursive schema), which Azure Policy cannot express as a finite condition`
  ],
  [
    'a remote $ref',
    "schema:\n  $ref: 'https://example.com/schema.json'\n",
    `${file}:2:9: \`$ref\` at /schema/$ref cannot be compiled to Azure Policy: only references inside the rule file (\`#/$defs/…\`) can be compiled, not \`https://example.com/schema.json\``
  ],
  [
    'type where Azure cannot test it',
    'schema:\n  properties:\n    kind:\n      type: string\n',
    `${file}:4:13: \`type\` at /schema/properties/kind/type cannot be compiled to Azure Policy: Azure Policy has no test for a value's JSON type and converts "true" and numbers in strings when it compares; remove \`type\` here (\`const\`, \`enum\`, \`like\` or \`match\` already constrain the value)`
  ],
  [
    'type boolean beside const true ("true" would pass Azure)',
    'schema:\n  properties:\n    properties:\n      properties:\n        disableLocalAuth:\n          type: boolean\n          const: true\n',
    `${file}:6:17: \`type\` at /schema/properties/properties/properties/disableLocalAuth/type cannot be compiled to Azure Policy: Azure Policy has no test for a value's JSON type and converts "true" and numbers in strings when it compares; remove \`type\` here (\`const\`, \`enum\`, \`like\` or \`match\` already constrain the value)`
  ],
  [
    'an unanchored pattern',
    "schema:\n  properties:\n    name:\n      pattern: 'ai-'\n",
    `${file}:4:16: \`pattern\` at /schema/properties/name/pattern cannot be compiled to Azure Policy: Azure's \`match\` compares the whole value, so the pattern must be anchored with \`^\` and \`$\``
  ],
  [
    'a pattern with alternation',
    "schema:\n  properties:\n    name:\n      pattern: '^(a|b)$'\n",
    `${file}:4:16: \`pattern\` at /schema/properties/name/pattern cannot be compiled to Azure Policy: \`(\` at offset 1 has no exact equivalent in Azure's \`match\`; use literal characters, \`\\p{Nd}\`, \`\\p{L}\`, \`[\\s\\S]\` and \`{n}\`, or the \`like\`/\`match\` keywords`
  ],
  [
    'a pattern with \\d (ASCII only, where match # is any digit)',
    "schema:\n  properties:\n    name:\n      pattern: '^\\d{3}$'\n",
    `${file}:4:16: \`pattern\` at /schema/properties/name/pattern cannot be compiled to Azure Policy: \`\\d\` has no exact equivalent in Azure's \`match\` (write \`\\p{Nd}\` for a digit, \`\\p{L}\` for a letter)`
  ],
  [
    'const with an object',
    'schema:\n  properties:\n    tags:\n      const: {env: prod}\n',
    `${file}:4:14: \`const\` at /schema/properties/tags/const cannot be compiled to Azure Policy: Azure Policy compares only strings, numbers and booleans; use \`const\` with one of those, or \`properties\`/\`items\` to constrain the parts of an object or array`
  ],
  [
    'items as a tuple',
    'schema:\n  properties:\n    properties:\n      properties:\n        allowedFqdnList:\n          items: [true]\n',
    `${file}:6:18: \`items\` at /schema/properties/properties/properties/allowedFqdnList/items cannot be compiled to Azure Policy: Azure Policy cannot address an array member by position; give \`items\` one schema that every member satisfies`
  ],
  [
    'an unknown keyword',
    'schema:\n  properties:\n    kind:\n      constant: OpenAI\n',
    `${file}:4:17: \`constant\` at /schema/properties/kind/constant cannot be compiled to Azure Policy: it is not a JSON Schema keyword cmk-guard knows; check its spelling`
  ]
];

test.each(more)('%s', (_what, yaml, expected) => {
  expect(refusals(yaml)).toEqual([expected]);
});

test('every refusal in a rule is reported, not only the first', () => {
  expect(
    refusals('schema:\n  properties:\n    tags:\n      maxProperties: 3\n    name:\n      format: uri\n')
  ).toHaveLength(2);
});

test('relation and transition rules are not compiled', () => {
  const rule = { ...ruleFromYaml('schema: true\n'), kind: 'relation' as const };
  expect(() => compileRule(rule, aliases)).toThrow(
    'rule `test-rule` is a relation rule: relation rules relate resources in one template, so they run in pull requests only and are not compiled to Azure Policy.'
  );
});
