/**
 * Compiles a policy rule's conditions (`if`, `existenceCondition`) into closures: logical
 * operators, `field` and `value` conditions with any operator, and `count`. Malformed conditions
 * are refused with the JSON path of the fault.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule
 */
import { EvaluationFailure, Unknown, hasOwn, isObject, type Value } from '../model/value.js';
import type { FunctionLibrary } from '../expr/evaluate.js';
import {
  countMembers,
  compareCount,
  fieldMembers,
  valueCountIterations,
  VALUE_COUNT_ITERATIONS,
  type CountResult
} from './count.js';
import { DefinitionError } from './errors.js';
import { compileString, compileValue, perAssignment, type CompiledValue } from './expressions.js';
import {
  Collection,
  isPrefix,
  readResourceField,
  resolveField,
  selectFromRoot,
  suggestionText,
  unreadable,
  walk,
  UnknownAbove,
  type AliasOverride,
  type FieldRef,
  type Selected,
  type Step
} from './fields.js';
import { allOf, anyOf, negate, type Predicate, type Truth } from './logic.js';
import { operators, type Operator } from './operators/index.js';
import { booleanOperand, exists } from './operators/exists.js';
import type { Runtime } from './runtime.js';
import { foldCase } from '../model/foldCase.js';

export type Condition = Predicate<Runtime>;

interface CompileScope {
  kind: 'field' | 'value';
  steps: Step[];
  name: string;
}

export interface ConditionCompiler {
  file: string | null;
  functions: FunctionLibrary;
  declared: Set<string>;
  /** The declared type of each parameter (folded name → folded type), for the operands Azure refuses by type. */
  parameterTypes?: Map<string, string>;
  /** Aliases that fell back to the naming convention, and other remarks for the user. */
  notes: string[];
  /** Every field the rule reads, for messages and pointers. */
  fields: FieldRef[];
  /** The resource types the rule tests (`type` equals / in), to suggest aliases of the right type. */
  types?: string[];
  /** Aliases the caller declares beyond the shipped catalog. */
  aliases?: AliasOverride;
}

const logical = new Set(['allof', 'anyof', 'not']);
const subjects = new Set(['field', 'value', 'count']);

function describeKeys(keys: string[]): string {
  return keys.map(k => `"${k}"`).join(', ');
}

/** Reads the selected value of a compiled field reference. */
export type FieldGetter = (rt: Runtime) => Selected;

export function fieldGetter(ref: FieldRef, scopes: CompileScope[]): FieldGetter {
  const cannotRead = unreadable(ref);
  if (cannotRead !== undefined) return () => cannotRead;
  if (ref.source !== 'json') {
    const source = ref.source;
    return rt => readResourceField(rt.resource, source);
  }
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    if (scope.kind === 'field' && isPrefix(scope.steps, ref.steps)) {
      const index = i;
      const from = scope.steps.length;
      const steps = ref.steps;
      return rt => walk(rt.scopes[index].current, steps, from);
    }
  }
  const steps = ref.steps;
  if (ref.alternatives) return rt => selectFromRoot(rt.json, ref);
  if (steps.length === 1 && steps[0].kind === 'key') {
    const { key } = steps[0];
    return rt => {
      const v = rt.json[key];
      return v !== undefined && hasOwn(rt.json, key) ? v : walk(rt.json, steps);
    };
  }
  return rt => walk(rt.json, steps);
}

/**
 * What a `field()` call reads: the member a count is at (innermost counted prefix), else the
 * resource. Inside an existence condition that is the resource that matched `if`, not the related
 * one: "Can use [field()] to check equivalence with values in the if condition" (the
 * auditIfNotExists and deployIfNotExists pages; built-in fc5e4038 "All Internet traffic should be
 * routed via your deployed Azure Firewall" relies on it). An alias of the related resource's own
 * type, which the `if` resource cannot have, reads the related resource (built-in "Configure log
 * retention days for PostgreSQL flexible servers" reads the configuration's value that way).
 */
