/**
 * JSON Schema checks for rules that run in pull requests only (relations between resources,
 * transitions between base and head). They use ajv on the resource JSON, with Azure's
 * comparison rules applied to the data first: strings compare case-insensitively, and an
 * unknown value becomes a marker string that no concrete value equals, so that a verdict
 * resting on it can be recognised and reported as indeterminate.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { linearRegExp } from '../model/regex.js';
import { tooling, type AjvInstance } from '../model/tooling.js';
import type { Value } from '../model/value.js';
import { Unknown, isObject, own, setOwn } from '../model/value.js';
import { escapePointerSegment, unescapePointerSegment } from '../model/pointer.js';
import { bundledSchemaChecks } from '../rules/ruleTextCache.generated.js';
import { foldCase } from '../model/foldCase.js';

const UNKNOWN_MARK = '\u0000unknown:';

/** What each unknown met so far is, in words, by its (lower-cased) key: markers carry only the key. */
const reasons = new Map<string, string>();

/**
 * How many of the unknowns a verdict rests on its reason names: the rest are counted ("and 39,995 more"), so a
 * reason's length does not grow with the input (a vault with 40,000 access policies, each one an unknown).
 */
export const LISTED_DEPENDENCIES = 5;

/** An unknown a verdict rests on, in words: what its key stands for, when it is a key met so far. */
export function dependencyWord(key: string): string {
  return reasons.get(foldCase(key)) ?? key;
}

/** "depends on …": the unknowns a verdict rests on, said as people read them, the first few named. */
export function describeDependencies(keys: string[]): string {
  const words = [...new Set(keys.map(dependencyWord))];
  return describeDependencyWords(words.slice(0, LISTED_DEPENDENCIES), words.length);
}

/**
 * "depends on …" for `total` distinct unknowns (in words, see `dependencyWord`) of which `shown` are the first:
 * at most LISTED_DEPENDENCIES are named, the rest counted.
 */
export function describeDependencyWords(shown: readonly string[], total: number): string {
  if (total === 0) return 'depends on values known only after deployment';
  const named = shown.slice(0, LISTED_DEPENDENCIES);
  const more = total - named.length;
  return `depends on ${named.join('; ')}${more > 0 ? `; and ${more.toLocaleString('en-US')} more` : ''}`;
}

/**
 * Azure's view of a value for comparisons: property names and strings lower-cased (ARM treats
 * both case-insensitively), unknowns as marker strings.
 */
export function azureComparable(value: Value): unknown {
  if (value instanceof Unknown) {
    reasons.set(foldCase(value.key), value.reason);
    return UNKNOWN_MARK + foldCase(value.key);
  }
  if (typeof value === 'string') return foldCase(value);
  if (Array.isArray(value)) return value.map(azureComparable);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, foldCase(key), azureComparable(value[key]));
    return out;
  }
  return value;
}

function lowerDeep(value: unknown): unknown {
  if (typeof value === 'string') return foldCase(value);
  if (Array.isArray(value)) return value.map(lowerDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [foldCase(k), lowerDeep(v)])
    );
  }
  return value;
}

const NAME_MAPS = new Set(['properties', '$defs', 'definitions', 'dependentSchemas']);

/** The schema that matches `azureComparable` data: names, constants and `$data` pointers lower-cased. */
export function azureSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(azureSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(schema as Record<string, unknown>)) {
    if (key === 'const' || key === 'enum') {
      setOwn(
        out,
        key,
        inner && typeof inner === 'object' && !Array.isArray(inner) && '$data' in inner
          ? azureSchema(inner)
          : lowerDeep(inner)
      );
    } else if (key === '$data' || key === 'required') {
      setOwn(out, key, lowerDeep(inner));
    } else if (key === 'dependentRequired') {
      setOwn(out, key, lowerDeep(inner));
    } else if (NAME_MAPS.has(key) && inner && typeof inner === 'object') {
      setOwn(
        out,
        key,
        Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).map(([name, sub]) => [foldCase(name), azureSchema(sub)])
        )
      );
    } else if (key === '$ref' && typeof inner === 'string') {
      setOwn(out, key, foldCase(inner));
    } else {
      setOwn(out, key, azureSchema(inner));
    }
  }
  return out;
}

