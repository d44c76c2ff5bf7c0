/**
 * The shape of a relation rule's `relation` (see relation.ts), checked when the rule is loaded: every
 * mistake, with its file and line. The validator is generated at build time
 * (src/rules/validators.generated.ts), so this schema is data only.
 */
/** The schemas of a relation rule's `grants`, with the pointer each is written at: checked when loaded, compiled at build time. */
export function grantSchemas(grants: { [key: string]: unknown } | undefined): [string, unknown][] {
  return (['accessPolicy', 'roleAssignment', 'accessPolicyOnly'] as const).map(name => [
    `/relation/grants/${name}`,
    grants?.[name]
  ]);
}

const pointer = { type: 'string', pattern: '^(/[^/]+)+$' };
export const relationSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['target', 'grants'],
  properties: {
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'on'],
      properties: {
        type: { type: 'string', pattern: '^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$' },
        on: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['subject', 'target'],
            properties: { subject: pointer, target: pointer }
          }
        }
      }
    },
    principal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        userAssignedIdentity: { type: 'array', items: pointer },
        clientId: { type: 'array', items: pointer }
      }
    },
    grants: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        rbacSwitch: pointer,
        accessPolicy: { type: ['object', 'boolean'] },
        roleAssignment: { type: ['object', 'boolean'] },
        accessPolicyOnly: { type: ['object', 'boolean'] }
      }
    }
  }
} as const;
