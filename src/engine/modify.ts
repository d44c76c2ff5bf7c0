/**
 * Append and Modify: what they do to a create or update request before Deny and Audit see it.
 * "append and modify are then evaluated. Since either could alter the request, a change made might
 * prevent an audit or deny effect from triggering."
 * (https://learn.microsoft.com/azure/governance/policy/concepts/effect-basics#order-of-evaluation)
 *
 * - Append "adds fields to the resource when the if condition of the policy rule is met. If the
 *   append effect would override a value in the original request with a different value, then it
 *   acts as a deny effect and rejects the request. To append a new value to an existing array, use
 *   the [*] version of the alias." (https://learn.microsoft.com/azure/governance/policy/concepts/effect-append)
 * - Modify applies its `operations` (`addOrReplace`, `add`, `remove` — remove for tags only), each
 *   only when its `condition` holds; "If the 'parent' property … isn't present in the request,
 *   modification is skipped"; `identity.type` is modified only on virtual machines and scale sets,
 *   elsewhere the resource "is considered not applicable"; when two Modify definitions change the
 *   same property, `conflictEffect` decides: "the policy definition with deny takes precedence.
 *   Policy definitions with audit skip all operations. If more than one policy definition has the
 *   effect deny, the request is denied as a conflict."
 *   (https://learn.microsoft.com/azure/governance/policy/concepts/effect-modify)
 */
import { EvaluationFailure, Unknown, isObject, isUnknown, setOwn, type Value } from '../model/value.js';
import { compileValue, type CompiledValue, type ExpressionSite } from './expressions.js';
import { resolveField, type AliasOverride, type Step } from './fields.js';
import type { Runtime } from './runtime.js';
import { actualKey, looseEquals } from './values.js';
import { foldCase } from '../model/foldCase.js';

export type Operation = 'addOrReplace' | 'add' | 'remove' | 'append';

/** One property a request change writes. */
export interface FieldChange {
  /** The field as the definition names it: `tags['env']`, an alias. */
  field: string;
  /** Where in the resource body, as a JSON pointer. */
  pointer: string;
  operation: Operation;
  before: Value | undefined;
  after: Value | undefined;
}

export type ConflictEffect = 'deny' | 'audit' | 'disabled';

/** What one Append or Modify definition does to one request whose `if` holds. */
export interface RequestChange {
  changes: FieldChange[];
  /** Azure rejects the request instead (Append would override a value with a different one). */
  refused?: string;
  /** An operation whose condition or target cannot be known before deployment: it may apply or not. */
  unknown?: Unknown;
  /** Azure skips the definition for this resource altogether (identity.type outside VMs and scale sets). */
  notApplicable?: string;
  /** Operations skipped, and why (a parent property the request does not have). */
  skipped: string[];
  conflictEffect: ConflictEffect;
}

interface CompiledOperation {
  operation: Operation;
  field: string;
  steps: Step[];
  value?: CompiledValue;
  condition?: CompiledValue;
}

export interface RequestModifier {
  /** Computes the changes on a request (the runtime's resource); `json` is changed in place. */
  apply(rt: Runtime, json: { [key: string]: Value }): RequestChange;
}

const keyOf = (obj: Record<string, unknown>, lower: string) => Object.keys(obj).find(k => foldCase(k) === lower);

/** Append's `details` (`[{field, value}]`), compiled; undefined when the details are not that shape. */
export function compileAppend(
  details: unknown,
  site: (path: string) => ExpressionSite,
  path: string,
  aliases?: AliasOverride
): RequestModifier | undefined {
  if (!Array.isArray(details)) return undefined;
  const operations: CompiledOperation[] = [];
  details.forEach((pair, i) => {
    if (!isObject(pair as Value)) return;
    const p = pair as Record<string, unknown>;
    const fieldKey = keyOf(p, 'field');
    const valueKey = keyOf(p, 'value');
    if (fieldKey === undefined || typeof p[fieldKey] !== 'string' || valueKey === undefined) return;
    const field = p[fieldKey] as string;
    operations.push({
      operation: 'append',
      field,
      steps: resolveField(field, { aliases }).steps,
      value: compileValue(p[valueKey], site(`${path}[${i}].${valueKey}`))
    });
  });
  return operations.length ? modifier(operations, 'deny') : undefined;
}

