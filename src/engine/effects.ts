/**
 * Effects: what Azure does when a rule's `if` holds. Names are case-insensitive and may come
 * from a parameter; `disabled` turns the definition off.
 * https://learn.microsoft.com/azure/governance/policy/concepts/effect-basics
 */
import type { Severity } from '../model/finding.js';
import { own } from '../model/value.js';
import { foldCase } from '../model/foldCase.js';

const canonical: Record<string, string> = {
  audit: 'Audit',
  deny: 'Deny',
  disabled: 'Disabled',
  append: 'Append',
  modify: 'Modify',
  auditifnotexists: 'AuditIfNotExists',
  deployifnotexists: 'DeployIfNotExists',
  denyaction: 'DenyAction',
  manual: 'Manual',
  auditaction: 'AuditAction',
  // Resource-provider-mode effects (Microsoft.Kubernetes.Data and friends).
  mutate: 'Mutate',
  enforceregopolicy: 'EnforceRegoPolicy',
  enforceopaconstraint: 'EnforceOPAConstraint',
  // Microsoft.MachineLearningServices.Data mode.
  enforcesetting: 'EnforceSetting'
};

/** The effect's canonical spelling, or undefined when it is not an effect. */
export function canonicalEffect(name: string): string | undefined {
  return own(canonical, foldCase(name));
}

export const effectNames = Object.values(canonical);

/** Effects that look for a related resource and evaluate `details.existenceCondition` on it. */
export function isExistenceEffect(effect: string): boolean {
  return effect === 'AuditIfNotExists' || effect === 'DeployIfNotExists';
}

/** deny/denyAction → error; audit and the fix-up effects → warning; manual → note. */
export function severityOfEffect(effect: string): Severity {
  switch (effect) {
    case 'Deny':
    case 'DenyAction':
    case 'EnforceRegoPolicy':
    case 'EnforceOPAConstraint':
    case 'EnforceSetting':
      return 'error';
    case 'Manual':
      return 'note';
    default:
      return 'warning';
  }
}