export function runtimeFieldValue(rt: Runtime, ref: FieldRef): Selected {
  const cannotRead = unreadable(ref);
  if (cannotRead !== undefined) return cannotRead;
  if (ref.source === 'json') {
    for (let i = rt.scopes.length - 1; i >= 0; i--) {
      const scope = rt.scopes[i];
      if (scope.kind === 'field' && isPrefix(scope.steps, ref.steps))
        return walk(scope.current, ref.steps, scope.steps.length);
    }
  }
  const owner = rt.outer && !ofRelatedTypeOnly(ref, rt.resource.type, rt.outer.resource.type) ? rt.outer : rt;
  if (ref.source !== 'json') return readResourceField(owner.resource, ref.source);
  return selectFromRoot(owner.json, ref);
}

/** Whether `ref` is an alias of `relatedType` that a resource of `ifType` cannot have. */
function ofRelatedTypeOnly(ref: FieldRef, relatedType: string, ifType: string): boolean {
  if (!ref.text.includes('/')) return false;
  const aliasType = foldCase(ref.text.slice(0, ref.text.lastIndexOf('/')));
  return aliasType === foldCase(relatedType) && aliasType !== foldCase(ifType);
}

/**
 * Locations compare in any of their spellings: `East US 2` equals `eastus2`.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#fields
 */
function normalizeLocation<T extends Value | undefined>(value: T): T {
  if (typeof value === 'string') return value.replace(/\s+/g, '') as T;
  if (Array.isArray(value)) return value.map(v => normalizeLocation(v)) as T;
  return value;
}

function wildcards(pattern: string): number {
  let n = 0;
  for (const c of pattern) if (c === '*') n++;
  return n;
}

/** The same compiled value, passed through `f`. */
function mapCompiled(value: CompiledValue, f: (v: Value) => Value): CompiledValue {
  if ('constant' in value) {
    const constant = f(value.constant as Value);
    return { ...value, constant, get: () => constant };
  }
  return { ...value, get: rt => f(value.get(rt)) };
}

/**
 * A field named in the definition: refused as Azure refuses it (an alias that does not exist, a path
 * Azure has no field for); an alias the catalog cannot vouch for is noted, and reads as unknown.
 */
export function declareField(c: ConditionCompiler, text: string, path: string): FieldRef {
  const ref = resolveField(text, { types: c.types, aliases: c.aliases });
  if (ref.refused)
    throw new DefinitionError(`${ref.refused.reason}${suggestionText(ref.refused.suggestions)}`, c.file, path);
  const note = ref.unknown
    ? `${path}: ${ref.unknown}; conditions on it are indeterminate.`
    : ref.conventional
      ? `${path}: alias '${text}' exists (an Azure built-in definition uses it) but no public dump gives its path; reading the conventional '${ref.conventional}'.`
      : undefined;
  if (note !== undefined && !c.notes.includes(note)) c.notes.push(note);
  return ref;
}

/** The test of one value a field condition selects (the operator bound to its operand). */
export type LeafTest = (actual: Value | undefined, rt: Runtime) => Truth;

/**
 * A checked condition on one subject. A field condition comes apart into its field (`ref`, null when
 * an expression names it), how it reads it (`getter`), its operator and operand, and the bound test
 * of each value (`location`: values are compared without spaces, the test does that itself); any
 * other condition is its closure.
 */
export type Leaf =
  | {
      kind: 'field';
      ref: FieldRef | null;
      getter: FieldGetter;
      op: Operator;
      operand: CompiledValue;
      location: boolean;
      test: LeafTest;
    }
  | { kind: 'other'; condition: Condition };

/**
 * A field condition's answer for what its field selects. A condition on a [*] field must hold for
 * every selected member: "each element in the array is evaluated individually with logical and
 * between elements", and an `and` of no elements holds. The documented scenario names agree
 * (`{[*], notEquals: x}` is "none match", `not` of it "one or more match"), as do built-ins such as
 * "App Service apps should not have CORS configured to allow every resource" (existenceCondition
 * `allowedOrigins[*]` notEquals `*`, met by an app without CORS).
 * https://learn.microsoft.com/azure/governance/policy/how-to/author-policies-for-arrays#additional--alias-examples
 */
