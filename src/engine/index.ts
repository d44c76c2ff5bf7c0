/**
 * The offline Azure Policy engine: load any policy definition once into a compiled evaluator,
 * then evaluate it against ARM resource JSON with Azure Policy's semantics, three-valued where
 * the resource holds values unknown before deployment.
 */
import type { Finding, Severity } from '../model/finding.js';
import { findingResource } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { own, type Value } from '../model/value.js';
import type { CompiledDefinition, Evaluation } from './definition.js';
import { severityOfEffect } from './effects.js';

export {
  aliasPath,
  aliasCount,
  aliasModifiable,
  aliasesWithPath,
  isCompleteType,
  lookupAlias,
  nearestAliases,
  type AliasLookup,
  type AliasResolution
} from './aliases.js';
export type { AliasOverride } from './fields.js';
export {
  loadDefinition,
  definitionShape,
  type CompiledDefinition,
  type EvaluateOptions,
  type Evaluation,
  type LoadOptions,
  type ParameterDefinition,
  type PolicyDefinitionSource
} from './definition.js';
export { DefinitionError, UnsupportedError } from './errors.js';
export { loadDefinitionsFromDirectory, classifyDefinitionFile, type DirectoryLoad } from './directory.js';
export { canonicalEffect, severityOfEffect } from './effects.js';
export { resolveMode, isIndexedType } from './modes.js';

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
    const s = own(severities, declared.toLowerCase());
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
  const at = evaluation.pointers.length > 0 && resource.positionOf ? resource.positionOf(evaluation.pointers[0]) : null;
  const position = at ?? resource.source;
  return {
    definition: def.name,
    displayName: def.displayName,
    effect: evaluation.effect,
    severity: severityOf(def, evaluation.effect),
    verdict,
    resource: findingResource(resource, position),
    message: evaluation.message,
    reason
  };
}

/**
 * Evaluates every definition against every resource (except `existing` references) and returns a
 * finding for each applicable pair. `parameters` are assignment values by definition name; the
 * other resources are the related candidates for existence effects.
 */
export function evaluateDefinitions(
  defs: CompiledDefinition[],
  resources: Resource[],
  options: { parameters?: Record<string, Record<string, Value>> } = {}
): Finding[] {
  const findings: Finding[] = [];
  for (const def of defs) {
    const parameters = options.parameters ? own(options.parameters, def.name) : undefined;
    for (const resource of resources) {
      if (resource.existing) continue;
      if (!def.appliesToType(resource.type)) continue;
      const evaluation = def.evaluate(resource, { parameters, related: resources });
      if (!evaluation.applicable) continue;
      findings.push(toFinding(def, resource, evaluation));
    }
  }
  return findings;
}
