/**
 * Turns loaded rule files of kind `relation` and `transition` into the checks that run in pull
 * requests, after checking the parts the rule-file meta-schema leaves loose (the relation's
 * shape) with the same care: every mistake, with its file and line.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { linearRegExp } from '../model/regex.js';
import { UserError, UserErrors } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import type { Rule } from '../rules/index.js';
import { compileRelationRule, type RelationSpec } from './relation.js';
import { compileTransitionRule, type ResourcePair } from './transition.js';

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
        roleAssignment: { type: ['object', 'boolean'] }
      }
    }
  }
} as const;

let specValidator: ValidateFunction | undefined;

/** Compiled on first use, not when the module loads: `cmk-guard --version` has no relation to check. */
function validateSpec(relation: unknown): boolean {
  // The spec schema is ours and fixed: it is not checked against JSON Schema's meta-schema at every start.
  specValidator ??= new Ajv2020({
    allErrors: true,
    allowUnionTypes: true,
    ownProperties: true,
    validateSchema: false,
    code: { regExp: linearRegExp }
  }).compile(relationSpecSchema);
  return specValidator(relation) as boolean;
}

function specErrors(rule: Rule): UserError[] {
  if (rule.relation === undefined) {
    const at = rule.positionOf('') ?? { file: rule.file, line: 1, column: 1 };
    return [new UserError(`a rule of kind relation needs a \`relation\` (target, principal, grants).`, at)];
  }
  if (validateSpec(rule.relation)) return [];
  return (specValidator!.errors as ErrorObject[]).map(error => {
    const where = `/relation${error.instancePath}`;
    const at = rule.positionOf(where) ?? rule.positionOf('/relation') ?? { file: rule.file, line: 1, column: 1 };
    const detail =
      error.keyword === 'additionalProperties'
        ? `has \`${String(error.params.additionalProperty)}\`, which a relation does not take`
        : error.keyword === 'required'
          ? `needs \`${String(error.params.missingProperty)}\``
          : (error.message ?? 'is not valid');
    return new UserError(`\`${where.slice(1).split('/').join('.')}\` ${detail}.`, at);
  });
}

export interface PullRequestChecks {
  relations: ((resources: Resource[]) => Finding[])[];
  transitions: ((pairs: ResourcePair[]) => Finding[])[];
}

/** Compiles every relation and transition rule once; throws every mistake in them at once. */
export function compilePullRequestChecks(rules: Rule[]): PullRequestChecks {
  const checks: PullRequestChecks = { relations: [], transitions: [] };
  const errors: UserError[] = [];
  for (const rule of rules) {
    try {
      if (rule.kind === 'relation') {
        const found = specErrors(rule);
        if (found.length) errors.push(...found);
        else
          checks.relations.push(compileRelationRule({ ...rule, relation: rule.relation as unknown as RelationSpec }));
      } else if (rule.kind === 'transition') {
        checks.transitions.push(compileTransitionRule(rule));
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      // ajv refuses a schema it cannot compile (an unknown keyword in a grant, say): the author's to fix.
      const at = rule.positionOf(rule.kind === 'relation' ? '/relation' : '/schema') ?? {
        file: rule.file,
        line: 1,
        column: 1
      };
      errors.push(
        new UserError(`the ${rule.kind} rule's schema is not valid JSON Schema: ${(error as Error).message}.`, at)
      );
    }
  }
  if (errors.length) throw new UserErrors(errors);
  return checks;
}
