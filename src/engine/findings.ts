/** Findings from evaluations: the severity a definition gives, and where in the template to point. */
import type { Finding, Severity } from '../model/finding.js';
import { findingResource, raceVerdict } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { own } from '../model/value.js';
import type { CompiledDefinition, Evaluation } from './definition.js';
import { severityOfEffect } from './effects.js';
import { foldCase } from '../model/foldCase.js';

const severities: Record<string, Severity> = {
  error: 'error',
  warning: 'warning',
  note: 'note',
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  informational: 'note'
};

/** The definition's own severity (`metadata.cmkGuard.severity`, `metadata.severity`), else the effect's. */
export function severityOf(def: CompiledDefinition, effect: string): Severity {
  const meta = def.metadata;
  const guard = meta.cmkGuard as Record<string, unknown> | undefined;
  const declared = (guard && typeof guard === 'object' ? guard.severity : undefined) ?? meta.severity;
  if (typeof declared === 'string') {
    const s = own(severities, foldCase(declared));
    if (s) return s;
  }
  return severityOfEffect(effect);
}

/** A finding for one definition × resource evaluation. */
export function toFinding(def: CompiledDefinition, resource: Resource, evaluation: Evaluation): Finding {
  let verdict = evaluation.verdict;
  let reason = evaluation.reason;
  if (resource.conditionUnknown && verdict === 'noncompliant') {
    verdict = 'indeterminate';
    reason = `the resource is deployed only if ${resource.conditionUnknown}`;
  }
  let message = evaluation.message;
  if (resource.race) ({ verdict, reason, message } = raceVerdict(resource.race, verdict, reason, message));
  const at = evaluation.pointers.length > 0 && resource.positionOf ? resource.positionOf(evaluation.pointers[0]) : null;
  const position = at ?? resource.source;
  return {
    definition: def.name,
    displayName: def.displayName,
    effect: evaluation.effect,
    severity: severityOf(def, evaluation.effect),
    verdict,
    resource: findingResource(resource, position),
    message,
    reason
  };
}