export function overSelected(selected: Selected, test: LeafTest, rt: Runtime): Truth {
  if (!(selected instanceof Collection)) return test(selected, rt);
  if (selected.items.length === 0) return selected.unknown ?? true;
  let unknown: Unknown | undefined;
  for (const item of selected.items) {
    const r = test(item, rt);
    if (r === false) return false;
    if (r !== true) unknown ??= r;
  }
  return unknown ?? selected.unknown ?? true;
}

class Compiler {
  constructor(readonly c: ConditionCompiler) {}

  site(path: string, inCount?: boolean) {
    return {
      file: this.c.file,
      path,
      functions: this.c.functions,
      declared: this.c.declared,
      checkField: (text: string, at: string) => void this.field(text, at, false),
      ...(inCount === undefined ? {} : { inCount })
    };
  }

  error(message: string, path: string): DefinitionError {
    return new DefinitionError(message, this.c.file, path);
  }

  field(text: string, path: string, record = true): FieldRef {
    const ref = declareField(this.c, text, path);
    if (record) this.c.fields.push(ref);
    return ref;
  }

  condition(node: unknown, path: string, scopes: CompileScope[]): Condition {
    if (!isObject(node as Value)) throw this.error('a condition must be an object.', path);
    const obj = node as Record<string, unknown>;
    const keys = Object.keys(obj);
    const lowerKeys = keys.map(k => foldCase(k));
    const logic = keys.filter((_, i) => logical.has(lowerKeys[i]));
    if (logic.length > 0) {
      if (keys.length !== 1) {
        throw this.error(
          `a logical operator stands alone in its object, but this one has ${describeKeys(keys)}; wrap the other parts in "allOf".`,
          path
        );
      }
      const key = keys[0];
      const inner = obj[key];
      const lower = foldCase(key);
      if (lower === 'not') return negate(this.condition(inner, `${path}.${key}`, scopes));
      if (!Array.isArray(inner)) throw this.error(`"${key}" takes an array of conditions.`, `${path}.${key}`);
      const branches = inner.map((b, i) => this.condition(b, `${path}.${key}[${i}]`, scopes));
      if (branches.length === 0) return () => lower === 'allof';
      return lower === 'allof' ? allOf(branches) : anyOf(branches);
    }
    const leaf = this.leaf(obj, keys, lowerKeys, path, scopes);
    if (leaf.kind === 'other') return leaf.condition;
    const { getter, test } = leaf;
    return rt => overSelected(getter(rt), test, rt);
  }

  /**
   * A condition on one subject (`field`, `value` or `count`), checked; a field condition comes apart
   * into what it reads and the test of each value, which the generated code (generate.ts) uses too.
   */
  leaf(obj: Record<string, unknown>, keys: string[], lowerKeys: string[], path: string, scopes: CompileScope[]): Leaf {
    const subject = keys.filter((_, i) => subjects.has(lowerKeys[i]));
    if (subject.length !== 1) {
      throw this.error(
        subject.length === 0
          ? `a condition needs "field", "value", "count", "allOf", "anyOf" or "not"; this one has ${describeKeys(keys) || 'nothing'}.`
          : `a condition has one subject, but this one has ${describeKeys(subject)}.`,
        path
      );
    }
    const rest = keys.filter(k => k !== subject[0]);
    const opKeys = rest.filter(k => operators.has(foldCase(k)));
    const other = rest.filter(k => !operators.has(foldCase(k)));
    if (other.length > 0) {
      throw this.error(
        `${describeKeys(other)} is not a condition operator; use one of: ${[...operators.values()].map(o => o.name).join(', ')}.`,
        `${path}.${other[0]}`
      );
    }
    if (opKeys.length !== 1) {
      throw this.error(
        opKeys.length === 0
          ? `the condition on "${subject[0]}" has no operator (equals, in, like, exists, …).`
          : `a condition has one operator, but this one has ${describeKeys(opKeys)}.`,
        path
      );
    }
    const opKey = opKeys[0];
    const op = operators.get(foldCase(opKey)) as Operator;
    const opPath = `${path}.${opKey}`;
    const subjectKey = subject[0];
    const subjectPath = `${path}.${subjectKey}`;
    const onLocation =
      foldCase(subjectKey) === 'field' &&
      typeof obj[subjectKey] === 'string' &&
      foldCase(obj[subjectKey] as string) === 'location';
    const compiled = compileValue(obj[opKey], this.site(opPath, scopes.length > 0));
    const operand = onLocation ? mapCompiled(compiled, normalizeLocation) : compiled;
    this.checkOperand(op, operand, opPath);
    this.checkParameterOperand(op, obj[opKey], opPath);
    const test = this.bindOperator(op, operand);
    switch (foldCase(subjectKey)) {
      case 'field': {
        const raw = obj[subjectKey];
        const fieldTest: LeafTest = onLocation ? (actual, rt) => test(normalizeLocation(actual), rt) : test;
        const { getter, ref } = this.fieldSubject(raw, subjectPath, scopes);
        return { kind: 'field', ref, getter, op, operand, location: onLocation, test: fieldTest };
      }
      case 'value': {
        const value = compileValue(obj[subjectKey], this.site(subjectPath, scopes.length > 0));
        if (op === exists) {
          // A field set to a value known only later exists; a value known only later may still be null, so whether
          // it exists is unknown (and a failed expression fails the evaluation, it does not exist or not).
          return {
            kind: 'other',
            condition: rt => {
              const v = value.get(rt);
              return v instanceof Unknown ? v : test(v, rt);
            }
          };
        }
        return { kind: 'other', condition: rt => test(value.get(rt), rt) };
      }
      default:
        return { kind: 'other', condition: this.countCondition(obj[subjectKey], subjectPath, scopes, op, operand) };
    }
  }

