/**
 * The JSON Schema of `cmk-guard.yaml` (2020-12, checked by ajv in strict mode). It is published as
 * `schemas/cmk-guard.schema.json` so editors complete and check the file; a test keeps the two equal
 * (`npm run generate:schemas` rewrites it). Keys are the CLI flags' and action inputs' names, so one
 * setting has one name everywhere. What a value must be beyond its shape (a real date, a rule that is
 * loaded, an effect the rule allows) is checked in load.ts and run.ts, with positions.
 */

export const CONFIG_SCHEMA_ID = 'https://cmk-guard.dev/schemas/cmk-guard.schema.json';

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const text = { type: 'string', minLength: 1 } as const;
/** How a region is written: `westeurope`, or its display name `West Europe`. */
export const REGION_PATTERN = '^[A-Za-z0-9]+( [A-Za-z0-9]+)*$';
const region = { type: 'string', pattern: REGION_PATTERN } as const;
/** A subscription id: its GUID. */
export const SUBSCRIPTION_ID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
/**
 * A resource group's name as Azure allows it: 1 to 90 letters or digits (any script), underscores, hyphens, periods
 * and parentheses, not ending in a period (read with the `u` flag, as ajv reads patterns).
 */
export const RESOURCE_GROUP_PATTERN = '^[-\\p{L}\\p{Nd}_.()]{0,89}[-\\p{L}\\p{Nd}_()]$';
/** A calendar date: the exception applies through the end of that day (UTC). */
export const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

/** Which resources an exception covers: every field given must match (globs: `*`, `?`, `**`, `{a,b}`). */
const resourceSelector = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description:
    'Resources this exception covers. Every field given must match. Globs: `*` and `?` within one path segment, `**` across segments, `{a,b}` alternatives.',
  properties: {
    id: {
      ...text,
      description:
        'A resource id, or a scope (a subscription or resource group id) that holds the resources; ids compare ignoring case. Template resources have placeholder ids (`/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/…`): select them by `name` or `file`, or with `**/providers/…`.'
    },
    name: { ...text, description: 'The resource name (a child resource: `parent/child`), ignoring case.' },
    type: {
      ...text,
      description: 'The full resource type, e.g. `Microsoft.CognitiveServices/accounts`, ignoring case.'
    },
    file: { ...text, description: 'The template file, relative to the repository root.' }
  }
} as const;

/** The fields every exception has, in the configuration file or inline in a template. */
export const exceptionFields = {
  rule: {
    description: 'The rule (or policy definition) name this exception is for, or a list of them.',
    anyOf: [text, { type: 'array', minItems: 1, uniqueItems: true, items: text }]
  },
  reason: { ...text, description: 'Why the finding is accepted; shown wherever the finding is listed.' },
  owner: { ...text, description: 'Who answers for the exception: a person or a team.' },
  expires: {
    type: 'string',
    pattern: DATE_PATTERN,
    description: 'The last day the exception applies (`YYYY-MM-DD`, UTC); after it the findings fail again.'
  },
  category: {
    enum: ['waiver', 'mitigated'],
    description:
      "`waiver` (accepted as it is, the default) or `mitigated` (the risk is handled another way): Azure's two exemption categories."
  }
} as const;

export const exceptionEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'resources', 'reason'],
  properties: {
    ...exceptionFields,
    resources: {
      type: 'array',
      minItems: 1,
      items: resourceSelector,
      description:
        'Which resources: by `id`, `name`, `type` and `file`; the exception covers a resource any entry matches.'
    }
  }
} as const;

/** An exception written in a template resource's `metadata.cmkGuard.exceptions`: for the resource it sits on. */
export const inlineExceptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'reason'],
  properties: exceptionFields
} as const;

export const thresholds = ['error', 'warning', 'note', 'never'] as const;

