/**
 * Azure Policy's compliance records as findings, so the same reporters show them: a record is
 * one resource and one member of the initiative, named by the rule it was compiled from.
 */
import type { ComplianceRecord } from './azure/index.js';
import { canonicalEffect, severityOfEffect } from './engine/index.js';
import type { Finding, Verdict } from './model/finding.js';
import type { Rule } from './rules/index.js';
import { foldCase } from './model/foldCase.js';

const VERDICTS: Record<string, Verdict> = { compliant: 'compliant', noncompliant: 'noncompliant' };

function lastSegment(id: string): string {
  return id.slice(id.replace(/\/+$/, '').lastIndexOf('/') + 1);
}

export function complianceFinding(record: ComplianceRecord, rules: ReadonlyMap<string, Rule>): Finding {
  const definition = record.policyDefinitionReferenceId || record.policyDefinitionName;
  const rule =
    rules.get(definition) ??
    [...rules.values()].find(r => foldCase(r.name) === foldCase(definition)) ??
    [...rules.values()].find(r => foldCase(r.name) === foldCase(record.policyDefinitionName));
  const displayName = rule?.displayName ?? definition;
  const effect = canonicalEffect(record.effect) ?? record.effect;
  const state = record.complianceState;
  const verdict = VERDICTS[foldCase(state)] ?? 'indeterminate';
  const when = record.timestamp ? ` (evaluated ${record.timestamp})` : '';
  const message =
    verdict === 'compliant'
      ? `${displayName}: compliant${when}.`
      : verdict === 'noncompliant'
        ? `${displayName}: Azure Policy reports this resource noncompliant${when}.`
        : `${displayName}: Azure Policy reports the compliance state ${state}${when}.`;
  return {
    definition: rule?.name ?? definition,
    displayName,
    effect,
    severity: rule?.severity ?? severityOfEffect(effect),
    verdict,
    resource: {
      id: record.resourceId,
      type: record.resourceType,
      name: lastSegment(record.resourceId),
      file: null,
      line: null,
      column: null
    },
    message,
    reason:
      verdict === 'indeterminate'
        ? `Azure Policy's compliance state '${state}', which is neither compliant nor noncompliant`
        : null,
    ...(rule?.remediation ? { remediation: rule.remediation } : {}),
    ...(rule?.references[0] ? { helpUri: rule.references[0] } : {}),
    enforcement: 'azure'
  };
}
