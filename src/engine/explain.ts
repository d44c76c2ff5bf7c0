/**
 * Why a definition's `if` holds for a resource: the conditions that decided it, said in words
 * (`encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault"`), and
 * JSON pointers to the values at fault, most specific first, so a finding lands on the template
 * line that holds the wrong value (or, for a missing property, on its nearest existing parent).
 *
 * Worked out only when a verdict is read, from the raw `if` JSON and the same condition compiler
 * the definition was loaded with (each leaf compiled on first use): loading a definition and the
 * compliant path pay nothing for it.
 */
import { Unknown, isObject, own, type Value } from '../model/value.js';
import { compileCondition, compileCountRange, type Condition, type ConditionCompiler } from './conditions.js';
import type { CountResult } from './count.js';
import { compileString, compileValue, type CompiledValue } from './expressions.js';
import {
  Collection,
  readResourceField,
  resolveField,
  walk,
  type AliasOverride,
  type FieldRef,
  type Step
} from './fields.js';
import { operators, type Operator } from './operators/index.js';
import { booleanOperand } from './operators/exists.js';
import type { Runtime } from './runtime.js';
import { actualKey } from './values.js';
import { escapePointerSegment } from '../model/pointer.js';
import { foldCase } from '../model/foldCase.js';

export interface Explanation {
  /** The deciding conditions, `; `-separated; empty when nothing can be said. */
  text: string;
  /** JSON pointers into the resource body, most specific first. */
  pointers: string[];
}

/**
 * How little a condition says about the fault, lightest first: 0 a property's value; 1 a property's
 * value under a `not`; 2 `kind`, `name` or a gate on the parameters; 3 `type`. Only the lightest
 * conditions that decided are named.
 *
 * Conditions under a `not` come second because that is how rules say what they apply to: the
 * compiled `appliesTo` of a cmk-guard rule, the `if` of a JSON Schema `if`/`then`, and Azure's own
 * built-ins (`not {kind in excludedKinds}`) all select resources through a negated condition, and
 * a reviewer wants to hear about the missing identity, not that the account uses a vault key.
 */
type Weight = 0 | 1 | 2 | 3;

type Node = { kind: 'allof' | 'anyof'; children: Node[] } | { kind: 'not'; inner: Node } | Leaf;

interface FieldSubject {
  kind: 'field';
  /** Fixed at load time; absent when the field is named by an expression. */
  ref?: FieldRef;
  name?: CompiledValue;
  /** `fieldLabel` of a fixed `ref`, once worked out. */
  label?: string;
}

interface ValueSubject {
  kind: 'value';
  text: string;
  value: CompiledValue;
  /** Fields the expression reads with a literal `field('…')`: where its value comes from. */
  fields: FieldRef[];
}

interface CountSubject {
  kind: 'count';
  label: string;
  /** The counted `[*]` field (field count) or the counted array (value count). */
  ref?: FieldRef;
  value?: CompiledValue;
  fields: FieldRef[];
  /** How many members the count counts, exactly as the compiled condition counts them. */
  range: (rt: Runtime) => CountResult;
}

interface Leaf {
  kind: 'leaf';
  condition: Condition;
  op: Operator;
  operand: CompiledValue;
  subject: FieldSubject | ValueSubject | CountSubject;
  weight: Weight;
  /** `type` matched against a literal (`type equals "Microsoft.X/y"`): when it holds, it only says what the rule is about. */
  typeScope?: boolean;
  /** What compliance asks (`requirement`) of a leaf whose operand is a constant, when the leaf holds and when not. */
  asked?: { holds?: string; fails?: string };
}

/** Operators that select what matches their operand. */
const matching = new Set(['equals', 'in', 'like', 'match', 'matchinsensitively']);

/** One deciding condition, described. */
interface Fault {
  subject: string;
  actual: string;
  requirement: string;
  pointers: string[];
  weight: Weight;
  /** The property path of a single-valued field that is missing, for leaving out its missing descendants. */
  missing?: Step[];
}

const MAX_PARTS = 4;

const scopeFields: Record<string, Weight> = { type: 3, name: 2, fullname: 2, kind: 2 };

function keyOf(obj: Record<string, unknown>, lower: string): string | undefined {
  return Object.keys(obj).find(k => foldCase(k) === lower);
}

