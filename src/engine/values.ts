/**
 * How Azure Policy reads and compares resource values: property names match case-insensitively,
 * strings compare case-insensitively, and booleans and numbers compare by their text (`true` equals
 * `"True"`, `2` equals `"2"`).
 */
import { Unknown, hasOwn, isObject, type Value } from '../model/value.js';
import { equalIgnoringCase, foldCase, foldsTo } from '../model/foldCase.js';

/** A property of an object, matching the name exactly first and then case-insensitively. */
export function getKey(obj: { [key: string]: Value }, key: string, lower: string = foldCase(key)): Value | undefined {
  const exact = obj[key];
  if (exact !== undefined && hasOwn(obj, key)) return exact;
  return getKeyIgnoringCase(obj, lower);
}

/** The property whose lower-cased name is `lower` (the first in key order), or undefined. */
export function getKeyIgnoringCase(obj: { [key: string]: Value }, lower: string): Value | undefined {
  for (const k in obj) if (foldsTo(k, lower)) return obj[k];
  return undefined;
}

/** The property name as the object spells it, or undefined. */
export function actualKey(obj: { [key: string]: Value }, lower: string): string | undefined {
  for (const k in obj) if (foldsTo(k, lower)) return k;
  return undefined;
}

/** The text a scalar compares as; undefined for null, arrays and objects. */
export function scalarText(value: Value | undefined): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return undefined;
  }
}

function numeric(text: string): number | undefined {
  if (!/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

/** Azure's equality: case-insensitive for strings, by text for booleans and numbers, deep for arrays and objects. */
export function looseEquals(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!looseEquals(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!looseEquals(a[k], getKey(b, k))) return false;
    return true;
  }
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  const ta = scalarText(a);
  const tb = scalarText(b);
  if (ta === undefined || tb === undefined) return false;
  if (equalIgnoringCase(ta, tb)) return true;
  if (typeof a === 'number' || typeof b === 'number') {
    const na = numeric(ta);
    const nb = numeric(tb);
    return na !== undefined && na === nb;
  }
  return false;
}

const isoDate = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * An ISO 8601 date or date-time as [milliseconds since the epoch, the fraction below a millisecond in
 * 100 ns ticks], so that `2024-05-01T00:00:00Z` (as addDays() gives it) and `2024-05-01T00:00:00.0000000Z`
 * (as utcNow() gives it) order as the same instant; undefined for any other text.
 */
function dateValue(text: string): [number, number] | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== 45) return undefined;
  const m = isoDate.exec(text);
  if (!m) return undefined;
  const fraction = (m[3] ?? '').padEnd(7, '0');
  const ms = Date.parse(
    `${m[1]}T${m[2] ?? '00:00'}${m[2]?.length === 5 ? ':00' : ''}.${fraction.slice(0, 3)}${m[4] ?? 'Z'}`
  );
  return Number.isNaN(ms) ? undefined : [ms, Number(fraction.slice(3))];
}

/**
 * Order for less/greater: numbers numerically (a numeric string counts as a number), ISO 8601
 * dates as instants (the docs' `"less": "dateValue"`), other strings case-insensitively
 * (api-versions order correctly as text). Undefined when the two
 * cannot be ordered (Azure reports an error; the condition does not hold).
 */
export function compareOrder(a: Value | undefined, b: Value | undefined): number | undefined {
  if (a === undefined || b === undefined || a === null || b === null) return undefined;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ta = scalarText(a);
  const tb = scalarText(b);
  if (ta === undefined || tb === undefined) return undefined;
  if (typeof a === 'number' || typeof b === 'number') {
    const na = numeric(ta);
    const nb = numeric(tb);
    if (na === undefined || nb === undefined) return undefined;
    return na - nb;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return undefined;
  const da = dateValue(ta);
  if (da !== undefined) {
    const db = dateValue(tb);
    if (db !== undefined) return da[0] !== db[0] ? da[0] - db[0] : da[1] - db[1];
  }
  const la = foldCase(ta);
  const lb = foldCase(tb);
  return la < lb ? -1 : la > lb ? 1 : 0;
}