  checkOperand(op: Operator, operand: CompiledValue, path: string): void {
    if (!('constant' in operand)) return;
    const v = operand.constant;
    if (op.operand === 'boolean' && booleanOperand(v as Value) === undefined) {
      throw this.error(`"${op.name}" takes true or false, not ${JSON.stringify(v)}.`, path);
    }
    if ((op.name === 'like' || op.name === 'notLike') && typeof v === 'string' && wildcards(v) > 1) {
      // "The value shouldn't have more than one wildcard character": a recommendation, and definitions with
      // several exist in the wild; they are matched as globs, each * any run of characters, with a warning.
      // https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
      this.c.notes.push(
        `${path}: the ${op.name} pattern ${JSON.stringify(v)} has ${wildcards(v)} wildcards, where the docs say a pattern shouldn't have more than one; it is matched as a glob (each * any run of characters). Split it into conditions with one * each, or use "match".`
      );
    }
    if (op.operand === 'array' && !Array.isArray(v)) {
      throw this.error(`"${op.name}" takes an array (or an expression giving one), not ${JSON.stringify(v)}.`, path);
    }
  }

  /**
   * Azure refuses to create a definition whose operand is a parameter of the wrong type: an Array parameter where
   * a condition compares one value ("Evaluation result of language expression '[parameters('allowedLocations')]' is
   * type 'Array', expected type is 'String'", author-policies-for-arrays), or one that is not an Array for `in` and
   * `notIn`. Only an operand that is the parameter itself is judged; an expression around it is the author's.
   */
  checkParameterOperand(op: Operator, raw: unknown, path: string): void {
    if (op.operand === 'boolean' || typeof raw !== 'string') return;
    const named = /^\[\s*parameters\(\s*'([^']*)'\s*\)\s*\]$/i.exec(raw);
    const type = named ? this.c.parameterTypes?.get(foldCase(named[1])) : undefined;
    if (type === undefined) return;
    const wanted = op.operand === 'array' ? 'Array' : 'String';
    const refused = op.operand === 'array' ? type !== 'array' : type === 'array' || type === 'object';
    if (!refused) return;
    const given = type === 'array' ? 'Array' : type === 'object' ? 'Object' : type[0].toUpperCase() + type.slice(1);
    throw this.error(
      `"${op.name}" is given ${raw}, a parameter of type ${given}; Azure refuses to create the definition ("Evaluation result of language expression '${raw}' is type '${given}', expected type is '${wanted}'"). ${op.operand === 'array' ? 'Declare the parameter as an Array.' : 'Use "in" or "notIn" for a list of values.'}`,
      path
    );
  }

