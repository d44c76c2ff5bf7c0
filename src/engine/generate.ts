/**
 * A policy rule's condition as one generated JavaScript function, built once per definition with
 * `new Function` (as ajv builds validators): what the closures of conditions.ts decide, without
 * their cost per resource. Each field is walked once from the root and its prefixes are shared
 * (`properties.encryption` is read once for all the conditions on its members), the common tests
 * (`exists`, `equals` and `in` with literal strings) are written out, and a resource's `Runtime`
 * is made only when a part that was not written out needs one.
 *
 * What the generator does not write out it takes from the interpreter, per condition: `value` and
 * `count` conditions, fields named by expressions, legacy aliases with several paths and every
 * other operator run the same closures `compileCondition` makes, so the two cannot differ there.
 *
 * Definitions come from pull requests, so no text from one ever enters the generated source: every
 * constant (keys, values, sets, closures) is an element of the array the source is given, and the
 * source holds only identifiers and numbers made here.
 */
import { Unknown, type Value } from '../model/value.js';
import type { Resource } from '../model/resource.js';
import { compileLeaf, overSelected, type ConditionCompiler } from './conditions.js';
import { UnknownAbove, readResourceField, unreadable, walk, type FieldRef, type Step } from './fields.js';
import { booleanOperand } from './operators/exists.js';
import type { Truth } from './logic.js';
import type { Runtime } from './runtime.js';
import { getKeyIgnoringCase } from './values.js';
import { foldCase, foldsTo } from '../model/foldCase.js';

/** A generated condition: the truth of the rule's `if` for one resource. */
export type GeneratedCondition = (resource: Resource, parameters: Map<string, Value>, options: unknown) => Truth;

/**
 * What a generated rule answers where its condition is false and the rule does not apply to the
 * resource (its applicability is not true).
 */
export const NOT_APPLICABLE: unique symbol = Symbol('not applicable');

/**
 * A generated rule: the truth of its `if` for one resource and, when that is false and
 * `applicability` is asked for, whether the rule applies to the resource (`false` where it does,
 * `NOT_APPLICABLE` where it does not), both in one call that reads each field once.
 */
export type GeneratedRule = (
  resource: Resource,
  parameters: Map<string, Value>,
  options: unknown,
  applicability: boolean,
  /** True when the caller knows the `vouched` leaf (see `generateRule`) holds for the resource. */
  vouched?: boolean
) => Truth | typeof NOT_APPLICABLE;

/** Makes the resource's runtime, for the parts that need one. */
export type RuntimeMaker = (resource: Resource, parameters: Map<string, Value>, options: unknown) => Runtime;

const ownMember = Object.prototype.hasOwnProperty;

/** One step of a field's path from the root, shared by every field that passes it. */
function stepFrom(cur: Value | undefined, key: string, lower: string): Value | undefined {
  if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
  // As `walk` goes: an unknown met before the last step makes whether the field exists unknown.
  if (cur instanceof Unknown) return cur instanceof UnknownAbove ? cur : new UnknownAbove(cur.reason, cur.key);
  // `getKey`, written out: the exact name first, then any spelling.
  const exact = cur[key];
  if (exact !== undefined && ownMember.call(cur, key)) return exact;
  return getKeyIgnoringCase(cur, lower);
}

/** A prefix of field paths: its variable in the generated code, and its longer prefixes by exact key. */
interface PathNode {
  variable: string;
  children: Map<string, PathNode>;
}

const logicalKeys = new Set(['allof', 'anyof', 'not']);

/** The leaf conditions (not allOf, anyOf or not) of a condition, by identity. */
function leavesOf(node: unknown, into: Set<object>): void {
  if (typeof node !== 'object' || node === null) return;
  const keys = Object.keys(node);
  if (keys.length === 1 && logicalKeys.has(foldCase(keys[0]))) {
    const inner = (node as Record<string, unknown>)[keys[0]];
    for (const child of Array.isArray(inner) ? inner : [inner]) leavesOf(child, into);
    return;
  }
  into.add(node);
}

class Generator {
  private readonly constants: unknown[] = [];
  private readonly strings = new Map<string, string>();
  private readonly lines: string[] = [];
  private readonly pathVariables: string[] = [];
  private readonly root: PathNode = { variable: 'json', children: new Map() };
  private temps = 0;
  private labels = 0;
  /** The leaves (by identity) that the applicability repeats from the condition. */
  private readonly repeated = new Set<object>();
  /** Of those, the variable that holds each one's truth once the condition has worked it out. */
  private readonly leafTruths = new Map<object, string>();

