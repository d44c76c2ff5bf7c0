/**
 * Fields: what a `field` condition, a `count.field` and the `field()` function read from a resource.
 * Resource-level fields (`name`, `fullName`, `type`, `kind`, `location`, `id`, `tags`, `identity.*`)
 * are read from the resource; anything with a `/` is a provider alias, resolved through the alias
 * catalog to a property path. `[*]` selects every member of an array: the field then yields a
 * collection of values, and a condition must hold for each of them.
 */
import { Unknown, isObject, own, type Value } from '../model/value.js';
import type { Resource } from '../model/resource.js';
import { aliasesWithPath, lookupAlias } from './aliases.js';
import { getKey, actualKey } from './values.js';
import { escapePointerSegment } from '../model/pointer.js';
import { foldCase } from '../model/foldCase.js';
import { parseResourceIdChain } from '../model/resourceId.js';

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
  /** Other paths of a legacy alias that means different properties on different resource types. */
  alternatives?: Step[][];
  /** Set when the field cannot be read because the catalog does not know the alias: it reads as unknown. */
  unknown?: string;
  /** Set when Azure refuses the field, so a definition that names it is invalid; with the nearest known names. */
  refused?: { reason: string; suggestions: string[] };
  /** Set when the alias is known to exist but its path follows the naming convention, not a published dump. */
  conventional?: string;
}

/** Parses a property path: `properties.a.b`, `properties.list[*].x`, `tags['cost center']`, `tags[env]`. */
export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const key = (k: string) => steps.push({ kind: 'key', key: k, lower: foldCase(k) });
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

/**
 * Fields that are not aliases: the ones the policy-rule page lists (`kind`, `location`,
 * `identity.type`, tags in every spelling) and `identity.userAssignedIdentities`, which built-in
 * definitions read. Anything else without a `/` is not a field Azure accepts.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#fields
 */
function isBodyField(lower: string): boolean {
  return (
    lower === 'kind' ||
    lower === 'location' ||
    lower === 'identity.type' ||
    lower === 'identity.userassignedidentities' ||
    lower === 'tags' ||
    lower.startsWith('tags.') ||
    lower.startsWith('tags[')
  );
}

const numericIndex = /\[\s*\d+\s*\]/g;

/** Why Azure refuses a field name without `/` that is not one of its own fields. */
function refuseBodyPath(text: string, types: string[] | undefined): FieldRef['refused'] {
  const asAliasPath = text.replace(numericIndex, '[*]');
  const indexed = asAliasPath !== text;
  const suggestions = aliasesWithPath(asAliasPath, types);
  const reason = indexed
    ? `'${text}' indexes an array by position, which no field can: aliases select every member with [*]`
    : `'${text}' is not a field Azure Policy accepts: use name, fullName, kind, type, location, id, identity.type, tags, tags['<name>'], or a provider alias`;
  return { reason, suggestions };
}

/**
 * Aliases a caller knows that the shipped catalog lacks (a provider newer than the catalog's sources,
 * or a test's made-up provider): the alias's default path, or undefined to ask the catalog.
 */
export type AliasOverride = (alias: string) => string | undefined;

export interface ResolveOptions {
  /** The resource types the rule tests: they only sharpen suggestions for a field Azure would refuse. */
  types?: string[];
  aliases?: AliasOverride;
}

/** Resolves a field name as written in a definition. */
export function resolveField(text: string, options: ResolveOptions = {}): FieldRef {
  const { types, aliases } = options;
  const lower = foldCase(text);
  const source = own(resourceFields, lower);
  if (source) return { text, source, steps: [], wildcard: false };
  if (!text.includes('/')) {
    // kind, location, tags, tags.x, tags['x'], identity.type …: top-level members of the resource body.
    const steps = parsePath(text);
    const ref: FieldRef = { text, source: 'json', steps, wildcard: steps.some(s => s.kind === 'all') };
    if (!isBodyField(lower)) ref.refused = refuseBodyPath(text, types);
    return ref;
  }
  const declared = aliases?.(text);
  if (declared !== undefined) {
    const steps = parsePath(declared);
    return { text, source: 'json', steps, wildcard: steps.some(s => s.kind === 'all') };
  }
  const found = lookupAlias(text);
  if (found.status !== 'known') {
    const ref: FieldRef = { text, source: 'json', steps: [], wildcard: /\[\*\]/.test(text) };
    if (found.status === 'refused') ref.refused = { reason: found.reason, suggestions: found.suggestions };
    else ref.unknown = found.reason;
    return ref;
  }
  const steps = parsePath(found.path);
  return {
    text,
    source: 'json',
    steps,
    wildcard: steps.some(s => s.kind === 'all'),
    alternatives: found.paths.length > 1 ? found.paths.slice(1).map(parsePath) : undefined,
    conventional: found.pathSource === 'convention' ? found.path : undefined
  };
}

/** What a field that cannot be read (unknown or refused) selects: an unknown, existence included. */
export function unreadable(ref: FieldRef): Selected | undefined {
  const reason =
    ref.unknown ?? (ref.refused ? `the field '${ref.text}' is not valid: ${ref.refused.reason}` : undefined);
  if (reason === undefined) return undefined;
  const u = new UnknownAbove(reason, `field:${foldCase(ref.text)}`);
  return ref.wildcard ? new Collection([], u) : u;
}

/** The sentence that ends a refusal: the nearest known names, if any. */
export function suggestionText(suggestions: string[]): string {
  if (suggestions.length === 0) return '';
  const quoted = suggestions.map(s => `'${s}'`);
  return `; did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`}?`;
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

/**
 * The names of the last resource an id names, parents first: `/subscriptions/s/resourceGroups/g/providers/
 * Microsoft.Sql/servers/srv1/databases/db1` gives [srv1, db1]; an extension resource's id (`…/providers/X/y/n/
 * providers/Z/w/m`) gives only the chain after the last provider, [m]. Undefined for an id that names no resource
 * under a provider (a subscription, a resource group) or that is not of that shape.
 */
export function nameChainOf(id: string): string[] | undefined {
  return parseResourceIdChain(id)?.names;
}

/**
 * `fullName`: "the resource name prepended by any parent resource names (for example myServer/myDatabase)"
 * (definition-structure-policy-rule#fields). A template's resource and a listing's (`az resource list`) already carry
 * it as their name; a resource read as its GET returns it (a snapshot, a live scope) carries only its own name
 * (`db1`), and its parents' names are in its id. A name that already holds a `/` is taken as the full name.
 */
export function fullNameOf(resource: Resource): string {
  const { name } = resource;
  if (name.includes('/')) return name;
  const chain = nameChainOf(resource.id);
  if (chain === undefined || chain.length < 2 || foldCase(chain[chain.length - 1]) !== foldCase(name)) return name;
  chain[chain.length - 1] = name;
  return chain.join('/');
}

export function readResourceField(resource: Resource, source: FieldRef['source']): Value {
  switch (source) {
    case 'name':
      return shortName(resource);
    case 'fullName':
      return fullNameOf(resource);
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
    cur = isObject(cur) ? own(cur, key) : undefined;
    pointer += `/${escapePointerSegment(key)}`;
  }
  return pointer;
}
