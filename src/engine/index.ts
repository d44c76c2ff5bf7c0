/**
 * The offline Azure Policy engine: load any policy definition once into a compiled evaluator,
 * then evaluate it against ARM resource JSON with Azure Policy's semantics, three-valued where
 * the resource holds values unknown before deployment.
 */
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import type { CompiledDefinition } from './definition.js';
import { evaluateInOrder, type EvaluateAllOptions } from './order.js';

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
export {
  loadDefinitionsFromDirectory,
  loadDefinitionsFromPath,
  classifyDefinitionFile,
  readDefinitionFile,
  isJsonFileName,
  isWalkedFolder,
  type DirectoryLoad
} from './directory.js';
export { evaluationPlan, readDefinitionJson, type PolicySet, type DefinitionFileContents } from './definitionFiles.js';
export { canonicalEffect, severityOfEffect } from './effects.js';
export { resolveMode, isIndexedType, isExemptType } from './modes.js';
export { severityOf, toFinding } from './findings.js';
export { describeChanges, type FieldChange, type RequestChange } from './modify.js';

/**
 * Evaluates every definition against every resource (except `existing` references) and returns a
 * finding for each applicable pair, grouped by definition. `parameters` are assignment values by
 * definition name; the other resources are the related candidates for existence effects. Effects
 * see the requests Azure would show them (order.ts): Append and Modify change each request first,
 * Deny sees every write of a resource, Audit and the others its end state. `related` and
 * `checkpoint` let a caller evaluate one file's resources at a time, within a time bound.
 */
export function evaluateDefinitions(
  defs: CompiledDefinition[],
  resources: Resource[],
  options: EvaluateAllOptions = {}
): Finding[] {
  return evaluateInOrder(defs, resources, options);
}
