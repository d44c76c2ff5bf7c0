/**
 * Which resource types a policy rule can apply to, read from its `if` the way Azure Policy's
 * applicability does: a `type` condition in the `allOf` that every match needs, or in every
 * branch of an `anyOf`. The types an existence effect looks for (`then.details.type`) count too,
 * since those resources must be available to decide it. The answer is an upper bound: a rule
 * whose types cannot be read off a literal (`like`, a parameter, a `not`) applies to any type.
 * Live evaluation reads only these types from Azure.
 */
import { isObject } from '../model/value.js';
import { foldCase } from '../model/foldCase.js';

/** Lowercased type names, or null for "any type". */
export type TypeSet = Set<string> | null;

function isTypeField(value: unknown): boolean {
  return typeof value === 'string' && foldCase(value) === 'type';
}

/** A literal type name: `Namespace.Provider/type[/child]`, never an expression. */
function literalType(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.startsWith('[')) return undefined;
  return /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+(\/[A-Za-z0-9-]+)+$/.test(value) ? foldCase(value) : undefined;
}

function key(condition: Record<string, unknown>, name: string): unknown {
  const found = Object.keys(condition).find(k => foldCase(k) === name);
  return found === undefined ? undefined : condition[found];
}

function intersect(a: TypeSet, b: TypeSet): TypeSet {
  if (a === null) return b;
  if (b === null) return a;
  return new Set([...a].filter(t => b.has(t)));
}

function union(sets: TypeSet[]): TypeSet {
  if (sets.some(s => s === null)) return null;
  return new Set(sets.flatMap(s => [...(s as Set<string>)]));
}

/** The types a condition can hold for. */
export function typesOfCondition(condition: unknown): TypeSet {
  if (!isObject(condition)) return null;
  const c = condition as Record<string, unknown>;
  const allOf = key(c, 'allof');
  if (Array.isArray(allOf)) return allOf.map(typesOfCondition).reduce<TypeSet>(intersect, null);
  const anyOf = key(c, 'anyof');
  if (Array.isArray(anyOf)) return anyOf.length ? union(anyOf.map(typesOfCondition)) : null;
  if (!isTypeField(key(c, 'field'))) return null;
  const equals = key(c, 'equals');
  if (equals !== undefined) {
    const type = literalType(equals);
    return type ? new Set([type]) : null;
  }
  const within = key(c, 'in');
  if (Array.isArray(within)) {
    const types = within.map(literalType);
    return types.every(t => t !== undefined) ? new Set(types as string[]) : null;
  }
  return null;
}

/** The types a policy rule applies to, plus those its existence effect looks for; null for any. */
export function typesOfRule(rule: Record<string, unknown>): TypeSet {
  const applies = typesOfCondition(rule.if);
  if (applies === null) return null;
  const then = rule.then;
  const details = isObject(then) ? key(then as Record<string, unknown>, 'details') : undefined;
  if (!isObject(details)) return applies;
  const related = key(details as Record<string, unknown>, 'type');
  if (related === undefined) return applies;
  const type = literalType(related);
  return type ? new Set([...applies, type]) : null;
}
