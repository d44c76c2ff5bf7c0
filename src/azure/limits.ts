/**
 * Azure Policy's limits, checked before anything is written: a pack or a scope that Azure would
 * refuse halfway through a deploy is refused before the first request (what the pack is) or
 * before the first write (what the scope would then hold), saying which limit and what to change.
 * https://learn.microsoft.com/azure/governance/policy/overview#maximum-count-of-azure-policy-objects
 */
import type { CompilablePack, CompilableRule } from '../compiler/index.js';
import { UserError, throwUserErrors } from '../model/errors.js';
import type { DeploymentPlan } from '../model/plan.js';
import type { Json } from '../model/value.js';
import type { DesiredState } from './desired.js';
import type { ExistingState } from './plan.js';
import { shortScope, type AzureScope } from './scope.js';

export const AZURE_POLICY_LIMITS = {
  /** Custom policy definitions at one management group or subscription. */
  definitionsPerScope: 500,
  /** Custom initiatives at one management group or subscription. */
  initiativesPerScope: 200,
  /** Assignments at one scope. */
  assignmentsPerScope: 200,
  parametersPerDefinition: 20,
  parametersPerInitiative: 400,
  membersPerInitiative: 1000
} as const;

function countOf(value: Json | undefined): number {
  if (Array.isArray(value)) return value.length;
  return value !== null && typeof value === 'object' ? Object.keys(value).length : 0;
}

/** What the pack itself must respect, checked before Azure is asked anything. */
export function checkPackLimits(desired: DesiredState, pack: CompilablePack, members: CompilableRule[]): void {
  const errors: UserError[] = [];
  const limits = AZURE_POLICY_LIMITS;
  for (const definition of desired.definitions) {
    const count = countOf(definition.body.properties.parameters);
    if (count > limits.parametersPerDefinition) {
      const rule = members.find(m => m.name === definition.name);
      errors.push(
        new UserError(
          `the policy definition ${definition.name} has ${count} parameters; Azure allows at most ${limits.parametersPerDefinition} per definition. Give the rule fewer parameters.`,
          rule ? { file: rule.file } : { file: pack.file }
        )
      );
    }
  }
  const where = pack.positionOf?.('/rules') ?? { file: pack.file };
  const memberCount = countOf(desired.initiative.body.properties.policyDefinitions);
  if (memberCount > limits.membersPerInitiative) {
    errors.push(
      new UserError(
        `the pack's initiative has ${memberCount} policy definitions; Azure allows at most ${limits.membersPerInitiative} per initiative. Split the pack.`,
        where
      )
    );
  }
  const parameterCount = countOf(desired.initiative.body.properties.parameters);
  if (parameterCount > limits.parametersPerInitiative) {
    errors.push(
      new UserError(
        `the pack's initiative has ${parameterCount} parameters (one effect per rule, and the rules' own); Azure allows at most ${limits.parametersPerInitiative} per initiative. Split the pack.`,
        where
      )
    );
  }
  throwUserErrors(errors);
}

/**
 * What the scopes would hold once the plan is applied: everything listed there (cmk-guard's and
 * anyone else's), plus what the plan creates, minus what it deletes.
 */
export function checkScopeLimits(
  plan: DeploymentPlan,
  existing: ExistingState,
  scope: AzureScope,
  assignmentScope: AzureScope
): void {
  const errors: UserError[] = [];
  const after = (kind: 'definition' | 'initiative' | 'assignment', held: number) =>
    held +
    plan.items.filter(i => i.kind === kind && i.action === 'create').length -
    plan.items.filter(i => i.kind === kind && i.action === 'delete').length;
  const check = (
    kind: 'definition' | 'initiative' | 'assignment',
    held: number,
    limit: number,
    noun: string,
    at: AzureScope
  ) => {
    const total = after(kind, held);
    if (total > limit) {
      errors.push(
        new UserError(
          `after this deploy ${shortScope(at)} would hold ${total} ${noun} (${held} there now); Azure allows at most ${limit}. Delete some there${kind === 'assignment' ? '' : ', prune what left the pack (--prune)'}, or publish to another scope.`
        )
      );
    }
  };
  const limits = AZURE_POLICY_LIMITS;
  check('definition', existing.definitions.length, limits.definitionsPerScope, 'custom policy definitions', scope);
  check('initiative', existing.initiatives.length, limits.initiativesPerScope, 'custom initiatives', scope);
  check('assignment', existing.assignments.length, limits.assignmentsPerScope, 'policy assignments', assignmentScope);
  throwUserErrors(errors);
}