export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: CONFIG_SCHEMA_ID,
  title: 'cmk-guard configuration (cmk-guard.yaml)',
  description:
    'What a team would otherwise repeat in every workflow: rules, inputs, the failure threshold, per-rule overrides, accepted exceptions, the baseline and the Azure scope. Action inputs and CLI flags override it.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    policies: {
      description: 'Folders of cmk-guard rule files (default: the bundled pack); `none` for no rules.',
      anyOf: [text, { type: 'array', minItems: 1, items: text }]
    },
    definitions: { ...stringList, description: 'Extra Azure Policy definition files or folders.' },
    templates: { ...stringList, description: 'ARM templates: globs or folders, relative to the repository root.' },
    parameters: { ...stringList, description: 'Parameter files (otherwise paired by name: main.parameters.json).' },
    'parameter-values': {
      type: 'object',
      description: 'Template parameter values that win over defaults and parameter files.'
    },
    'resource-group-location': {
      ...region,
      description:
        'Where the resource group the templates deploy to is: what `resourceGroup().location` gives (default: unknown).'
    },
    'deployment-location': {
      ...region,
      description:
        'Where a subscription, management group or tenant deployment is: what `deployment().location` gives (default: unknown).'
    },
    'resource-group': {
      type: 'string',
      pattern: RESOURCE_GROUP_PATTERN,
      description:
        "The name of the resource group the templates deploy to: what `resourceGroup().name` gives, and the group of their resource ids (default: unknown, ids built with 'rg')."
    },
    'deployment-subscription-id': {
      type: 'string',
      pattern: SUBSCRIPTION_ID_PATTERN,
      description:
        'The subscription the templates deploy to: what `subscription().subscriptionId` gives, and the subscription of their resource ids (default: unknown, ids built with all zeros).'
    },
    resources: { ...stringList, description: 'Resource snapshots: a JSON array, or `{"value": [...]}`.' },
    'fail-on': {
      enum: thresholds,
      description: 'Fail at or above this severity: `error` (the default), `warning`, `note`, `never`.'
    },
    'fail-on-indeterminate': {
      type: 'boolean',
      description: 'Indeterminate findings at or above `fail-on` fail the run too.'
    },
    rules: {
      ...stringList,
      description: 'Run only these rules and definitions: names or globs (`key-vault-*`).'
    },
    'skip-rules': { ...stringList, description: 'Do not run these rules and definitions: names or globs.' },
    'min-severity': {
      enum: ['error', 'warning', 'note'],
      description: 'Run only rules at or above this severity, and report only findings at or above it.'
    },
    format: {
      // The CLI's formats (src/report/formats.ts; a test keeps the two lists equal). This file imports
      // nothing, so the script that publishes the schema can read it alone.
      enum: ['text', 'compact', 'json', 'sarif', 'junit'],
      description: 'The CLI report format (the action writes every report it has).'
    },
    baseline: {
      ...text,
      description:
        'A findings document from an earlier run (`cmk-guard baseline --out FILE`): only findings not in it fail.'
    },
    overrides: {
      type: 'object',
      description: 'Per rule (or definition) name: the severity findings get, and the effect it is evaluated with.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          severity: { enum: ['error', 'warning', 'note'] },
          effect: {
            type: 'string',
            minLength: 1,
            description: "One of the rule's allowed effects, e.g. `Audit`, `Deny`, `Disabled`."
          }
        }
      }
    },
    exceptions: {
      type: 'array',
      items: exceptionEntrySchema,
      description: 'Accepted findings: which rule, which resources, why, who, until when.'
    },
    azure: {
      type: 'object',
      additionalProperties: false,
      description: 'Where `plan` and `deploy` publish the pack, and how.',
      properties: {
        scope: {
          ...text,
          description:
            'The management group or subscription the definitions are published to, e.g. `/providers/Microsoft.Management/managementGroups/platform`.'
        },
        'assignment-scope': {
          ...text,
          description: 'Where the initiative is assigned (default: the scope).'
        },
        owner: {
          ...text,
          description:
            'The owner id recorded in what is published, so only its own items are changed or pruned (default: the repository).'
        },
        'enforcement-mode': { enum: ['Default', 'DoNotEnforce'] },
        cloud: { enum: ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'] },
        'arm-endpoint': {
          ...text,
          description: 'Another Resource Manager endpoint (Azure Stack Hub); http only on loopback.'
        },
        effects: {
          type: 'object',
          description: "Each rule's effect in the assignment, where it is not the rule's default: `rule: Effect`.",
          additionalProperties: { type: 'string', pattern: '^[A-Za-z]+$' }
        },
        location: {
          ...text,
          description: "The assignment's managed identity region, for DeployIfNotExists or Modify effects."
        },
        'tenant-id': text,
        'client-id': text,
        'subscription-id': {
          type: 'string',
          pattern: SUBSCRIPTION_ID_PATTERN,
          description:
            'The subscription `plan`, `deploy`, `compliance` and a live `evaluate` act on when no `scope` is given (neither here nor as an input or flag): its GUID. The `subscription-id` input wins over it.'
        },
        prune: { type: 'boolean' }
      }
    }
  }
} as const;

/** What each field is, for "add it" messages. */
export const configFieldHints: Record<string, string> = {
  rule: 'the rule name, e.g. `foundry-tools-cmk`',
  resources: 'which resources, e.g. `[{name: legacy-*}]` or `[{file: infra/legacy/**}]`',
  reason: 'why the finding is accepted, in a sentence'
};

export const configPatternHints: Record<string, string> = {
  [DATE_PATTERN]: 'a date written `YYYY-MM-DD`, e.g. `2027-03-31`',
  [REGION_PATTERN]: 'a region name, e.g. `westeurope`',
  [SUBSCRIPTION_ID_PATTERN]: 'a subscription id, its GUID, e.g. `00000000-0000-0000-0000-000000000000`',
  [RESOURCE_GROUP_PATTERN]:
    'a resource group name: 1 to 90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period'
};
