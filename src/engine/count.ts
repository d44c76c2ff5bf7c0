/**
 * count expressions: how many members of a `[*]` field (field count) or of an array (value count)
 * satisfy `where`, compared to a target with any condition operator. In each iteration the
 * counted member stands in for the whole array (`field('x[*]')` gives a one-member array,
 * `current()` the member). With unknown members the count is a range; the comparison is decided
 * when it comes out the same for every count in the range.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#count
 */
import { EvaluationFailure, Unknown, type Value } from '../model/value.js';
import { Collection, walk, type Step } from './fields.js';
import type { Truth } from './logic.js';
import type { Operator } from './operators/index.js';
import type { Runtime, Scope } from './runtime.js';

/** How many members satisfy `where`: at least `min`, at most `max`; `unknown` when the members themselves are unknown. */
export interface CountResult {
  min: number;
  max: number;
  unknown?: Unknown;
  /** The members themselves are unknown, so nothing is known about the count. */
  whole?: boolean;
}

/**
 * "Value count expression iteration count: 100. Nested Value count expressions also include the iteration
 * count of the parent expression." (Policy rule limits, enforced when a definition is created or assigned.) A
 * value count inside others iterates once for each iteration of theirs, so its count is its members times the
 * iterations of the value counts around it.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-rule-limits
 */
export const VALUE_COUNT_ITERATIONS = 100;

/**
 * The iterations of a value count about to run over `members` items, with those of the value counts around it
 * (`rt.scopes`): what VALUE_COUNT_ITERATIONS bounds.
 */
export function valueCountIterations(rt: Runtime, members: number): number {
  for (let i = rt.scopes.length - 1; i >= 0; i--) {
    const parent = rt.scopes[i];
    if (parent.kind === 'value') return members * (parent.iterations ?? 1);
  }
  return members;
}

/**
 * The caller's bound on the work of counts (the file's evaluation time): called every COUNT_STEPS iterations of
 * any count, nested or not, while `withCountCheckpoint` runs. A field count over a resource's arrays has no
 * limit in Azure (the resource provider bounds the arrays), so one count nested in another over arrays of
 * 10,000 members is 10^8 iterations for one resource: the checkpoint ends it with the file's LimitError.
 */
export const COUNT_STEPS = 1024;

/** One evaluation's count work (see withCountCheckpoint): every runtime it makes shares it, in `Runtime.counts`. */
export interface CountBudget {
  /** Cleared when the evaluation ends: an explanation asked for later is not bounded by it. */
  checkpoint: (() => void) | undefined;
  /** The iterations of every count so far. */
  steps: number;
}

/** Runs `action` with a budget whose `checkpoint` is called every COUNT_STEPS iterations of a count. */
export function withCountCheckpoint<T>(
  checkpoint: (() => void) | undefined,
  action: (counts: CountBudget | undefined) => T
): T {
  const counts: CountBudget | undefined = checkpoint ? { checkpoint, steps: 0 } : undefined;
  try {
    return action(counts);
  } finally {
    if (counts) counts.checkpoint = undefined;
  }
}

export function countMembers(
  rt: Runtime,
  members: (Value | undefined)[],
  scope: Omit<Scope, 'current'>,
  where: ((rt: Runtime) => Truth) | undefined,
  iterations?: number
): CountResult {
  if (!where) return { min: members.length, max: members.length };
  let min = 0;
  let max = 0;
  let unknown: Unknown | undefined;
  const frame: Scope = { ...scope, current: undefined, iterations };
  const counts = rt.counts;
  rt.scopes.push(frame);
  try {
    for (const member of members) {
      if (counts?.checkpoint && ++counts.steps % COUNT_STEPS === 0) counts.checkpoint();
      frame.current = member;
      const r = where(rt);
      // Azure's evaluation fails as a whole where it fails for one member: the count is not known at all.
      if (r instanceof EvaluationFailure) return { min: 0, max: 0, unknown: r, whole: true };
      if (r === true) {
        min++;
        max++;
      } else if (r !== false) {
        max++;
        unknown ??= r;
      }
    }
  } finally {
    rt.scopes.pop();
  }
  return { min, max, unknown };
}

/** The members a field count iterates: the `[*]` selection, relative to the enclosing count when it is inside one. */
export function fieldMembers(start: Value | undefined, steps: Step[], from: number): Collection {
  const selected = walk(start, steps, from);
  if (selected instanceof Collection) return selected;
  if (selected instanceof Unknown) return new Collection([], selected);
  return new Collection(selected === undefined ? [] : [selected]);
}

/** Compares a count range with the target: decided when every count in the range gives the same answer. */
export function compareCount(count: CountResult, op: Operator, expected: Value): Truth {
  if (count.whole && count.unknown) return count.unknown;
  const first = op.test(count.min, expected);
  if (typeof first !== 'boolean') return first;
  for (let n = count.min + 1; n <= count.max; n++) {
    if (op.test(n, expected) !== first) return count.unknown ?? new Unknown('the count');
  }
  return first;
}
