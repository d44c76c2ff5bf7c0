import type { Json, Value } from '../../model/value.js';
import { isObject, isUnknown, own } from '../../model/value.js';
import { holdsUnknown } from '../../expr/evaluate.js';

/**
 * The checks ARM makes on a parameter's final value before it deploys anything: its
 * declared type, `allowedValues`, `minValue`/`maxValue` and `minLength`/`maxLength`.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/parameters
 * Returns the sentence to show, or null when the value passes (or is unknown).
 */
export function checkParameterValue(name: string, decl: { [key: string]: Json }, value: Value): string | null {
  if (isUnknown(value)) return null;
  if (value === null && (decl.nullable === true || decl.$ref !== undefined)) return null;
  const type = typeof decl.type === 'string' ? decl.type.toLowerCase() : undefined;
  const typeOk: Record<string, (v: Value) => boolean> = {
    string: v => typeof v === 'string',
    securestring: v => typeof v === 'string',
    int: v => typeof v === 'number' && Number.isInteger(v),
    bool: v => typeof v === 'boolean',
    array: v => Array.isArray(v),
    object: v => isObject(v),
    secureobject: v => isObject(v)
  };
  const check = type === undefined ? undefined : own(typeOk, type);
  if (check && !check(value)) {
    return `The value ${describe(value)} of parameter '${name}' is not of type ${decl.type}; give a value of that type.`;
  }
  if (Array.isArray(decl.allowedValues) && !holdsUnknown(value)) {
    const allowed = decl.allowedValues;
    // For an array parameter every item must be one of the allowed values.
    const candidates = Array.isArray(value) && !allowed.some(a => Array.isArray(a)) ? value : [value];
    const bad = candidates.find(c => !allowed.some(a => sameJson(a, c)));
    if (bad !== undefined) {
      return `The value ${describe(bad)} of parameter '${name}' is not one of its allowedValues (${allowed
        .map(a => JSON.stringify(a))
        .join(', ')}); use one of those.`;
    }
  }
  if (typeof value === 'number') {
    if (typeof decl.minValue === 'number' && value < decl.minValue) {
      return `The value ${value} of parameter '${name}' is below its minValue ${decl.minValue}.`;
    }
    if (typeof decl.maxValue === 'number' && value > decl.maxValue) {
      return `The value ${value} of parameter '${name}' is above its maxValue ${decl.maxValue}.`;
    }
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    const unit = typeof value === 'string' ? 'characters' : 'items';
    if (typeof decl.minLength === 'number' && value.length < decl.minLength) {
      return `The value of parameter '${name}' has ${value.length} ${unit}, fewer than its minLength ${decl.minLength}.`;
    }
    if (typeof decl.maxLength === 'number' && value.length > decl.maxLength) {
      return `The value of parameter '${name}' has ${value.length} ${unit}, more than its maxLength ${decl.maxLength}.`;
    }
  }
  return null;
}

function describe(value: Value): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}

/**
 * ARM compares allowed string values case-insensitively (Bicep's `@allowed` is stricter:
 * https://github.com/Azure/bicep/issues/2489).
 */
function sameJson(a: Json, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every(k => k in b && sameJson((a as { [k: string]: Json })[k], b[k]));
  }
  return false;
}
