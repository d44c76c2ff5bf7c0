/**
 * Which resources a definition is about, as Azure decides it: a resource the rule applies to and
 * whose `if` is false is *compliant*; one it doesn't apply to is not reported at all.
 * https://learn.microsoft.com/azure/governance/policy/concepts/policy-applicability
 *
 * For every effect but the IfNotExists ones, Azure evaluates only the `type`, `name` and `kind`
 * conditions of the `if` and treats every other condition as true (false when negated), with
 * these special cases from the same page:
 * - only `kind` conditions, or only `name` conditions: applies to every resource;
 * - only `type` and `kind`, or only `type` and `name`: only `type` counts;
 * - `type`, `kind` and others: `type` and `kind` count; `type`, `name` and others: `type` and `name`;
 * - "When any conditions (including deployment parameters) include a location condition: Won't be applicable to
 *   subscriptions" (hasLocationCondition).
 */
import { isObject } from '../model/value.js';
import { compileCondition, type Condition, type ConditionCompiler } from './conditions.js';
import { allOf, anyOf, negate } from './logic.js';
import { foldCase } from '../model/foldCase.js';

type FieldClass = 'type' | 'name' | 'kind' | 'other';

const LOGICAL = ['allof', 'anyof', 'not'];

function keyOf(node: Record<string, unknown>, lower: string): string | undefined {
  return Object.keys(node).find(k => foldCase(k) === lower);
}

function classify(node: Record<string, unknown>): FieldClass {
  const fieldKey = keyOf(node, 'field');
  if (fieldKey === undefined || keyOf(node, 'count') !== undefined) return 'other';
  const field = node[fieldKey];
  if (typeof field !== 'string') return 'other';
  const lower = foldCase(field);
  return lower === 'type' || lower === 'name' || lower === 'kind' ? lower : 'other';
}

function collect(node: unknown, found: Set<FieldClass>): void {
  if (!isObject(node as never)) return;
  const obj = node as Record<string, unknown>;
  const logical = Object.keys(obj).find(k => LOGICAL.includes(foldCase(k)));
  if (logical) {
    const inner = obj[logical];
    for (const child of Array.isArray(inner) ? inner : [inner]) collect(child, found);
    return;
  }
  found.add(classify(obj));
}

/** The field classes whose conditions decide applicability, per the special cases above. */
export function consideredFields(rule: unknown): Set<FieldClass> {
  const present = new Set<FieldClass>();
  collect(rule, present);
  const considered = new Set<FieldClass>();
  const others = present.has('other');
  if (!present.has('type')) {
    if (others) {
      if (present.has('name')) considered.add('name');
      if (present.has('kind')) considered.add('kind');
    }
    return considered;
  }
  considered.add('type');
  if (others && present.has('kind')) considered.add('kind');
  if (others && present.has('name')) considered.add('name');
  return considered;
}

/** A condition that holds when the definition applies to the resource. */
export function compileApplicability(rule: unknown, path: string, compiler: ConditionCompiler): Condition {
  const considered = consideredFields(rule);
  const build = (node: unknown, at: string, negated: boolean): Condition => {
    const obj = node as Record<string, unknown>;
    const logical = isObject(node as never) ? Object.keys(obj).find(k => LOGICAL.includes(foldCase(k))) : undefined;
    if (logical) {
      const name = foldCase(logical);
      const inner = obj[logical];
      if (name === 'not') return negate(build(inner, `${at}.${logical}`, !negated));
      const children = (inner as unknown[]).map((child, i) => build(child, `${at}.${logical}[${i}]`, negated));
      return name === 'allof' ? allOf(children) : anyOf(children);
    }
    if (considered.has(classify(obj))) return compileCondition(node, at, { ...compiler, notes: [], fields: [] });
    const constant = !negated;
    return () => constant;
  };
  return build(rule, path, false);
}

/**
 * The same applicability as a condition to compile (generate.ts): the considered conditions as
 * they are, every other one replaced by `{"allOf": []}` (true) or, under an odd number of `not`s,
 * `{"anyOf": []}` (false).
 */
export function applicabilityCondition(rule: unknown): unknown {
  const considered = consideredFields(rule);
  const build = (node: unknown, negated: boolean): unknown => {
    const obj = node as Record<string, unknown>;
    const logical = isObject(node as never) ? Object.keys(obj).find(k => LOGICAL.includes(foldCase(k))) : undefined;
    if (logical) {
      const inner = obj[logical];
      if (foldCase(logical) === 'not') return { [logical]: build(inner, !negated) };
      return { [logical]: (inner as unknown[]).map(child => build(child, negated)) };
    }
    if (considered.has(classify(obj))) return node;
    return negated ? { anyOf: [] } : { allOf: [] };
  };
  return build(rule, false);
}

/**
 * Whether the `if` has a location condition (a `field: "location"` condition anywhere in it, under `not` too), which
 * makes a definition of any effect but the IfNotExists ones "not applicable to subscriptions" (the page's special
 * cases). A `value` condition that reads `field('location')` through an expression is not counted: the page does not
 * say it is one.
 */
export function hasLocationCondition(rule: unknown): boolean {
  if (!isObject(rule as never)) return false;
  const obj = rule as Record<string, unknown>;
  const logical = Object.keys(obj).find(k => LOGICAL.includes(foldCase(k)));
  if (logical) {
    const inner = obj[logical];
    return (Array.isArray(inner) ? inner : [inner]).some(hasLocationCondition);
  }
  if (keyOf(obj, 'count') !== undefined) return false;
  const fieldKey = keyOf(obj, 'field');
  const field = fieldKey === undefined ? undefined : obj[fieldKey];
  return typeof field === 'string' && foldCase(field) === 'location';
}