export function isUnknownMark(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(UNKNOWN_MARK);
}

/** The unknown keys found anywhere in a comparable value. */
export function unknownKeys(value: unknown, found: string[] = []): string[] {
  if (isUnknownMark(value)) found.push(value.slice(UNKNOWN_MARK.length));
  else if (Array.isArray(value)) for (const item of value) unknownKeys(item, found);
  else if (value && typeof value === 'object') for (const inner of Object.values(value)) unknownKeys(inner, found);
  return found;
}

export interface SchemaCheck {
  /** true: satisfied; false: violated; 'unknown': the verdict rests on values unknown before deployment. */
  verdict: true | false | 'unknown';
  /** JSON pointer of the first violation, into the checked data. */
  pointer: string | null;
  message: string | null;
  dependsOn: string[];
}

/** The ajv schema checks compile with; `source` keeps the code, for the ones generated at build time. */
export function createCompareAjv(options: { source?: boolean } = {}): AjvInstance {
  const { Ajv2020 } = tooling.get();
  return new Ajv2020({
    // Only the data's own members count: a resource property named `constructor` is not Object's.
    ownProperties: true,
    // Patterns come from rule files and run on resource values: linear time, whatever the pattern.
    code: { regExp: linearRegExp, ...(options.source ? { source: true } : {}) },
    $data: true,
    allErrors: true,
    strictSchema: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // The schemas are the rule files', already checked against JSON Schema's meta-schema when the rules
    // were read (src/rules); checking them again here would compile that meta-schema a second time.
    validateSchema: false
  });
}

let ajv: AjvInstance | undefined;

/**
 * The key a prepared schema's generated check is found by: its JSON text. Null for a value its JSON text
 * would not say exactly (a number that is not finite, -0, `undefined`), which is compiled, never looked up.
 */
export function schemaCheckKey(prepared: unknown): string | null {
  let exact = true;
  const text = JSON.stringify(prepared, (_key, value: unknown) => {
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) exact = false;
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') exact = false;
    return value;
  });
  return exact && text !== undefined ? text : null;
}

/** The validator of a prepared schema: generated at build time for the bundled rules' schemas, else compiled. */
function validatorOf(prepared: unknown): ValidateFunction {
  const key = schemaCheckKey(prepared);
  const generated = key === null ? undefined : bundledSchemaChecks().get(key);
  return generated ?? (ajv ??= createCompareAjv()).compile(prepared as object);
}

/**
 * Where in the data the unknowns stand, as pointer segments, among the values at or above a path
 * the schema reads (`reads`, as a tree): below a value that is not, none is (the data is the whole
 * resource, and a schema reads a few of its values). The root is always looked at. A `*` segment
 * reads an array's items, never an object's members: `items` and `contains` pass over an object,
 * and `properties` and `required` over an array.
 */
export function unknownPaths(value: unknown, reads: ReadTree): string[][] {
  const found: string[][] = [];
  const at: string[] = [];
  const walk = (v: unknown, under: ReadTree[]): void => {
    if (isUnknownMark(v)) found.push(at.slice());
    else if (Array.isArray(v)) v.forEach((item, i) => visit(String(i), item, under, '*'));
    else if (v && typeof v === 'object') for (const [k, item] of Object.entries(v)) visit(k, item, under, k);
  };
  const visit = (segment: string, item: unknown, under: ReadTree[], read: string): void => {
    // The read paths `at` + segment begins, as the nodes of the tree they reach.
    const next: ReadTree[] = [];
    for (const node of under) {
      const reached = node.get(read);
      if (reached) next.push(reached);
    }
    if (next.length === 0) return;
    at.push(segment);
    walk(item, next);
    at.pop();
  };
  walk(value, [reads]);
  return found;
}

/** Read paths as a tree of their segments (`*` stands for any array member): a path begins `at` when the tree holds it. */
export type ReadTree = Map<string, ReadTree>;

export function readTree(paths: string[][]): ReadTree {
  const root: ReadTree = new Map();
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      let child = node.get(segment);
      if (!child) node.set(segment, (child = new Map()));
      node = child;
    }
  }
  return root;
}

/**
 * Every data path a schema reads (through properties, required, items, $data and local $ref), with
 * `*` for any array member: an unknown at or above one of them can change the verdict.
 */
