/**
 * Resources for the differential test, generated from what a rule's schemas mention: the
 * properties they name (each sometimes missing), the constants they compare with (and
 * their case variants, and "true"/true), numbers at and around each limit, strings around
 * each length and each like/match pattern (and near misses), arrays empty, short and long.
 * Every object the schemas describe below the root is sometimes absent, sometimes empty and
 * sometimes of another type (a string, a number, a boolean, null, an array); arrays likewise.
 */
import fc from 'fast-check';
import type { Json } from '../../src/model/value.js';
import type { Resource } from '../../src/model/resource.js';
import { regexToMatchPattern } from '../../src/compiler/keywords/pattern.js';

interface Hints {
  props: Map<string, Hints>;
  items: Hints | null;
  array: boolean;
  counts: number[];
  scalars: Json[];
  numbers: number[];
  lengths: number[];
  likes: string[];
  matches: string[];
}

const emptyHints = (): Hints => ({
  props: new Map(),
  items: null,
  array: false,
  counts: [],
  scalars: [],
  numbers: [],
  lengths: [],
  likes: [],
  matches: []
});

type Obj = { [key: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function collect(schema: Json, hints: Hints, root: Json, depth = 0): void {
  if (!isObj(schema) || depth > 20) return;
  const child = (name: string) => {
    let h = hints.props.get(name);
    if (!h) hints.props.set(name, (h = emptyHints()));
    return h;
  };
  if ('const' in schema) hints.scalars.push(schema.const);
  if (Array.isArray(schema.enum)) hints.scalars.push(...schema.enum);
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
    if (typeof schema[k] === 'number') hints.numbers.push(schema[k] as number);
  }
  for (const k of ['minLength', 'maxLength'])
    if (typeof schema[k] === 'number') hints.lengths.push(schema[k] as number);
  for (const k of ['minItems', 'maxItems', 'minContains', 'maxContains']) {
    if (typeof schema[k] === 'number') {
      hints.array = true;
      hints.counts.push(schema[k] as number);
    }
  }
  if (typeof schema.like === 'string') hints.likes.push(schema.like);
  if (typeof schema.match === 'string') hints.matches.push(schema.match);
  if (typeof schema.pattern === 'string') {
    const translated = regexToMatchPattern(schema.pattern);
    if ('pattern' in translated) hints.matches.push(translated.pattern);
  }
  if (Array.isArray(schema.required)) for (const n of schema.required) child(String(n));
  if (isObj(schema.dependentRequired)) {
    for (const [n, deps] of Object.entries(schema.dependentRequired)) {
      child(n);
      if (Array.isArray(deps)) for (const d of deps) child(String(d));
    }
  }
  if (isObj(schema.properties))
    for (const [n, s] of Object.entries(schema.properties)) collect(s, child(n), root, depth + 1);
  for (const k of ['items', 'contains']) {
    if (k in schema) {
      hints.array = true;
      hints.items ??= emptyHints();
      collect(schema[k], hints.items, root, depth + 1);
    }
  }
  for (const k of ['not', 'if', 'then', 'else']) if (k in schema) collect(schema[k], hints, root, depth + 1);
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[k];
    if (Array.isArray(list)) for (const s of list) collect(s, hints, root, depth + 1);
  }
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    let target: Json | undefined = root;
    for (const t of schema.$ref.slice(2).split('/')) target = isObj(target) ? target[t] : undefined;
    if (target !== undefined) collect(target, hints, root, depth + 1);
  }
}

function caseVariants(s: string): string[] {
  const swapped = [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
  return [s, s.toUpperCase(), s.toLowerCase(), swapped];
}

// ASCII only: whether Azure's `match` takes `#`/`?` for digits and letters of other scripts
// is not documented (the reference says yes, as .NET's char.IsDigit/IsLetter do; the engine
// says no). A named difference, left out of the generated values until Azure's answer is known.
const letters = fc.constantFrom(...'abcXYZ'.split(''));
const digits = fc.constantFrom(...'0179'.split(''));
const anyChar = fc.constantFrom(...'a1-.#?Z '.split(''));

function matching(pattern: string): fc.Arbitrary<string> {
  const parts = [...pattern].map(p =>
    p === '#' ? digits : p === '?' ? letters : p === '.' ? anyChar : fc.constant(p)
  );
  return fc.tuple(...parts).map(cs => cs.join(''));
}

function nearMiss(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.nat(), fc.constantFrom('drop', 'add', 'swap')).map(([s, n, how]) => {
    if (s.length === 0) return 'x';
    const i = n % s.length;
    if (how === 'drop') return s.slice(0, i) + s.slice(i + 1);
    if (how === 'add') return s.slice(0, i) + 'q' + s.slice(i);
    return s.slice(0, i) + (s[i] === '9' ? 'a' : '9') + s.slice(i + 1);
  });
}

function scalar(h: Hints): fc.Arbitrary<Json> {
  const options: fc.Arbitrary<Json>[] = [];
  for (const v of h.scalars) {
    if (typeof v === 'string') {
      options.push(fc.constantFrom(...caseVariants(v)), nearMiss(fc.constant(v)));
      if (/^(true|false)$/i.test(v)) options.push(fc.constant(v.toLowerCase() === 'true'));
    } else if (typeof v === 'boolean') {
      options.push(fc.constantFrom(v, !v, String(v), String(v).toUpperCase(), String(!v)));
    } else if (typeof v === 'number') {
      options.push(fc.constantFrom(v, v + 1, v - 1));
    }
  }
  for (const n of h.numbers)
    options.push(fc.constantFrom(n - 1, n - 0.5, n, n + 0.5, n + 1), fc.integer({ min: n - 20, max: n + 20 }));
  for (const l of h.lengths) {
    options.push(
      fc.string({ minLength: Math.max(0, l - 1), maxLength: l + 1, unit: fc.constantFrom('a', 'B', '-', 'é') })
    );
  }
  for (const like of h.likes) {
    const [prefix, suffix = ''] = like.split('*');
    const hit = fc
      .tuple(
        fc.constantFrom(...caseVariants(prefix)),
        fc.string({ maxLength: 4 }),
        fc.constantFrom(...caseVariants(suffix))
      )
      .map(([p, m, s]) => (like.includes('*') ? p + m + s : p));
    options.push(hit, nearMiss(hit));
  }
  for (const m of h.matches)
    options.push(
      matching(m),
      nearMiss(matching(m)),
      matching(m).map(s => s.toUpperCase())
    );
  if (options.length === 0) options.push(fc.constantFrom('a', 'value', ''));
  return fc.oneof(...options);
}

