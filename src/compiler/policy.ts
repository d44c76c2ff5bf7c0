/**
 * Typed constructors for Azure Policy conditions. The compiler builds every condition
 * through these, never by concatenating strings, so the emitted JSON is well formed and
 * its key order is fixed (the same rule always gives the same bytes).
 *
 * Constructors fold constants (`allOf` with a false member is false, `not(not(x))` is x)
 * so a schema keyword that can never be violated leaves no trace in the output.
 *
 * Operators: https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import type { Json } from '../model/value.js';

export type FieldOperator =
  | 'equals'
  | 'notEquals'
  | 'in'
  | 'notIn'
  | 'like'
  | 'notLike'
  | 'match'
  | 'notMatch'
  | 'exists'
  | 'less'
  | 'lessOrEquals'
  | 'greater'
  | 'greaterOrEquals';

export type Condition =
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'field'; readonly field: string; readonly op: FieldOperator; readonly operand: Json }
  | { readonly kind: 'value'; readonly value: Json; readonly op: FieldOperator; readonly operand: Json }
  | {
      readonly kind: 'count';
      readonly field: string;
      readonly where: Condition | null;
      readonly op: CountOperator;
      readonly operand: number;
    }
  | { readonly kind: 'allOf'; readonly of: readonly Condition[] }
  | { readonly kind: 'anyOf'; readonly of: readonly Condition[] }
  | { readonly kind: 'not'; readonly of: Condition };

export type CountOperator = 'equals' | 'notEquals' | 'less' | 'lessOrEquals' | 'greater' | 'greaterOrEquals';

export const TRUE: Condition = { kind: 'constant', value: true };
export const FALSE: Condition = { kind: 'constant', value: false };

export function isTrue(condition: Condition): boolean {
  return condition.kind === 'constant' && condition.value;
}

export function isFalse(condition: Condition): boolean {
  return condition.kind === 'constant' && !condition.value;
}

/** A condition on a field (`type`, `location`, `tags['env']`, an alias). */
export function field(name: string) {
  const make = (op: FieldOperator, operand: Json): Condition => ({ kind: 'field', field: name, op, operand });
  return {
    equals: (v: Json) => make('equals', v),
    notEquals: (v: Json) => make('notEquals', v),
    in: (v: Json[]) => make('in', v),
    notIn: (v: Json[]) => make('notIn', v),
    like: (v: string) => make('like', v),
    notLike: (v: string) => make('notLike', v),
    match: (v: string) => make('match', v),
    notMatch: (v: string) => make('notMatch', v),
    exists: (v: boolean) => make('exists', v),
    less: (v: number) => make('less', v),
    lessOrEquals: (v: number) => make('lessOrEquals', v),
    greater: (v: number) => make('greater', v),
    greaterOrEquals: (v: number) => make('greaterOrEquals', v)
  };
}

/** A condition on a value expression, e.g. `[length(field('…'))]`. */
export function value(expression: Json) {
  const make = (op: FieldOperator, operand: Json): Condition => ({ kind: 'value', value: expression, op, operand });
  return {
    less: (v: number) => make('less', v),
    lessOrEquals: (v: number) => make('lessOrEquals', v),
    greater: (v: number) => make('greater', v),
    greaterOrEquals: (v: number) => make('greaterOrEquals', v),
    equals: (v: Json) => make('equals', v)
  };
}

/** An ARM template expression that reads a field: `[field('alias')]`, quoting as ARM does. */
export function fieldExpression(name: string): string {
  // Inside a field count, field() of a [*] alias is a one-member array ("first(field(…))" in the
  // docs' example); current() is the member's value itself. The compiler reads [*] fields only
  // inside the count over their array (items, contains).
  // https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#the-current-function
  const quoted = `'${name.replace(/'/g, "''")}'`;
  return name.includes('[*]') ? `current(${quoted})` : `field(${quoted})`;
}

const countOps: Record<CountOperator, (n: number, k: number) => boolean> = {
  equals: (n, k) => n === k,
  notEquals: (n, k) => n !== k,
  less: (n, k) => n < k,
  lessOrEquals: (n, k) => n <= k,
  greater: (n, k) => n > k,
  greaterOrEquals: (n, k) => n >= k
};

/**
 * A field count: how many members of the `[*]` alias `spec.field` satisfy `spec.where`
 * (all members when there is no `where`), compared with a number. A missing array counts 0.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#field-count
 */