function readPaths(root: unknown): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  const walk = (schema: unknown, at: string[]): void => {
    if (Array.isArray(schema)) return schema.forEach(s => walk(s, at));
    if (!schema || typeof schema !== 'object') return;
    const node = schema as Record<string, unknown>;
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      const key = `${ref}@${at.join('/')}`;
      if (!seen.has(key)) {
        seen.add(key);
        walk(valueAt(root, ref.slice(1)), at);
      }
    }
    for (const [keyword, inner] of Object.entries(node)) {
      if (keyword === 'properties' && inner && typeof inner === 'object') {
        for (const [name, sub] of Object.entries(inner)) {
          out.push([...at, name]);
          walk(sub, [...at, name]);
        }
      } else if (keyword === 'required' && Array.isArray(inner)) {
        for (const name of inner) out.push([...at, String(name)]);
      } else if (keyword === 'items' || keyword === 'contains' || keyword === 'prefixItems') {
        out.push([...at, '*']);
        walk(inner, [...at, '*']);
      } else if (['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'const', 'enum'].includes(keyword)) {
        walk(inner, at);
      }
    }
  };
  walk(root, []);
  // A `$data` pointer is absolute and may stand under any keyword: every one reads its target.
  const everyDataTarget = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    const pointer = (value as { $data?: unknown }).$data;
    if (typeof pointer === 'string' && pointer.startsWith('/'))
      out.push(pointer.split('/').slice(1).map(unescapePointerSegment));
    for (const inner of Array.isArray(value) ? value : Object.values(value)) everyDataTarget(inner);
  };
  everyDataTarget(root);
  return out;
}

const COMPOSITE = new Set(['if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not', '$ref']);

/**
 * A schema check with three outcomes. An unknown stands in the data as a marker string that no
 * value equals; a violation found on a marker itself (or against one, through `$data`) rests on
 * the unknown. An unknown that may be an object is tried as an empty object too: when the two
 * runs disagree, the verdict rests on it as well.
 */
export function compileSchemaCheck(schema: unknown): (data: unknown) => SchemaCheck {
  const prepared = azureSchema(schema);
  const validate = validatorOf(prepared);
  const tree = readTree(readPaths(prepared));
  return data => {
    const errors = validate(data) ? [] : ((validate.errors ?? []) as ErrorObject[]).slice();
    const dependsOn = new Set<string>();
    for (const error of errors) {
      if (COMPOSITE.has(error.keyword)) continue;
      const at = valueAt(data, error.instancePath);
      if (isUnknownMark(at)) dependsOn.add(at.slice(UNKNOWN_MARK.length));
      for (const key of unknownKeys(error.params)) dependsOn.add(key);
    }
    if (!errors.length) {
      // Passing may rest on an unknown the schema reads (or an unknown object above what it reads).
      for (const at of unknownPaths(data, tree)) {
        const marker = valueAt(data, '/' + at.map(escapePointerSegment).join('/'));
        if (isUnknownMark(marker)) dependsOn.add(marker.slice(UNKNOWN_MARK.length));
      }
    }
    if (!errors.length && !dependsOn.size) return { verdict: true, pointer: null, message: null, dependsOn: [] };
    const first = errors.find(e => !COMPOSITE.has(e.keyword)) ?? errors[0];
    const where = first
      ? first.instancePath + (first.keyword === 'required' ? `/${String(first.params.missingProperty)}` : '')
      : null;
    return {
      verdict: dependsOn.size ? 'unknown' : false,
      pointer: where,
      message: first ? `${first.instancePath || '/'} ${first.message ?? 'is not valid'}` : null,
      dependsOn: [...dependsOn]
    };
  };
}

/**
 * What of a value a schema check looks at: the members its schema names (lower-cased, as the
 * prepared schema names them), down to values it looks at whole (`whole`, or a node naming nothing
 * below). An array is always looked at whole.
 */
interface Projection {
  whole: boolean;
  members: Map<string, Projection>;
}

/** Keywords that look at a value only when it is not an object, or only at its own named members. */
const MEMBERWISE = new Set([
  'type',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'format',
  'items',
  'prefixItems',
  'contains',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minContains',
  'maxContains',
  'title',
  'description',
  '$comment',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$defs',
  'definitions'
]);

