/**
 * Turns loaded rule files of kind `relation` and `transition` into the checks that run in pull
 * requests, after checking the parts the rule-file meta-schema leaves loose (the relation's
 * shape) with the same care: every mistake, with its file and line.
 */
import type { ErrorObject } from 'ajv';
import { UserError, UserErrors } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import type { Rule } from '../rules/index.js';
import { compileRelationRule, type RelationCheck, type RelationSpec } from './relation.js';
import { compileTransitionRule, type ResourcePair } from './transition.js';
import { generatedValidators } from '../rules/tooling.js';
import { checkedRelationSpecs } from '../rules/ruleTextCache.generated.js';
import { canonicalJson } from '../compiler/canonical.js';

function specErrors(rule: Rule): UserError[] {
  if (rule.relation === undefined) {
    const at = rule.positionOf('') ?? { file: rule.file, line: 1, column: 1 };
    return [new UserError(`a rule of kind relation needs a \`relation\` (target, principal, grants).`, at)];
  }
  // A bundled rule's spec was checked when it was built: the very same spec has no mistake now.
  if (checkedRelationSpecs.has(canonicalJson(rule.relation))) return [];
  // The spec's validator is generated at build time from relationSpec.ts (scripts/generateValidators.ts).
  const validate = generatedValidators.get().relationSpec();
  if (validate(rule.relation)) return [];
  return (validate.errors as ErrorObject[]).map(error => {
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
  relations: RelationCheck[];
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