/** Modify's `details` (`{operations, conflictEffect}`), compiled; undefined when not that shape. */
export function compileModify(
  details: unknown,
  site: (path: string) => ExpressionSite,
  path: string,
  aliases?: AliasOverride
): RequestModifier | undefined {
  if (!isObject(details as Value)) return undefined;
  const d = details as Record<string, unknown>;
  const opsKey = keyOf(d, 'operations');
  const ops = opsKey === undefined ? undefined : d[opsKey];
  if (!Array.isArray(ops)) return undefined;
  const conflictKey = keyOf(d, 'conflicteffect');
  const conflictRaw = conflictKey === undefined ? 'deny' : d[conflictKey];
  // "Default value is deny." An expression (a parameter) is read when it is a literal only.
  const conflictEffect = (
    typeof conflictRaw === 'string' && /^(audit|deny|disabled)$/i.test(conflictRaw) ? foldCase(conflictRaw) : 'deny'
  ) as ConflictEffect;
  const operations: CompiledOperation[] = [];
  ops.forEach((raw, i) => {
    if (!isObject(raw as Value)) return;
    const op = raw as Record<string, unknown>;
    const at = `${path}.${opsKey}[${i}]`;
    const nameKey = keyOf(op, 'operation');
    const fieldKey = keyOf(op, 'field');
    const valueKey = keyOf(op, 'value');
    const conditionKey = keyOf(op, 'condition');
    const name = nameKey === undefined ? undefined : op[nameKey];
    const field = fieldKey === undefined ? undefined : op[fieldKey];
    if (typeof name !== 'string' || typeof field !== 'string') return;
    // Checked at load when the effect is Modify (details.ts); an effect parameter may never choose it.
    const operation = (['addOrReplace', 'add', 'remove'] as const).find(o => foldCase(o) === foldCase(name));
    if (!operation) return;
    operations.push({
      operation,
      field,
      steps: resolveField(field, { aliases }).steps,
      value: valueKey === undefined ? undefined : compileValue(op[valueKey], site(`${at}.${valueKey}`)),
      condition: conditionKey === undefined ? undefined : compileValue(op[conditionKey], site(`${at}.${conditionKey}`))
    });
  });
  return operations.length ? modifier(operations, conflictEffect) : undefined;
}

function modifier(operations: CompiledOperation[], conflictEffect: ConflictEffect): RequestModifier {
  return {
    apply(rt, json) {
      const result: RequestChange = { changes: [], skipped: [], conflictEffect };
      // An operation's condition or value whose evaluation fails (a template function that errs) is no value to
      // write: "A failed evaluation is an implicit deny" (definition-structure-policy-rule, Avoiding template
      // failures). Operations run on requests only (a template's resources), so the request is refused.
      const fails = (v: Value | undefined, op: CompiledOperation, part: string): boolean => {
        if (!(v instanceof EvaluationFailure)) return false;
        const failed = v.reason.replace(/^depends on /i, '');
        result.refused = `the ${part} of its ${op.operation} operation on ${op.field} fails (${failed}), and Azure takes a failed evaluation as an implicit deny of the request`;
        return true;
      };
      for (const op of operations) {
        if (op.condition) {
          const holds = op.condition.get(rt);
          if (fails(holds, op, 'condition')) return result;
          if (isUnknown(holds)) {
            result.unknown ??= holds;
            continue;
          }
          if (holds !== true && !(typeof holds === 'string' && foldCase(holds) === 'true')) continue;
        }
        if (
          isIdentityType(op.field) &&
          !/^microsoft\.compute\/(virtualmachines|virtualmachinescalesets)$/i.test(rt.resource.type)
        ) {
          result.notApplicable = `Modify changes identity.type only on virtual machines and scale sets, not ${rt.resource.type}`;
          return result;
        }
        const value = op.value ? op.value.get(rt) : undefined;
        if (fails(value, op, 'value')) return result;
        write(json, op, value, result);
        if (result.refused) return result;
      }
      return result;
    }
  };
}

function isIdentityType(field: string): boolean {
  return foldCase(field.replace(/\s/g, '')) === 'identity.type';
}

/** Whether a missing parent may be created: tags, identity, and anything Append adds. */
function mayCreate(op: CompiledOperation, depth: number): boolean {
  if (op.operation === 'append') return true;
  const first = op.steps[0];
  if (first?.kind !== 'key') return false;
  return depth === 0 && (first.lower === 'tags' || first.lower === 'identity');
}