/**
 * The part of a value a prepared schema's check can look at, or null when that may be all of it
 * (a keyword this does not follow: a remote `$ref`, `$id`, a relative `$data`, a `required` taken from data).
 * Every other keyword that looks at a whole value (`const`, `enum`, `additionalProperties`,
 * `minProperties`…, and a `$data` pointer's target) keeps its value whole.
 */
function projectionOf(root: unknown): Projection | null {
  const top: Projection = { whole: false, members: new Map() };
  const nodeAt = (path: string[]): Projection => {
    let node = top;
    for (const segment of path) {
      let next = node.members.get(segment);
      if (!next) node.members.set(segment, (next = { whole: false, members: new Map() }));
      node = next;
    }
    return node;
  };
  const seen = new Set<string>();
  let exact = true;
  const dataTarget = (inner: unknown): void => {
    if (!inner || typeof inner !== 'object' || Array.isArray(inner) || !('$data' in inner)) return;
    const pointer = (inner as { $data: unknown }).$data;
    if (typeof pointer === 'string' && (pointer === '' || pointer.startsWith('/'))) {
      nodeAt(pointer === '' ? [] : pointer.split('/').slice(1).map(unescapePointerSegment)).whole = true;
    } else exact = false;
  };
  // A `$data` pointer is absolute, so one under any keyword (an `items` or `contains` this does not
  // walk into too) reads its target: every target is kept whole.
  const everyDataTarget = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    dataTarget(value);
    for (const inner of Array.isArray(value) ? value : Object.values(value)) everyDataTarget(inner);
  };
  const walk = (schema: unknown, at: string[]): void => {
    if (!exact || typeof schema === 'boolean') return;
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
      exact = false;
      return;
    }
    for (const [keyword, inner] of Object.entries(schema as Record<string, unknown>)) {
      if (keyword === 'properties' && inner && typeof inner === 'object' && !Array.isArray(inner)) {
        for (const [name, sub] of Object.entries(inner)) {
          nodeAt([...at, name]);
          walk(sub, [...at, name]);
        }
      } else if (keyword === 'required' && Array.isArray(inner)) {
        for (const name of inner) nodeAt([...at, String(name)]);
      } else if ((keyword === 'allOf' || keyword === 'anyOf' || keyword === 'oneOf') && Array.isArray(inner)) {
        for (const sub of inner) walk(sub, at);
      } else if (keyword === 'not' || keyword === 'if' || keyword === 'then' || keyword === 'else') {
        walk(inner, at);
      } else if (keyword === '$ref' && typeof inner === 'string' && inner.startsWith('#')) {
        const key = `${inner}@${at.join('/')}`;
        if (!seen.has(key)) {
          seen.add(key);
          walk(valueAt(root, inner.slice(1)), at);
        }
      } else if (keyword === '$ref' || keyword === '$id' || keyword === '$dynamicRef' || keyword === '$recursiveRef') {
        exact = false;
      } else if (!MEMBERWISE.has(keyword)) {
        nodeAt(at).whole = true;
      }
    }
  };
  everyDataTarget(root);
  walk(root, []);
  return exact && !top.whole && top.members.size ? top : null;
}

/** `azureComparable` of the part of a value a projection keeps: the same members, in the same order. */
function projectComparable(value: Value, node: Projection): unknown {
  if (node.whole || !node.members.size || !isObject(value)) return azureComparable(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const lower = foldCase(key);
    const member = node.members.get(lower);
    if (member) setOwn(out, lower, projectComparable(value[key], member));
  }
  return out;
}

/**
 * A schema check of a value as Azure compares it (`azureComparable`), lower-casing only what the
 * schema can look at: a relation rule's `appliesTo` reads a few members of a whole resource.
 */
export function compileValueCheck(schema: unknown): (value: Value) => SchemaCheck {
  const check = compileSchemaCheck(schema);
  const projection = projectionOf(azureSchema(schema));
  return projection ? value => check(projectComparable(value, projection)) : value => check(azureComparable(value));
}

export function valueAt(data: unknown, pointer: string): unknown {
  if (!pointer) return data;
  let current: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = unescapePointerSegment(raw);
    if (current && typeof current === 'object') current = own(current as Record<string, unknown>, key);
    else return undefined;
  }
  return current;
}
