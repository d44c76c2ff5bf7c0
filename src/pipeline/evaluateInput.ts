/** One input's resources under every definition: the engine's grain, held to a time bound. */
import type { CompiledDefinition } from '../engine/index.js';
import { evaluateDefinitions } from '../engine/index.js';
import type { UserError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { EvaluationDeadline, LimitError } from '../model/limits.js';
import type { Resource } from '../model/resource.js';
import type { Value } from '../model/value.js';
import { isolated } from './isolated.js';

/** The resources of one input, evaluated together: a template, a snapshot, or a live scope (named `(scope)`). */
export interface EvaluatedInput {
  file: string;
  resources: Resource[];
}

/**
 * Snapshot resources evaluated together: the engine's grain, and the memory a snapshot holds at a time. A batch
 * should die young: a thousand resources outlived two young-generation collections while they were read, so
 * every batch was copied to the old generation and died there, and V8, seeing the old generation fill that fast,
 * let it grow to four or five times what was live (1,000,000 resources peaked at 664 and 679 MB; at 250, 465 and
 * 479 MB, with half the time spent collecting).
 */
export const SNAPSHOT_BATCH = 250;

export interface InputEvaluation {
  definitions: CompiledDefinition[];
  parameters: Record<string, Record<string, Value>>;
  /** The resources existence conditions may find: every input's when a definition reads them, else the input's own. */
  related: Resource[] | undefined;
  /** Where each finding goes in the report's order. */
  add: (finding: Finding) => void;
}

/**
 * Every definition on the resources of one input (a template, a batch of a snapshot, a live scope), all
 * definitions together (so Append and Modify change the request Deny and Audit see, as in Azure). The
 * evaluation is held to a time bound (`deadline`): reaching it is that input's error, and `stopped` is
 * returned. A definition that fails spoils only its own verdicts there: the resources are evaluated again one
 * definition at a time, and a failing definition is added to `spoiled` (and left out after), with its error in
 * `problems`. The findings come grouped by definition, in the resources' order.
 */
export function evaluateInput(
  input: EvaluatedInput,
  evaluation: InputEvaluation,
  deadline: EvaluationDeadline,
  problems: UserError[],
  spoiled: Set<CompiledDefinition>
): 'evaluated' | 'stopped' {
  const resources = input.resources.filter(r => !r.existing);
  const definitions = evaluation.definitions.filter(d => !spoiled.has(d));
  if (!resources.length || !definitions.length) return 'evaluated';
  const evaluate = (defs: CompiledDefinition[]) =>
    evaluateDefinitions(defs, resources, {
      parameters: evaluation.parameters,
      related: evaluation.related ?? resources,
      checkpoint: deadline.check
    });
  try {
    for (const finding of evaluate(definitions)) evaluation.add(finding);
    return 'evaluated';
  } catch (error) {
    if (error instanceof LimitError) {
      problems.push(error);
      return 'stopped';
    }
  }
  for (const definition of definitions) {
    let stopped = false;
    const before = problems.length;
    isolated(
      problems,
      { file: definition.file ?? definition.name },
      `evaluate the definition ${definition.name}`,
      () => {
        try {
          for (const finding of evaluate([definition])) evaluation.add(finding);
        } catch (error) {
          stopped = error instanceof LimitError;
          throw error;
        }
      }
    );
    if (stopped) return 'stopped';
    if (problems.length > before) spoiled.add(definition);
  }
  return 'evaluated';
}

/** Resources a verdict is given on: all but references to existing ones. */
export function countEvaluated(resources: readonly Resource[]): number {
  let count = 0;
  for (const resource of resources) if (!resource.existing) count++;
  return count;
}
