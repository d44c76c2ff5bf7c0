/**
 * count expressions: how many members of a `[*]` field (field count) or of an array (value count)
 * satisfy `where`, compared to a target with any condition operator. In each iteration the
 * counted member stands in for the whole array (`field('x[*]')` gives a one-member array,
 * `current()` the member). With unknown members the count is a range; the comparison is decided
 * when it comes out the same for every count in the range.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#count
 */
import { Unknown, type Value } from '../model/value.js';
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

export function countMembers(
  rt: Runtime,
  members: (Value | undefined)[],
  scope: Omit<Scope, 'current'>,
  where: ((rt: Runtime) => Truth) | undefined
): CountResult {
  if (!where) return { min: members.length, max: members.length };
  let min = 0;
  let max = 0;
  let unknown: Unknown | undefined;
  const frame: Scope = { ...scope, current: undefined };
  rt.scopes.push(frame);
  try {
    for (const member of members) {
      frame.current = member;
      const r = where(rt);
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