  bindOperator(op: Operator, operand: CompiledValue): (actual: Value | undefined, rt: Runtime) => Truth {
    if ('constant' in operand) {
      const expected = operand.constant as Value;
      if (op.prepare) {
        const prepared = op.prepare(expected);
        return actual => prepared(actual);
      }
      return actual => op.test(actual, expected);
    }
    if (operand.parametersOnly && op.prepare) {
      const prepare = op.prepare.bind(op);
      const prepared = perAssignment(operand, prepare);
      return (actual, rt) => prepared(rt)(actual);
    }
    return (actual, rt) => op.test(actual, operand.get(rt));
  }

  /** What a field condition reads: its reference, when the field is named literally (not by an expression). */
  fieldSubject(raw: unknown, path: string, scopes: CompileScope[]): { getter: FieldGetter; ref: FieldRef | null } {
    if (typeof raw !== 'string') throw this.error('"field" takes an alias or a resource property name.', path);
    let getter: FieldGetter;
    let ref: FieldRef | null = null;
    if (raw.startsWith('[') && !raw.startsWith('[[')) {
      // A field named by an expression (`[concat('tags[', parameters('tagName'), ']')]`): resolved per run.
      const name = compileString(raw, this.site(path));
      const cache = new Map<string, FieldGetter>();
      getter = rt => {
        const text = name.get(rt);
        // An expression that fails fails the evaluation (it names no field to read); one known only later leaves
        // which field is meant unknown: so is whether it exists.
        if (text instanceof EvaluationFailure) return text;
        if (text instanceof Unknown)
          return text instanceof UnknownAbove ? text : new UnknownAbove(text.reason, text.key);
        const key = String(text);
        let g = cache.get(key);
        if (!g) {
          g = fieldGetter(resolveField(key, { types: this.c.types, aliases: this.c.aliases }), scopes);
          cache.set(key, g);
        }
        return g(rt);
      };
    } else {
      ref = this.field(raw.startsWith('[[') ? raw.slice(1) : raw, path);
      getter = fieldGetter(ref, scopes);
    }
    return { getter, ref };
  }

  countCondition(raw: unknown, path: string, scopes: CompileScope[], op: Operator, operand: CompiledValue): Condition {
    const range = this.countRange(raw, path, scopes);
    const constant = 'constant' in operand ? (operand.constant as Value) : undefined;
    return rt => compareCount(range(rt), op, constant !== undefined ? constant : operand.get(rt));
  }