const token = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function write(
  root: { [key: string]: Value },
  op: CompiledOperation,
  value: Value | undefined,
  result: RequestChange
): void {
  const visit = (node: { [key: string]: Value } | Value[], index: number, pointer: string): void => {
    const step = op.steps[index];
    const last = index === op.steps.length - 1;
    if (step.kind === 'all') {
      if (!Array.isArray(node)) return;
      if (last) return;
      node.forEach((member, i) => {
        if (isObject(member) || Array.isArray(member)) visit(member, index + 1, `${pointer}/${i}`);
      });
      return;
    }
    if (Array.isArray(node)) return;
    const key = actualKey(node, step.lower) ?? step.key;
    const here = `${pointer}/${token(key)}`;
    const current = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    if (last) {
      setValue({ node, key, pointer: here, current }, op, value, result);
      return;
    }
    const next = op.steps[index + 1];
    // `x[*]` as the last step: the array at x receives the value (Append with a [*] alias).
    if (next.kind === 'all' && index + 1 === op.steps.length - 1) {
      appendToArray({ node, key, pointer: here, current }, op, value, result);
      return;
    }
    if (isUnknown(current)) {
      result.unknown ??= current;
      return;
    }
    if (current === undefined || current === null) {
      if (!mayCreate(op, index)) {
        result.skipped.push(
          `${op.field}: the request has no ${here.slice(1).replace(/\//g, '.')}, so the operation is skipped`
        );
        return;
      }
      const created: { [key: string]: Value } = {};
      setOwn(node, key, created);
      visit(created, index + 1, here);
      return;
    }
    if (isObject(current) || Array.isArray(current)) visit(current, index + 1, here);
  };
  visit(root, 0, '');
}

/** Where an operation writes: the member `key` of `node`, at `pointer`, whose value is `current`. */
interface Slot {
  node: { [key: string]: Value };
  key: string;
  pointer: string;
  current: Value | undefined;
}

function setValue(
  { node, key, pointer, current }: Slot,
  op: CompiledOperation,
  value: Value | undefined,
  result: RequestChange
): void {
  const change = (after: Value | undefined) =>
    result.changes.push({ field: op.field, pointer, operation: op.operation, before: current, after });
  switch (op.operation) {
    case 'remove':
      if (current === undefined) return;
      delete node[key];
      change(undefined);
      return;
    case 'add':
      if (current !== undefined) return;
      setOwn(node, key, value ?? null);
      change(value);
      return;
    case 'addOrReplace':
      if (current !== undefined && sameValue(current, value)) return;
      setOwn(node, key, value ?? null);
      change(value);
      return;
    case 'append':
      if (current === undefined) {
        setOwn(node, key, value ?? null);
        change(value);
      } else if (!sameValue(current, value)) {
        if (isUnknown(current) || isUnknown(value)) {
          result.unknown ??= isUnknown(current) ? current : (value as Unknown);
          return;
        }
        result.refused = `it would replace ${op.field} (${JSON.stringify(current)}) with ${JSON.stringify(value)}, so Azure rejects the request as a deny would`;
      }
      return;
  }
}

function appendToArray(
  { node, key, pointer, current }: Slot,
  op: CompiledOperation,
  value: Value | undefined,
  result: RequestChange
): void {
  if (isUnknown(current)) {
    result.unknown ??= current;
    return;
  }
  if (op.operation === 'remove') return;
  const items = Array.isArray(value) ? value : [value ?? null];
  const before = Array.isArray(current) ? current : undefined;
  const after = [...(before ?? []), ...items];
  setOwn(node, key, after);
  result.changes.push({ field: op.field, pointer, operation: op.operation, before, after });
}

/** Equal as Azure Policy compares: strings case-insensitively, objects member by member. */
function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every(k => {
      const other = actualKey(b, foldCase(k));
      return other !== undefined && sameValue(a[k], b[other]);
    });
  }
  if (a instanceof Unknown || b instanceof Unknown)
    return a instanceof Unknown && b instanceof Unknown && a.key === b.key;
  return looseEquals(a, b);
}

/** A deep copy of a resource body that keeps unknown values (shared: they never change). */
export function copyBody(value: Value): Value {
  if (Array.isArray(value)) return value.map(copyBody);
  if (isObject(value)) {
    const out: { [key: string]: Value } = {};
    for (const key of Object.keys(value)) setOwn(out, key, copyBody(value[key]));
    return out;
  }
  return value;
}

/** What the changes do, in words: `sets tags.env to "prod"; removes tags.temp`. */
export function describeChanges(changes: FieldChange[]): string {
  return changes
    .map(c => {
      const where = c.pointer.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~');
      if (c.after === undefined) return `removes ${where}`;
      const shown = isUnknown(c.after) ? `<${c.after.reason}>` : JSON.stringify(c.after);
      if (c.before === undefined) return `adds ${where} = ${shown}`;
      return `sets ${where} to ${shown} (was ${isUnknown(c.before) ? `<${c.before.reason}>` : JSON.stringify(c.before)})`;
    })
    .join('; ');
}