/** The property part of an alias (`Microsoft.CognitiveServices/accounts/encryption.keySource` → `encryption.keySource`). */
export function fieldLabel(text: string): string {
  let depth = 0;
  let cut = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '/' && depth === 0) cut = i;
  }
  return cut < 0 ? text : text.slice(cut + 1);
}

/** A value as a reviewer reads it: JSON, shortened; `missing` for an absent property. */
export function showValue(v: Value | undefined, limit = 80): string {
  if (v === undefined) return 'missing';
  if (v instanceof Unknown) return `unknown (${v.reason})`;
  if (Array.isArray(v)) {
    const items: string[] = [];
    let length = 2;
    for (const item of v) {
      const text = showValue(item, limit);
      if (length + text.length > limit && items.length > 0) {
        items.push(`… (${v.length} in all)`);
        break;
      }
      items.push(text);
      length += text.length + 2;
    }
    return `[${items.join(', ')}]`;
  }
  const text = JSON.stringify(v);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/**
 * What compliance asks of a condition, as the words after "should": the operator when `holds`,
 * its opposite otherwise (a true `notEquals` in the `if` asks that the value *be* the operand).
 */
export function requirement(operator: string, operand: Value, holds: boolean): string {
  // Operands get a little more room than values: an allowed list is worth reading whole.
  const o = showValue(operand, 100);
  const either = (yes: string, no: string) => (holds ? yes : no);
  switch (foldCase(operator)) {
    case 'equals':
      return either(`be ${o}`, `not be ${o}`);
    case 'notequals':
      return either(`not be ${o}`, `be ${o}`);
    case 'exists':
      return (booleanOperand(operand) ?? true) === holds ? 'exist' : 'not exist';
    case 'in':
      return either(`be one of ${o}`, `not be one of ${o}`);
    case 'notin':
      return either(`not be one of ${o}`, `be one of ${o}`);
    case 'like':
      return either(`match ${o}`, `not match ${o}`);
    case 'notlike':
      return either(`not match ${o}`, `match ${o}`);
    case 'match':
      return either(`match the pattern ${o}`, `not match the pattern ${o}`);
    case 'notmatch':
      return either(`not match the pattern ${o}`, `match the pattern ${o}`);
    case 'matchinsensitively':
      return either(`match the pattern ${o} (ignoring case)`, `not match the pattern ${o} (ignoring case)`);
    case 'notmatchinsensitively':
      return either(`not match the pattern ${o} (ignoring case)`, `match the pattern ${o} (ignoring case)`);
    case 'contains':
      return either(`contain ${o}`, `not contain ${o}`);
    case 'notcontains':
      return either(`not contain ${o}`, `contain ${o}`);
    case 'containskey':
      return either(`have the key ${o}`, `not have the key ${o}`);
    case 'notcontainskey':
      return either(`not have the key ${o}`, `have the key ${o}`);
    case 'less':
      return either(`be less than ${o}`, `be at least ${o}`);
    case 'lessorequals':
      return either(`be at most ${o}`, `be greater than ${o}`);
    case 'greater':
      return either(`be greater than ${o}`, `be at most ${o}`);
    case 'greaterorequals':
      return either(`be at least ${o}`, `be less than ${o}`);
    default:
      return either(`satisfy ${operator} ${o}`, `not satisfy ${operator} ${o}`);
  }
}

/** `requirement` of a leaf, worked out once for a constant operand (every resource is asked the same). */
function askedOf(leaf: Leaf, expected: Value, holds: boolean): string {
  if (!('constant' in leaf.operand)) return requirement(leaf.op.name, expected, holds);
  const asked = (leaf.asked ??= {});
  return holds
    ? (asked.holds ??= requirement(leaf.op.name, expected, true))
    : (asked.fails ??= requirement(leaf.op.name, expected, false));
}

/** A condition in short operator form (`securityRules[*].access equals "Allow"`), for a count's `where`. */
function compact(node: unknown): string {
  if (!isObject(node as Value)) return '…';
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  const logical = keys.find(k => ['allof', 'anyof', 'not'].includes(foldCase(k)));
  if (logical) {
    const inner = obj[logical];
    if (foldCase(logical) === 'not') return `not (${compact(inner)})`;
    const parts = (Array.isArray(inner) ? inner : []).map(compact);
    return parts.length === 1 ? parts[0] : `(${parts.join(foldCase(logical) === 'allof' ? ' and ' : ' or ')})`;
  }
  const subject = keys.find(k => ['field', 'value', 'count'].includes(foldCase(k)));
  const op = keys.find(k => operators.has(foldCase(k)));
  if (!subject || !op) return '…';
  const s = obj[subject];
  const label =
    foldCase(subject) === 'count'
      ? `count(${compact((s as Record<string, unknown>)?.where ?? {}) || '…'})`
      : typeof s === 'string'
        ? fieldLabel(s)
        : showValue(s as Value);
  return `${label} ${operators.get(foldCase(op))?.name ?? op} ${showValue(obj[op] as Value, 40)}`;
}

function shorten(text: string, limit = 100): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Fields an expression reads with a literal name: `field('Microsoft.X/y/z')`. */
function fieldsIn(text: string, aliases: AliasOverride | undefined): FieldRef[] {
  const out: FieldRef[] = [];
  for (const m of text.matchAll(/\bfield\(\s*'((?:[^']|'')*)'\s*\)/gi))
    out.push(resolveField(m[1].replace(/''/g, "'"), { aliases }));
  return out;
}

function hasWildcardFrom(steps: Step[], from: number): boolean {
  for (let i = from; i < steps.length; i++) if (steps[i].kind === 'all') return true;
  return false;
}

interface Spot {
  /** The value's pointer, or its nearest existing parent's when `found` is false. */
  pointer: string;
  value: Value | undefined;
  found: boolean;
}

/**
 * Where a field's values are in the resource body, member by member through `[*]`, as `walk`
 * selects them: a property missing before a `[*]` selects no members; one missing at the end is
 * located at its nearest existing parent.
 */
export function locate(json: Value, steps: Step[]): Spot[] {
  const spots: Spot[] = [];
  const go = (cur: Value | undefined, pointer: string, i: number): void => {
    if (i === steps.length) {
      spots.push({ pointer, value: cur, found: true });
      return;
    }
    const step = steps[i];
    if (step.kind === 'all') {
      if (Array.isArray(cur)) cur.forEach((member, index) => go(member, `${pointer}/${index}`, i + 1));
      return;
    }
    const key = isObject(cur) ? (own(cur, step.key) !== undefined ? step.key : actualKey(cur, step.lower)) : undefined;
    if (key === undefined || !isObject(cur) || own(cur, key) === undefined) {
      if (!hasWildcardFrom(steps, i + 1)) spots.push({ pointer, value: undefined, found: false });
      return;
    }
    go(cur[key], `${pointer}/${escapePointerSegment(key)}`, i + 1);
  };
  go(json, '', 0);
  return spots;
}

/** The pointer of a path's value, or of its nearest existing parent (`''` for the resource itself). */
function nearest(json: Value, steps: Step[]): string {
  const firstAll = steps.findIndex(s => s.kind === 'all');
  const prefix = firstAll < 0 ? steps : steps.slice(0, firstAll);
  return locate(json, prefix)[0]?.pointer ?? '';
}

/** The steps a legacy alias with several paths reads on this resource (as `selectFromRoot` chooses). */
function chosenSteps(json: Value, ref: FieldRef): Step[] {
  if (!ref.alternatives) return ref.steps;
  const present = (steps: Step[]) => {
    const v = walk(json, steps);
    return v !== undefined && !(v instanceof Collection && v.items.length === 0);
  };
  if (present(ref.steps)) return ref.steps;
  return ref.alternatives.find(present) ?? ref.steps;
}

function isProperPrefix(prefix: Step[], steps: Step[]): boolean {
  if (prefix.length >= steps.length) return false;
  return prefix.every((s, i) => {
    const t = steps[i];
    return s.kind === t.kind && (s.kind === 'all' || (t.kind === 'key' && s.lower === t.lower));
  });
}

/** How many tokens a pointer has (its slashes), -1 for none. */
function depth(pointer: string | undefined): number {
  if (pointer === undefined) return -1;
  let slashes = 0;
  for (let at = pointer.indexOf('/'); at >= 0; at = pointer.indexOf('/', at + 1)) slashes++;
  return slashes;
}

export class RuleExplainer {
  private tree: Node | undefined;

  constructor(
    private readonly rule: unknown,
    private readonly path: string,
    private readonly compiler: ConditionCompiler
  ) {}

  /** Explains the rule's outcome for the runtime's resource (meant for when the `if` holds). */
  explain(rt: Runtime): Explanation {
    this.tree ??= this.build(this.rule, this.path);
    const faults: Fault[] = [];
    // Each node's truth is worked out once: collecting asks it again of every node on the way down.
    const truths = new Map<Node, boolean | Unknown>();
    this.collect(this.tree, this.truth(this.tree, rt, truths), false, rt, faults, truths);
    return summarise(faults);
  }

  // ---- building the trace tree (once per definition, on first use) ----

  // Leaves were checked when the definition loaded; fresh notes keep its alias remarks from repeating.
  private compile(node: unknown, path: string): Condition {
    return compileCondition(node, path, { ...this.compiler, notes: [], fields: [] });
  }

  private build(node: unknown, path: string): Node {
    const obj = node as Record<string, unknown>;
    const logical = Object.keys(obj).find(k => ['allof', 'anyof', 'not'].includes(foldCase(k)));
    if (logical) {
      const lower = foldCase(logical);
      const inner = obj[logical];
      if (lower === 'not') return { kind: 'not', inner: this.build(inner, `${path}.${logical}`) };
      return {
        kind: lower as 'allof' | 'anyof',
        children: (inner as unknown[]).map((child, i) => this.build(child, `${path}.${logical}[${i}]`))
      };
    }
    return this.leaf(obj, path);
  }

  private leaf(obj: Record<string, unknown>, path: string): Leaf {
    const subjectKey = Object.keys(obj).find(k => ['field', 'value', 'count'].includes(foldCase(k))) as string;
    const opKey = Object.keys(obj).find(k => operators.has(foldCase(k))) as string;
    const op = operators.get(foldCase(opKey)) as Operator;
    const site = (p: string) => ({
      file: this.compiler.file,
      path: p,
      functions: this.compiler.functions,
      declared: this.compiler.declared
    });
    const operand = compileValue(obj[opKey], site(`${path}.${opKey}`));
    const condition = this.compile(obj, path);
    const raw = obj[subjectKey];
    const subjectPath = `${path}.${subjectKey}`;
    switch (foldCase(subjectKey)) {
      case 'field': {
        const text = raw as string;
        if (text.startsWith('[') && !text.startsWith('[[')) {
          return {
            kind: 'leaf',
            condition,
            op,
            operand,
            subject: { kind: 'field', name: compileString(text, site(subjectPath)) },
            weight: 0
          };
        }
        const ref = resolveField(text.startsWith('[[') ? text.slice(1) : text, { aliases: this.compiler.aliases });
        return {
          kind: 'leaf',
          condition,
          op,
          operand,
          subject: { kind: 'field', ref },
          weight: own(scopeFields, foldCase(text)) ?? 0,
          typeScope: foldCase(text) === 'type' && 'constant' in operand && matching.has(foldCase(op.name))
        };
      }
      case 'value': {
        const value = compileValue(raw, site(subjectPath));
        const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
        // A value that reads nothing of the resource (`[parameters('enabled')]`, `[resourceGroup().managedBy]`)
        // gates the rule on its assignment or scope; it is not a fault in the resource.
        const weight: Weight = /\b(field|current)\s*\(/i.test(text) ? 0 : 2;
        return {
          kind: 'leaf',
          condition,
          op,
          operand,
          subject: { kind: 'value', text, value, fields: fieldsIn(text, this.compiler.aliases) },
          weight
        };
      }
      default:
        return { kind: 'leaf', condition, op, operand, subject: this.countSubject(obj, subjectKey, path), weight: 0 };
    }
  }

  private countSubject(obj: Record<string, unknown>, subjectKey: string, path: string): CountSubject {
    const spec = obj[subjectKey] as Record<string, unknown>;
    const fieldKey = keyOf(spec, 'field');
    const valueKey = keyOf(spec, 'value');
    const whereKey = keyOf(spec, 'where');
    const where = whereKey === undefined ? '' : ` where ${shorten(compact(spec[whereKey]), 120)}`;
    const range = compileCountRange(spec, `${path}.${subjectKey}`, { ...this.compiler, notes: [], fields: [] });
    if (fieldKey !== undefined) {
      const text = spec[fieldKey] as string;
      const ref = resolveField(text, { aliases: this.compiler.aliases });
      return {
        kind: 'count',
        label: `count of ${fieldLabel(text)}${where}`,
        ref,
        fields: [],
        range
      };
    }
    const raw = spec[valueKey as string];
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    const value = compileValue(raw, {
      file: this.compiler.file,
      path: `${path}.${subjectKey}.${valueKey}`,
      functions: this.compiler.functions,
      declared: this.compiler.declared
    });
    return {
      kind: 'count',
      label: `count of ${shorten(text)}${where}`,
      value,
      fields: fieldsIn(text, this.compiler.aliases),
      range
    };
  }

  // ---- tracing the decision ----

  private truth(node: Node, rt: Runtime, truths: Map<Node, boolean | Unknown>): boolean | Unknown {
    let value = truths.get(node);
    if (value === undefined) truths.set(node, (value = this.truthOf(node, rt, truths)));
    return value;
  }

  private truthOf(node: Node, rt: Runtime, truths: Map<Node, boolean | Unknown>): boolean | Unknown {
    switch (node.kind) {
      case 'leaf':
        return node.condition(rt);
      case 'not': {
        const v = this.truth(node.inner, rt, truths);
        return typeof v === 'boolean' ? !v : v;
      }
      default: {
        const all = node.kind === 'allof';
        let unknown: Unknown | undefined;
        for (const child of node.children) {
          const v = this.truth(child, rt, truths);
          if (v === !all) return !all;
          if (typeof v !== 'boolean') unknown ??= v;
        }
        return unknown ?? all;
      }
    }
  }

  /**
   * Collects the leaves that gave `node` its value `value`: a true `allOf` (or false `anyOf`) owes
   * it to every child, a false `allOf` (or true `anyOf`) to the children with that value; `not`
   * passes the opposite value down, so a leaf under it is described negated.
   */
  private collect(
    node: Node,
    value: boolean | Unknown,
    negated: boolean,
    rt: Runtime,
    out: Fault[],
    truths: Map<Node, boolean | Unknown>
  ): void {
    if (typeof value !== 'boolean') return;
    switch (node.kind) {
      case 'leaf': {
        const fault = this.describe(node, value, rt);
        if (fault) out.push(negated && fault.weight === 0 ? { ...fault, weight: 1 } : fault);
        return;
      }
      case 'not':
        this.collect(node.inner, this.truth(node.inner, rt, truths), !negated, rt, out, truths);
        return;
      default: {
        const every = (node.kind === 'allof') === value;
        for (const child of node.children) {
          const v = this.truth(child, rt, truths);
          if (every || v === value) this.collect(child, v, negated, rt, out, truths);
        }
      }
    }
  }

  private describe(leaf: Leaf, value: boolean, rt: Runtime): Fault | undefined {
    // "type is X, should not be X" would say nothing: a rule that holds for every X names no fault.
    if (leaf.typeScope && value) return undefined;
    const expected = leaf.operand.get(rt);
    const should = askedOf(leaf, expected, !value);
    const subject = leaf.subject;
    if (subject.kind === 'value') {
      return {
        subject: shorten(subject.text, 80),
        actual: showValue(subject.value.get(rt)),
        requirement: should,
        pointers: subject.fields.map(ref => this.fieldPointer(rt, ref)).filter(p => p !== ''),
        weight: leaf.weight
      };
    }
    if (subject.kind === 'count') {
      const n = countText(subject.range(rt));
      const pointers = [subject.ref, ...subject.fields]
        .filter((ref): ref is FieldRef => ref !== undefined && ref.source === 'json')
        .map(ref => nearest(rt.json, chosenSteps(rt.json, ref)))
        .filter(p => p !== '');
      return {
        subject: subject.label,
        actual: n,
        requirement: should,
        pointers,
        weight: leaf.weight
      };
    }
    let ref = subject.ref;
    if (!ref) {
      const name = subject.name?.get(rt);
      if (name === undefined || name instanceof Unknown) return undefined;
      ref = resolveField(String(name), { aliases: this.compiler.aliases });
    }
    const label = subject.ref ? (subject.label ??= fieldLabel(ref.text)) : fieldLabel(ref.text);
    const weight = subject.ref ? leaf.weight : (own(scopeFields, foldCase(ref.text)) ?? 0);
    if (ref.source !== 'json') {
      const key = ref.source === 'fullName' ? 'name' : ref.source;
      const pointer = actualKey(rt.json, foldCase(key));
      return {
        subject: label,
        actual: showValue(readResourceField(rt.resource, ref.source)),
        requirement: should,
        pointers: pointer === undefined ? [] : [`/${escapePointerSegment(pointer)}`],
        weight
      };
    }
    const steps = chosenSteps(rt.json, ref);
    const spots = locate(rt.json, steps);
    if (!ref.wildcard) {
      const spot = spots[0] ?? { pointer: '', value: undefined, found: false };
      return {
        subject: label,
        actual: spot.found ? showValue(spot.value) : 'missing',
        requirement: should,
        pointers: spot.pointer === '' ? [] : [spot.pointer],
        weight,
        missing: spot.found ? undefined : steps
      };
    }
    // A true [*] condition held for every member; a false one (under `not`) failed for some: those are at fault.
    const atFault = value ? spots : spots.filter(s => leaf.op.test(s.found ? s.value : undefined, expected) === false);
    if (atFault.length === 0) {
      const pointer = nearest(rt.json, steps);
      return {
        subject: label,
        actual: 'empty',
        requirement: should,
        pointers: pointer === '' ? [] : [pointer],
        weight
      };
    }
    const values = atFault.map(s => (s.found ? s.value : undefined));
    return {
      subject: label,
      // showValue says `missing` for a member without the property.
      actual: values.length === 1 ? showValue(values[0]) : showValue(values as Value[]),
      requirement: should,
      pointers: atFault.map(s => s.pointer).filter(p => p !== ''),
      weight
    };
  }

  private fieldPointer(rt: Runtime, ref: FieldRef): string {
    if (ref.source !== 'json') return '';
    return nearest(rt.json, chosenSteps(rt.json, ref));
  }
}

/**
 * The number of members counted, or what is known of it: members whose match is unknown before
 * deployment leave a range [min, max], of which only the lower bound is worth saying.
 */
function countText(count: CountResult): string {
  if (count.whole) return 'not known until deployment';
  if (count.min === count.max) return String(count.min);
  return count.min > 0 ? `at least ${count.min}` : 'not known until deployment';
}

/** Groups the faults by subject, keeps the ones that say most, and orders them most specific first. */
function summarise(all: Fault[]): Explanation {
  let lightest: Weight = 3;
  for (const f of all) if (f.weight < lightest) lightest = f.weight;
  interface Group extends Fault {
    /** The subject folded: faults of one subject in any case are one group. */
    key: string;
    requirements: string[];
  }
  // A finding has a few faults: groups are found by looking through them, not through a map.
  const groups: Group[] = [];
  for (const f of all) {
    if (f.weight !== lightest) continue;
    const key = foldCase(f.subject);
    const g = groups.find(h => h.key === key);
    if (!g) {
      groups.push({ ...f, key, requirements: [f.requirement], pointers: [...f.pointers] });
      continue;
    }
    if (!g.requirements.includes(f.requirement)) g.requirements.push(f.requirement);
    for (const p of f.pointers) if (!g.pointers.includes(p)) g.pointers.push(p);
  }
  // "keyVaultProperties is missing, should exist" already says that its keyName is missing.
  const kept = groups.filter(
    g =>
      !(
        g.missing &&
        g.requirements.every(r => r === 'exist') &&
        groups.some(h => h !== g && h.missing && isProperPrefix(h.missing, g.missing as Step[]))
      )
  );
  const ordered = deepestFirst(kept, g => depth(g.pointers[0]));
  const parts = ordered.map(g => `${g.subject} is ${g.actual}, should ${g.requirements.join(' and ')}`);
  const text =
    parts.length > MAX_PARTS
      ? `${parts.slice(0, MAX_PARTS).join('; ')}; and ${parts.length - MAX_PARTS} more`
      : parts.join('; ');
  const pointers: string[] = [];
  for (const g of ordered) for (const p of g.pointers) if (!pointers.includes(p)) pointers.push(p);
  return { text, pointers: deepestFirst(pointers, depth) };
}

/** The items ordered by their depth, deepest first, in their order where two are as deep (each depth worked out once). */
function deepestFirst<T>(items: T[], depthOf: (item: T) => number): T[] {
  if (items.length < 2) return items;
  return items
    .map((item, i) => ({ item, i, depth: depthOf(item) }))
    .sort((a, b) => b.depth - a.depth || a.i - b.i)
    .map(x => x.item);
}
