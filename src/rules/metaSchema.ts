/**
 * The rule-file and pack-manifest meta-schemas (JSON Schema 2020-12, checked by ajv in
 * strict mode). What a field's value must be beyond its shape (the default effect among
 * the allowed ones, a schema's keywords) is checked in validate.ts.
 */
export const effects = [
  'Audit',
  'Deny',
  'Disabled',
  'AuditIfNotExists',
  'DeployIfNotExists',
  'Modify',
  'Append',
  'DenyAction',
  'Manual'
] as const;

const kebab = '^[a-z0-9]+(-[a-z0-9]+)*$';
const semver =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';
const resourceType = '^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$';

export const ruleMetaSchema = {
  $id: 'https://cmk-guard.dev/schemas/rule.json',
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'displayName',
    'description',
    'category',
    'version',
    'severity',
    'effect',
    'mode',
    'resourceType',
    'remediation',
    'references'
  ],
  properties: {
    $schema: { type: 'string' },
    kind: { enum: ['policy', 'relation', 'transition'] },
    name: { type: 'string', pattern: kebab, maxLength: 64 },
    displayName: { type: 'string', minLength: 1, maxLength: 128 },
    description: { type: 'string', minLength: 1, maxLength: 512 },
    category: { type: 'string', minLength: 1 },
    version: { type: 'string', pattern: semver },
    severity: { enum: ['error', 'warning', 'note'] },
    effect: {
      type: 'object',
      additionalProperties: false,
      required: ['default', 'allowed'],
      properties: {
        default: { enum: effects },
        allowed: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: effects } }
      }
    },
    mode: { enum: ['All', 'Indexed'] },
    resourceType: {
      anyOf: [
        { type: 'string', pattern: resourceType },
        { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: resourceType } }
      ]
    },
    appliesTo: { type: ['object', 'boolean'] },
    schema: { type: ['object', 'boolean'] },
    relation: { type: 'object' },
    remediation: { type: 'string' },
    references: { type: 'array', items: { type: 'string', pattern: '^https://' } },
    requirement: { type: 'string', minLength: 1 }
  }
} as const;

export const packMetaSchema = {
  $id: 'https://cmk-guard.dev/schemas/pack.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'displayName', 'description', 'version', 'rules'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: kebab, maxLength: 64 },
    displayName: { type: 'string', minLength: 1, maxLength: 128 },
    description: { type: 'string', minLength: 1, maxLength: 512 },
    version: { type: 'string', pattern: semver },
    rules: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: kebab } }
  }
} as const;

/** What each field is, for "add it" messages. */
export const fieldHints: Record<string, string> = {
  name: 'the definition name, in kebab-case, e.g. `cognitive-services-cmk`',
  displayName: 'the title shown in the Azure portal',
  description: 'one or two sentences on what the rule checks',
  category: 'the Azure Policy category, e.g. `Cognitive Services`',
  version: 'a semantic version such as `1.0.0`',
  severity: '`error`, `warning` or `note`',
  effect: '`default` and `allowed`, e.g. `{default: Audit, allowed: [Audit, Deny, Disabled]}`',
  mode: '`All` or `Indexed`',
  resourceType: 'the ARM type, e.g. `Microsoft.CognitiveServices/accounts`',
  remediation: 'Markdown telling a reviewer how to fix a resource',
  references: 'a list of https:// links (it may be empty: `[]`)',
  default: 'the effect the definition uses unless an assignment says otherwise',
  allowed: 'the effects an assignment may choose',
  rules: 'the names of the rules the initiative holds',
  schema: 'the JSON Schema a compliant resource satisfies',
  relation: 'how the resources relate'
};

export const patternHints: Record<string, string> = {
  [kebab]: 'kebab-case: lowercase letters and digits joined by single hyphens, e.g. `cognitive-services-cmk`',
  [semver]: 'a semantic version such as `1.0.0`',
  [resourceType]: 'a full ARM resource type such as `Microsoft.CognitiveServices/accounts`',
  '^https://': 'an https:// link'
};
