/**
 * Fields: what a `field` condition, a `count.field` and the `field()` function read from a resource.
 * Resource-level fields (`name`, `fullName`, `type`, `kind`, `location`, `id`, `tags`, `identity.*`)
 * are read from the resource; anything with a `/` is a provider alias, resolved through the alias
 * catalog to a property path. `[*]` selects every member of an array: the field then yields a
 * collection of values, and a condition must hold for each of them.
 */
import { Unknown, isObject, type Value } from '../model/value.js';
import type { Resource } from '../model/resource.js';
import { aliasPath } from './aliases.js';
import { getKey, actualKey, pointerToken } from './values.js';

export type Step = { kind: 'key'; key: string; lower: string } | { kind: 'all' };

/** Values selected through a `[*]`: each member's value (undefined when missing), or unknown as a whole. */
export class Collection {
  constructor(
    readonly items: (Value | undefined)[],
    readonly unknown?: Unknown
  ) {}
}

export type Selected = Value | undefined | Collection;

export interface FieldRef {
  /** As written in the definition. */
  text: string;
  /** Where the value comes from: the resource body at `steps`, or one of the resource's own attributes. */
  source: 'json' | 'name' | 'fullName' | 'type' | 'id';
  steps: Step[];
  wildcard: boolean;
  /** Set when the alias was not in the catalog and the path was derived by convention. */
  fallback?: string;
  /** Other paths of a legacy alias that means different properties on different resource types. */
  alternatives?: Step[][];
}

/** Parses a property path: `properties.a.b`, `properties.list[*].x`, `tags['cost center']`, `tags[env]`. */
export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const key = (k: string) => steps.push({ kind: 'key', key: k, lower: k.toLowerCase() });
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      const inner = close < 0 ? path.slice(i + 1) : path.slice(i + 1, close);
      i = close < 0 ? path.length : close + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else key(inner.replace(/^'(.*)'$/s, '$1').replace(/''/g, "'"));
    } else {
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      key(path.slice(i, j));
      i = j;
    }
  }
  return steps;
}

const resourceFields: Record<string, FieldRef['source']> = {
  name: 'name',
  fullname: 'fullName',
  type: 'type',
  id: 'id'
};

/** Resolves a field name as written in a definition. */
export function resolveField(text: string): FieldRef {
  const lower = text.toLowerCase();
  const source = resourceFields[lower];
  if (source) return { text, source, steps: [], wildcard: false };
  if (!text.includes('/')) {
    // kind, location, tags, tags.x, tags['x'], identity.type, identity.userAssignedIdentities, sku.name …:
    // top-level members of the resource body.
    const steps = parsePath(text);
    return { text, source: 'json', steps, wildcard: steps.some(s => s.kind === 'all') };
  }
  const { path, known, paths } = aliasPath(text);
  const steps = parsePath(path);
  return {
    text,
    source: 'json',
    steps,
    wildcard: steps.some(s => s.kind === 'all'),
    fallback: known ? undefined : path,
    alternatives: paths.length > 1 ? paths.slice(1).map(parsePath) : undefined
  };
}

/** Selects a field from the resource body: the first of a legacy alias's paths that the resource has. */
export function selectFromRoot(json: Value, ref: FieldRef): Selected {
  const first = walk(json, ref.steps);
  if (!ref.alternatives || (first !== undefined && !(first instanceof Collection && first.items.length === 0)))
    return first;
  for (const steps of ref.alternatives) {
    const other = walk(json, steps);
    if (other !== undefined && !(other instanceof Collection && other.items.length === 0)) return other;
  }
  return first;
}

/**
 * An unknown met on the way to a field, before its last step: whether the field exists at all
 * is unknown too. An unknown found at the field itself means the property is set to a value
 * that is not known yet, so it exists.
 */
export class UnknownAbove extends Unknown {}

/** Walks `steps` from `start` (index `from` on); a `[*]` turns the result into a Collection. */
export function walk(start: Value | undefined, steps: Step[], from = 0): Selected {
  let cur: Value | undefined = start;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i];
    if (cur instanceof Unknown) {
      const above = cur instanceof UnknownAbove ? cur : new UnknownAbove(cur.reason, cur.key);
      return hasWildcard(steps, i) ? new Collection([], above) : above;
    }
    if (step.kind === 'key') {
      cur = isObject(cur) ? getKey(cur, step.key, step.lower) : undefined;
      if (cur === undefined) return hasWildcard(steps, i + 1) ? new Collection([]) : undefined;
    } else {
      if (!Array.isArray(cur)) return new Collection([]);
      const items: (Value | undefined)[] = [];
      let unknown: Unknown | undefined;
      for (const member of cur) {
        const r = walk(member, steps, i + 1);
        if (r instanceof Collection) {
          unknown ??= r.unknown;
          for (const item of r.items) items.push(item);
        } else {
          items.push(r);
        }
      }
      return new Collection(items, unknown);
    }
  }
  return cur;
}

function hasWildcard(steps: Step[], from: number): boolean {
  for (let i = from; i < steps.length; i++) if (steps[i].kind === 'all') return true;
  return false;
}

/** The last segment of a full resource name (`vault/policy` → `policy`), which is what `name` means in policy. */
export function shortName(resource: Resource): string {
  const slash = resource.name.lastIndexOf('/');
  return slash < 0 ? resource.name : resource.name.slice(slash + 1);
}

export function readResourceField(resource: Resource, source: FieldRef['source']): Value {
  switch (source) {
    case 'name':
      return shortName(resource);
    case 'fullName':
      return resource.name;
    case 'type':
      return resource.type;
    case 'id':
      return resource.id;
    default:
      return null;
  }
}

/** True when `prefix` (a counted `[*]` field) is a leading part of `steps`, member by member. */
export function isPrefix(prefix: Step[], steps: Step[]): boolean {
  if (prefix.length > steps.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const a = prefix[i];
    const b = steps[i];
    if (a.kind !== b.kind) return false;
    if (a.kind === 'key' && b.kind === 'key' && a.lower !== b.lower) return false;
  }
  return true;
}

/**
 * A JSON pointer into the resource body for a field without `[*]`, spelled as the resource spells
 * it where the property exists (`/properties/encryption/keySource`); null for `[*]` fields.
 */
export function pointerFor(json: Value, ref: FieldRef): string | null {
  if (ref.source !== 'json') return ref.source === 'name' || ref.source === 'fullName' ? '/name' : `/${ref.source}`;
  let pointer = '';
  let cur: Value | undefined = json;
  for (const step of ref.steps) {
    if (step.kind === 'all') return pointer || null;
    const key: string = isObject(cur) ? (actualKey(cur, step.lower) ?? step.key) : step.key;
    cur = isObject(cur) ? cur[key] : undefined;
    pointer += `/${pointerToken(key)}`;
  }
  return pointer;
}