/** A value of another JSON type than an object or array where the schema expects one. */
const wrongType = fc.constantFrom<Json>('text', 0, 7, true, null, [], ['x'], {});

function valueArbitrary(h: Hints, depth: number, name = ''): fc.Arbitrary<Json> {
  // ARM gives every resource a `properties` object: only the objects below it may be of another type.
  const mayBeWrong = !(depth === 1 && name === 'properties');
  if (h.array || h.items) {
    const item = h.items ? valueArbitrary(h.items, depth + 1) : scalar(h);
    const longest = Math.max(3, ...h.counts.map(c => c + 2));
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: Math.min(longest, depth > 1 ? 3 : longest) }) },
      { weight: 1, arbitrary: fc.array(item, { minLength: 8, maxLength: depth > 1 ? 8 : 16 }) },
      { weight: mayBeWrong ? 1 : 0, arbitrary: wrongType.filter(v => !Array.isArray(v)) }
    );
  }
  if (h.props.size > 0) {
    const shape: Record<string, fc.Arbitrary<Json>> = {};
    for (const [childName, child] of h.props) shape[childName] = valueArbitrary(child, depth + 1, childName);
    return fc.oneof(
      { weight: 8, arbitrary: fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Json> },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: mayBeWrong ? 1 : 0, arbitrary: wrongType }
    );
  }
  return scalar(h);
}

/** How a generated resource shapes the objects its schemas describe. */
export interface ShapeCounts {
  /** An object the schemas describe is absent while its parent object is present. */
  absent: boolean;
  /** One is present and empty. */
  empty: boolean;
  /** One is present with another type. */
  wrongType: boolean;
}

/** Which shapes of the described objects (below the root and its `properties`) a resource shows. */
export function shapesOf(schemas: Json[], json: Json): ShapeCounts {
  const hints = emptyHints();
  for (const schema of schemas) collect(schema, hints, schema);
  const out: ShapeCounts = { absent: false, empty: false, wrongType: false };
  const visit = (h: Hints, value: Json | undefined, depth: number) => {
    if (h.props.size === 0 || !isObj(value)) return;
    for (const [name, child] of h.props) {
      if (child.props.size === 0) continue;
      const v = value[name];
      // ARM gives every resource a `properties` object: the root's is not one that may be absent.
      if (depth === 0 && name === 'properties') {
        visit(child, v, depth + 1);
        continue;
      }
      if (v === undefined) out.absent = true;
      else if (!isObj(v)) out.wrongType = true;
      else if (Object.keys(v).length === 0) out.empty = true;
      else visit(child, v, depth + 1);
    }
  };
  visit(hints, json, 0);
  return out;
}

/** Resources of `resourceType` (in case variants, or now and then another type) shaped by the schemas. */
export function resourceArbitrary(resourceTypes: string[], schemas: Json[]): fc.Arbitrary<Resource> {
  const hints = emptyHints();
  for (const schema of schemas) collect(schema, hints, schema);
  const body = valueArbitrary(hints, 0).map(v => (isObj(v) ? v : {}));
  const type = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...resourceTypes.flatMap(caseVariants)) },
    { weight: 1, arbitrary: fc.constant('Microsoft.Storage/storageAccounts') }
  );
  return fc.tuple(type, body).map(([t, json]): Resource => {
    const name = 'res1';
    const full: Obj = { ...json, type: t, name };
    // A location as ARM stores it, without spaces: Azure Policy compares a location field without its spaces
    // (`East US 2` equals `eastus2`, as the engine does), which a JSON Schema keyword does not, and ARM
    // never returns a location with a space for `length()` to count.
    if (typeof full.location === 'string') full.location = full.location.replace(/\s+/g, '');
    return {
      id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/${t}/${name}`,
      type: t,
      name,
      json: full,
      source: null,
      origin: 'snapshot'
    };
  });
}

/**
 * The resource as Azure Policy reads it, for ajv: a member set to null counts as absent (the
 * engine's `exists`, and ARM, treat null as not given), array members stay as they are.
 */
export function asAzureReads(json: unknown): Json {
  if (Array.isArray(json)) return json.map(asAzureReads);
  if (json === null || typeof json !== 'object') return json as Json;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(json)) if (v !== null) out[k] = asAzureReads(v);
  return out;
}

/**
 * The resource as ajv must see it to judge as Azure does: members set to null dropped, a
 * `properties` object always (ARM returns `{}` when a resource sets none), and no identity unless
 * it is an object with a type (ARM requires identity.type; Azure tests an identity by its type).
 */
export function asAzureSees(json: unknown): { [key: string]: Json } {
  const seen: { [key: string]: Json } = { properties: {}, ...(asAzureReads(json) as { [key: string]: Json }) };
  const identity = seen.identity;
  if (identity !== undefined && (!isObj(identity) || !('type' in identity))) delete seen.identity;
  return seen;
}