  /** How many members a count expression counts, as a range (see `CountResult`). */
  countRange(raw: unknown, path: string, scopes: CompileScope[]): (rt: Runtime) => CountResult {
    if (!isObject(raw as Value))
      throw this.error('"count" takes an object with "field" or "value", and "where".', path);
    const spec = raw as Record<string, unknown>;
    const keyOf = (name: string) => Object.keys(spec).find(k => foldCase(k) === name);
    const fieldKey = keyOf('field');
    const valueKey = keyOf('value');
    const whereKey = keyOf('where');
    const nameKey = keyOf('name');
    const extra = Object.keys(spec).filter(k => ![fieldKey, valueKey, whereKey, nameKey].includes(k));
    if (extra.length > 0) throw this.error(`"count" does not take ${describeKeys(extra)}.`, `${path}.${extra[0]}`);
    if ((fieldKey === undefined) === (valueKey === undefined)) {
      throw this.error('"count" takes exactly one of "field" (a [*] alias) and "value" (an array).', path);
    }
    let members: (rt: Runtime) => Collection;
    let scope: CompileScope;
    if (fieldKey !== undefined) {
      if (nameKey !== undefined) throw this.error('"name" belongs to value counts only.', `${path}.${nameKey}`);
      const text = spec[fieldKey];
      if (typeof text !== 'string') throw this.error('"count.field" takes a [*] alias.', `${path}.${fieldKey}`);
      const ref = this.field(text, `${path}.${fieldKey}`);
      if (!ref.wildcard) {
        throw this.error(
          `"count.field" takes an array alias ending in [*]; '${text}' selects a single value.`,
          `${path}.${fieldKey}`
        );
      }
      let base = -1;
      for (let i = scopes.length - 1; i >= 0; i--) {
        if (scopes[i].kind === 'field' && isPrefix(scopes[i].steps, ref.steps)) {
          base = i;
          break;
        }
      }
      const steps = ref.steps;
      const from = base < 0 ? 0 : scopes[base].steps.length;
      const cannotRead = unreadable(ref);
      members =
        cannotRead instanceof Collection
          ? () => cannotRead
          : rt => fieldMembers(base < 0 ? rt.json : rt.scopes[base].current, steps, from);
      scope = { kind: 'field', steps, name: foldCase(text) };
    } else {
      const value = compileValue(spec[valueKey as string], this.site(`${path}.${valueKey}`));
      members = rt => {
        const v = value.get(rt);
        if (v instanceof Unknown) return new Collection([], v);
        if (Array.isArray(v)) return new Collection(v);
        if (v === null) return new Collection([]);
        return new Collection([], new Unknown(`a count over ${JSON.stringify(v)}, which is not an array`));
      };
      // https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#value-count
      // "count.name … composed of English letters and digits … Optional when the count expression isn't in a
      // child of another count expression. When not provided, the index name is implicitly set to "default"."
      if (nameKey === undefined && scopes.length > 0) {
        throw this.error(
          'a value count inside another count needs a "name", so that current() can tell the two apart.',
          path
        );
      }
      const name = nameKey === undefined ? 'default' : spec[nameKey];
      if (typeof name !== 'string' || !/^[A-Za-z0-9]+$/.test(name)) {
        throw this.error(
          `"count.name" takes a name of English letters and digits, not ${JSON.stringify(name)}.`,
          `${path}.${nameKey}`
        );
      }
      scope = { kind: 'value', steps: [], name: foldCase(name) };
    }
    const where =
      whereKey === undefined ? undefined : this.condition(spec[whereKey], `${path}.${whereKey}`, [...scopes, scope]);
    if (scope.kind === 'field') {
      return rt => {
        const selected = members(rt);
        if (selected.unknown) return { min: 0, max: 0, unknown: selected.unknown, whole: true };
        return countMembers(rt, selected.items, scope, where);
      };
    }
    const literal = spec[valueKey as string];
    if (Array.isArray(literal) && literal.length > VALUE_COUNT_ITERATIONS) {
      throw this.error(tooManyIterations(literal.length), `${path}.${valueKey}`);
    }
    const valuePath = `${path}.${valueKey}`;
    return rt => {
      const selected = members(rt);
      if (selected.unknown) return { min: 0, max: 0, unknown: selected.unknown, whole: true };
      // Azure refuses the definition (or its assignment) past the limit: so is it here, on this resource.
      const iterations = valueCountIterations(rt, selected.items.length);
      if (iterations > VALUE_COUNT_ITERATIONS) throw this.error(tooManyIterations(iterations), valuePath);
      return countMembers(rt, selected.items, scope, where, iterations);
    };
  }
}

function tooManyIterations(iterations: number): string {
  return `this value count iterates ${iterations} times, with the value counts around it; Azure Policy allows at most ${VALUE_COUNT_ITERATIONS} ("Value count expression iteration count", which includes the iterations of the value counts it is inside), and refuses a definition or assignment past it.`;
}

export function compileCondition(node: unknown, path: string, c: ConditionCompiler): Condition {
  return new Compiler(c).condition(node, path, []);
}

/**
 * A condition that is not a logical operator (`field`, `value`, `count`), at the top of a rule
 * (inside no count), checked and compiled as `compileCondition` compiles it.
 */
export function compileLeaf(node: Record<string, unknown>, path: string, c: ConditionCompiler): Leaf {
  const keys = Object.keys(node);
  return new Compiler(c).leaf(
    node,
    keys,
    keys.map(k => foldCase(k)),
    path,
    []
  );
}

/**
 * A top-level count expression (the object under `"count"`) compiled on its own: the range of
 * members it counts for a resource, exactly as the count condition counts them (scopes, `current()`,
 * unknown members). Explanations read a count's number through it.
 */
export function compileCountRange(spec: unknown, path: string, c: ConditionCompiler): (rt: Runtime) => CountResult {
  return new Compiler(c).countRange(spec, path, []);
}