  constructor(
    private readonly compiler: ConditionCompiler,
    /** A leaf whose truth the caller may give (`vouched`): then it is not worked out. */
    private readonly vouched?: object
  ) {}

  /** A constant's identifier in the generated source (its value stays in the array); one per distinct string. */
  constant(value: unknown): string {
    if (typeof value === 'string') {
      const known = this.strings.get(value);
      if (known !== undefined) return known;
    }
    this.constants.push(value);
    const id = `k${this.constants.length - 1}`;
    if (typeof value === 'string') this.strings.set(value, id);
    return id;
  }

  temp(): string {
    this.temps++;
    return `t${this.temps}`;
  }

  /** The expression of the runtime, made at its first use. */
  get runtime(): string {
    return '(rt !== undefined ? rt : (rt = mk(resource, parameters, options)))';
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  /** An expression for the value at `steps` (no `[*]` among them), each prefix read once per call. */
  pathValue(steps: Step[]): string {
    let node = this.root;
    let expression = 'json';
    for (const step of steps) {
      if (step.kind !== 'key') throw new Error('pathValue: a [*] step');
      let child = node.children.get(step.key);
      if (!child) {
        child = { variable: `f${this.pathVariables.length}`, children: new Map() };
        this.pathVariables.push(child.variable);
        node.children.set(step.key, child);
      }
      const v = child.variable;
      const key = this.constant(step.key);
      // Only an own member counts. A value read that is not Object.prototype's own is one: a
      // resource's objects are plain data, inheriting from Object.prototype or nothing, and no
      // data value is one of its functions. A name Object.prototype has (`constructor`, the
      // `__proto__` accessor, whose value depends on the receiver) is always asked of the object.
      const own = step.key in Object.prototype ? `hop.call(o, ${key})` : `(x !== OP[${key}] || hop.call(o, ${key}))`;
      const exact = `typeof o === 'object' && o !== null && !isArray(o) && !(o instanceof UNKNOWN) && (x = o[${key}]) !== undefined && ${own}`;
      expression = `(${v} !== NONE ? ${v} : (${v} = (o = ${expression}, ${exact}) ? x : step(o, ${key}, ${this.constant(step.lower)})))`;
      node = child;
    }
    return expression;
  }

  /** Writes statements that set `target` to the condition's truth. */
  condition(node: unknown, path: string, target: string): void {
    const obj = node as Record<string, unknown>;
    const keys = Object.keys(obj);
    const lower = keys.map(k => foldCase(k));
    if (keys.length === 1 && logicalKeys.has(lower[0])) {
      const key = keys[0];
      const inner = obj[key];
      if (lower[0] === 'not') {
        this.condition(inner, `${path}.${key}`, target);
        this.emit(`if (${target} === true) ${target} = false; else if (${target} === false) ${target} = true;`);
        return;
      }
      const branches = inner as unknown[];
      const all = lower[0] === 'allof';
      if (branches.length === 0) {
        this.emit(`${target} = ${all};`);
        return;
      }
      if (branches.length === 1) {
        this.condition(branches[0], `${path}.${key}[0]`, target);
        return;
      }
      // Kleene: allOf is false at its first false branch, anyOf true at its first true one; else the first unknown.
      const decides = all ? 'false' : 'true';
      const label = `L${++this.labels}`;
      const branch = this.temp();
      this.emit(`${target} = ${all};`);
      this.emit(`${label}: {`);
      branches.forEach((b, i) => {
        this.condition(b, `${path}.${key}[${i}]`, branch);
        this.emit(`if (${branch} === ${decides}) { ${target} = ${decides}; break ${label}; }`);
        this.emit(`if (${branch} !== ${all} && ${target} === ${all}) ${target} = ${branch};`);
      });
      this.emit('}');
      return;
    }
    // A leaf the applicability repeats keeps its truth for it (a read of the truth, not of the resource).
    const memo = this.leafTruths.get(obj);
    if (memo !== undefined) {
      this.emit(`if (${memo} !== NONE) ${target} = ${memo}; else {`);
      this.leaf(obj, path, target);
      this.emit('}');
      return;
    }
    if (obj === this.vouched) {
      this.emit(`if (vouched === true) ${target} = true; else {`);
      this.leaf(obj, path, target);
      this.emit('}');
    } else {
      this.leaf(obj, path, target);
    }
    if (this.repeated.has(obj)) {
      const variable = `m${this.leafTruths.size}`;
      this.leafTruths.set(obj, variable);
      this.emit(`${variable} = ${target};`);
    }
  }

  leaf(obj: Record<string, unknown>, path: string, target: string): void {
    const leaf = compileLeaf(obj, path, { ...this.compiler, notes: [], fields: [] });
    if (leaf.kind === 'other') {
      this.emit(`${target} = ${this.constant(leaf.condition)}(${this.runtime});`);
      return;
    }
    const { ref, op, operand, test } = leaf;
    const constantOperand = 'constant' in operand;
    // The bound test reads the runtime only for an operand that is not a constant.
    const rtArgument = constantOperand ? 'undefined' : this.runtime;
    const testId = this.constant(test);
    const direct = ref !== null ? this.directRead(ref) : undefined;
    if (direct === undefined) {
      // Read as the interpreter reads it (a field named by an expression, an alias with several paths, one that cannot be read).
      const getter = this.constant(leaf.getter);
      this.emit(`${target} = over(${getter}(${this.runtime}), ${testId}, ${rtArgument});`);
      return;
    }
    if (direct.kind === 'collection') {
      this.emit(`${target} = over(${direct.expression}, ${testId}, ${rtArgument});`);
      return;
    }
    const v = this.temp();
    this.emit(`${v} = ${direct.expression};`);
    const expected = constantOperand ? (operand.constant as Value) : undefined;
    const name = op.name;
    if (constantOperand && !leaf.location && name === 'exists') {
      const wanted = booleanOperand(expected as Value) ?? true;
      this.emit(
        `${target} = ${v} === undefined || ${v} === null ? ${!wanted} : ${v} instanceof ABOVE ? ${v} : ${wanted};`
      );
      return;
    }
    if (
      constantOperand &&
      !leaf.location &&
      (name === 'equals' || name === 'notEquals') &&
      typeof expected === 'string'
    ) {
      const negate = name === 'notEquals';
      const lowered = foldCase(expected);
      const e = this.constant(expected);
      const l = this.constant(lowered);
      this.emit(
        `${target} = typeof ${v} === 'string' ? (${v}.length === ${lowered.length} && (${v} === ${e} || foldsTo(${v}, ${l}))) !== ${negate} : ${v} === undefined ? ${negate} : ${testId}(${v}, undefined);`
      );
      return;
    }
    if (
      constantOperand &&
      !leaf.location &&
      (name === 'equals' || name === 'notEquals') &&
      (typeof expected === 'boolean' || (typeof expected === 'number' && Number.isFinite(expected)))
    ) {
      // A value of the operand's own type compares as itself (looseEquals); anything else as the test says.
      const negate = name === 'notEquals';
      const literal = typeof expected === 'boolean' ? String(expected) : this.constant(expected);
      this.emit(
        `${target} = typeof ${v} === '${typeof expected}' ? (${v} === ${literal}) !== ${negate} : ${testId}(${v}, undefined);`
      );
      return;
    }
    if (
      constantOperand &&
      !leaf.location &&
      (name === 'in' || name === 'notIn') &&
      Array.isArray(expected) &&
      expected.every(m => typeof m === 'string')
    ) {
      const negate = name === 'notIn';
      // A value spelled as one of the list's is in it without lower-casing it.
      const exact = this.constant(new Set(expected as string[]));
      const set = this.constant(new Set((expected as string[]).map(s => foldCase(s))));
      this.emit(
        `${target} = typeof ${v} === 'string' ? (${exact}.has(${v}) || ${set}.has(fold(${v}))) !== ${negate} : ${testId}(${v}, undefined);`
      );
      return;
    }
    this.emit(`${target} = ${testId}(${v}, ${rtArgument});`);
  }

  /**
   * How the generated code reads a literal field, as `fieldGetter` reads it at the top of a rule:
   * a single value (`value`), or a `[*]` selection (`collection`); undefined where it reads as the
   * interpreter does.
   */
  directRead(ref: FieldRef): { kind: 'value' | 'collection'; expression: string } | undefined {
    if (unreadable(ref) !== undefined || ref.alternatives) return undefined;
    if (ref.source !== 'json') {
      // The resource's own attributes, read as `readResourceField` reads them.
      const attribute = { type: 'resource.type', id: 'resource.id' }[ref.source as string];
      return { kind: 'value', expression: attribute ?? `readField(resource, ${this.constant(ref.source)})` };
    }
    const firstAll = ref.steps.findIndex(s => s.kind === 'all');
    if (firstAll < 0) return { kind: 'value', expression: this.pathValue(ref.steps) };
    const prefix = this.pathValue(ref.steps.slice(0, firstAll));
    return { kind: 'collection', expression: `walk(${prefix}, ${this.constant(ref.steps)}, ${firstAll})` };
  }

  /**
   * The source of a function of `helpers` and `k` (the constants) that returns the condition's
   * function; with `applicability` (a condition too), where the condition is false and the fourth
   * argument is true, the function answers NOT_APPLICABLE unless that condition is true. Both share
   * the fields read and the runtime, as the interpreter's condition and applicability share one.
   */
  source(node: unknown, path: string, applicability?: unknown): string {
    if (applicability !== undefined) leavesOf(applicability, this.repeated);
    this.condition(node, path, 'result');
    if (applicability !== undefined) {
      this.emit('if (result === false && applicability === true) {');
      this.condition(applicability, path, 'applies');
      this.emit('if (applies !== true) return NA;');
      this.emit('}');
    }
    const declarations = this.constants.map((_, i) => `k${i} = k[${i}]`);
    const temps = Array.from({ length: this.temps }, (_, i) => `t${i + 1}`);
    return [
      "'use strict';",
      'const NONE = helpers.NONE, NA = helpers.NA, ABOVE = helpers.ABOVE, UNKNOWN = helpers.UNKNOWN, step = helpers.step, over = helpers.over, walk = helpers.walk, readField = helpers.readField, mk = helpers.mk, fold = helpers.fold, foldsTo = helpers.foldsTo;',
      'const isArray = Array.isArray, OP = Object.prototype, hop = OP.hasOwnProperty;',
      ...(declarations.length > 0 ? [`const ${declarations.join(', ')};`] : []),
      'return function generatedCondition(resource, parameters, options, applicability, vouched) {',
      'var json = resource.json, rt, result, applies, o, x;',
      ...(this.pathVariables.length > 0 ? [`var ${this.pathVariables.map(v => `${v} = NONE`).join(', ')};`] : []),
      ...(temps.length > 0 ? [`var ${temps.join(', ')};`] : []),
      ...(this.leafTruths.size > 0 ? [`var ${[...this.leafTruths.values()].map(v => `${v} = NONE`).join(', ')};`] : []),
      ...this.lines,
      'return result;',
      '};'
    ].join('\n');
  }

  build(node: unknown, path: string, makeRuntime: RuntimeMaker, applicability?: unknown): GeneratedRule {
    const source = this.source(node, path, applicability);
    const helpers = {
      NONE: Object.freeze({}),
      NA: NOT_APPLICABLE,
      ABOVE: UnknownAbove,
      UNKNOWN: Unknown,
      step: stepFrom,
      over: overSelected,
      walk,
      readField: readResourceField,
      mk: makeRuntime,
      fold: foldCase,
      foldsTo
    };
    const factory = new Function('helpers', 'k', source) as (h: typeof helpers, k: unknown[]) => GeneratedRule;
    return factory(helpers, this.constants);
  }
}

/**
 * The condition `node` (checked by `compileCondition` first) as one generated function. It gives
 * what the compiled closures give for every resource; `makeRuntime` is called at most once per
 * call, and only for the parts that are not written out.
 */
export function generateCondition(
  node: unknown,
  path: string,
  compiler: ConditionCompiler,
  makeRuntime: RuntimeMaker
): GeneratedCondition {
  return new Generator(compiler).build(node, path, makeRuntime) as GeneratedCondition;
}

/**
 * A rule's condition `node` and its applicability (`applicabilityCondition`'s rewrite of it) as one
 * generated function (see `GeneratedRule`): what the compiled closures give for both. `vouched` is a
 * leaf of `node` (by identity) that the function takes to be true, without reading the resource,
 * when its fifth argument is true: the caller must know it holds (the type gate's own leaf).
 */
export function generateRule(
  node: unknown,
  applicability: unknown,
  path: string,
  compiler: ConditionCompiler,
  makeRuntime: RuntimeMaker,
  vouched?: object
): GeneratedRule {
  return new Generator(compiler, vouched).build(node, path, makeRuntime, applicability);
}

/** The generated source of a condition (tests: no text from the definition is in it). */
export function generatedSource(
  node: unknown,
  path: string,
  compiler: ConditionCompiler,
  applicability?: unknown
): string {
  return new Generator(compiler).source(node, path, applicability);
}