export function count(spec: { field: string; where?: Condition }) {
  const where = spec.where ?? TRUE;
  const make = (op: CountOperator, operand: number): Condition => {
    // Nothing can satisfy `where`: the count is 0 whatever the resource.
    if (isFalse(where)) return countOps[op](0, operand) ? TRUE : FALSE;
    // Counts are never negative.
    if ((op === 'less' && operand <= 0) || (op === 'lessOrEquals' && operand < 0)) return FALSE;
    if ((op === 'greaterOrEquals' && operand <= 0) || (op === 'greater' && operand < 0)) return TRUE;
    return { kind: 'count', field: spec.field, where: isTrue(where) ? null : where, op, operand };
  };
  return {
    equals: (n: number) => make('equals', n),
    notEquals: (n: number) => make('notEquals', n),
    less: (n: number) => make('less', n),
    lessOrEquals: (n: number) => make('lessOrEquals', n),
    greater: (n: number) => make('greater', n),
    greaterOrEquals: (n: number) => make('greaterOrEquals', n)
  };
}

export function allOf(conditions: readonly Condition[]): Condition {
  const members: Condition[] = [];
  for (const c of conditions) {
    if (isFalse(c)) return FALSE;
    if (isTrue(c)) continue;
    if (c.kind === 'allOf') members.push(...c.of);
    else members.push(c);
  }
  const unique = dedupe(members);
  if (unique.length === 0) return TRUE;
  if (unique.length === 1) return unique[0];
  return { kind: 'allOf', of: unique };
}

export function anyOf(conditions: readonly Condition[]): Condition {
  const members: Condition[] = [];
  for (const c of conditions) {
    if (isTrue(c)) return TRUE;
    if (isFalse(c)) continue;
    if (c.kind === 'anyOf') members.push(...c.of);
    else members.push(c);
  }
  const unique = dedupe(members);
  if (unique.length === 0) return FALSE;
  if (unique.length === 1) return unique[0];
  return { kind: 'anyOf', of: unique };
}

const negatedField: Partial<Record<FieldOperator, FieldOperator>> = {
  equals: 'notEquals',
  notEquals: 'equals',
  in: 'notIn',
  notIn: 'in',
  like: 'notLike',
  notLike: 'like',
  match: 'notMatch',
  notMatch: 'match'
};

const negatedCount: Record<CountOperator, CountOperator> = {
  equals: 'notEquals',
  notEquals: 'equals',
  less: 'greaterOrEquals',
  greaterOrEquals: 'less',
  greater: 'lessOrEquals',
  lessOrEquals: 'greater'
};

/**
 * Negation. Operators whose documented negation is exact (`equals`/`notEquals`,
 * `in`/`notIn`, `like`/`notLike`, `match`/`notMatch`, `exists`) are flipped in place; order
 * comparisons on fields are wrapped, because their behaviour on a missing field is not the
 * mirror image of their opposite.
 */
export function not(condition: Condition): Condition {
  switch (condition.kind) {
    case 'constant':
      return condition.value ? FALSE : TRUE;
    case 'not':
      return condition.of;
    case 'field': {
      if (condition.op === 'exists') return { ...condition, operand: !condition.operand };
      const op = negatedField[condition.op];
      return op ? { ...condition, op } : { kind: 'not', of: condition };
    }
    case 'count':
      return { ...condition, op: negatedCount[condition.op] };
    default:
      return { kind: 'not', of: condition };
  }
}

function dedupe(conditions: Condition[]): Condition[] {
  const seen = new Set<string>();
  const out: Condition[] = [];
  for (const c of conditions) {
    const key = JSON.stringify(toPolicyJson(c));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/**
 * The condition as Azure Policy JSON. A bare constant (a rule whose schema can never be
 * violated, say) becomes a `value` condition Azure evaluates to that constant.
 */
export function toPolicyJson(condition: Condition): Json {
  switch (condition.kind) {
    case 'constant':
      return { value: true, equals: condition.value };
    case 'field':
      return { field: condition.field, [condition.op]: condition.operand };
    case 'value':
      return { value: condition.value, [condition.op]: condition.operand };
    case 'count': {
      const spec: { [key: string]: Json } = { field: condition.field };
      if (condition.where) spec.where = toPolicyJson(condition.where);
      return { count: spec, [condition.op]: condition.operand };
    }
    case 'allOf':
      return { allOf: condition.of.map(toPolicyJson) };
    case 'anyOf':
      return { anyOf: condition.of.map(toPolicyJson) };
    case 'not':
      return { not: toPolicyJson(condition.of) };
  }
}
