/**
 * The meaning a compiled policy has, written as JSON Schema that ajv evaluates: the
 * reference the compiler is checked against (the differential property test), and the
 * ajv vocabulary rule files are validated with. It states each place where the compiler
 * follows Azure rather than JSON Schema:
 *
 * - `const`/`enum` compare as Azure's `equals`/`in`: strings ignoring case, and the
 *   strings "true"/"false" equal the booleans (keywords `azConst`, `azEnum`).
 * - `properties` applies to present members only, as JSON Schema says; the compiler guards each
 *   member's conditions with its presence. But Azure reads every property of a value that is not an
 *   object as missing, so `required` fails on a present value of another type (a string, a number,
 *   an array, null) where JSON Schema would pass it: a request like that is refused by the resource
 *   provider anyway (keyword `type: object` beside `required`). Likewise a field count sees no
 *   members in a value that is not an array, so `minItems` ≥ 1 and `contains` fail on one (`type: array`).
 * - `minLength`/`maxLength` count UTF-16 code units, as Azure's `length()` does
 *   (`azMinLength`, `azMaxLength`); JSON Schema counts code points.
 * - `like` and `match` are Azure's operators, offered as keywords.
 *
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import { linearRegExp } from '../model/regex.js';
import { tooling, type AjvInstance } from '../model/tooling.js';
import { setOwn, type Json } from '../model/value.js';
import { isSchemaObject, type JsonSchema, type SchemaObject } from './context.js';
import { foldCase } from '../model/foldCase.js';

export type { AjvInstance } from '../model/tooling.js';

/** Azure's `equals`: strings ignore case; "true"/"false" equal the booleans. */
export function azureEquals(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') return foldCase(actual) === foldCase(expected);
  if (typeof actual === 'boolean' && typeof expected === 'string') return String(actual) === foldCase(expected);
  if (typeof actual === 'string' && typeof expected === 'boolean') return foldCase(actual) === String(expected);
  if (typeof actual === 'number' || typeof actual === 'boolean') return actual === expected;
  return false;
}

/** Azure's `like`: the whole string, ignoring case, with one optional `*` for any run of characters. */
export function azureLike(actual: unknown, pattern: string): boolean {
  if (typeof actual !== 'string') return false;
  const text = foldCase(actual);
  const star = pattern.indexOf('*');
  if (star < 0) return text === foldCase(pattern);
  const prefix = foldCase(pattern.slice(0, star));
  const suffix = foldCase(pattern.slice(star + 1));
  return text.length >= prefix.length + suffix.length && text.startsWith(prefix) && text.endsWith(suffix);
}

const digit = /^\p{Nd}$/u;
const letter = /^\p{L}$/u;

/** Azure's `match`: `#` a digit, `?` a letter, `.` any character, anything else itself; case-sensitive, whole string. */
export function azureMatch(actual: unknown, pattern: string): boolean {
  if (typeof actual !== 'string' || actual.length !== pattern.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const c = actual[i];
    if (p === '#' ? !digit.test(c) : p === '?' ? !letter.test(c) : p !== '.' && p !== c) return false;
  }
  return true;
}

/**
 * An ajv (draft 2020-12, strict) that knows cmk-guard's `like` and `match` keywords. `validateSchema:
 * false` compiles without checking the schema against the meta-schema first (for schemas already
 * checked); `source` keeps the generated code, for standalone validators made at build time.
 */
export function createRuleAjv(
  options: { allErrors?: boolean; validateSchema?: boolean; source?: boolean } = {}
): AjvInstance {
  // Strict about keywords (an unknown one is an error), not about types: rule schemas cannot use `type` freely.
  const { Ajv2020 } = tooling.get();
  const ajv = new Ajv2020({
    ownProperties: true,
    code: { regExp: linearRegExp, ...(options.source ? { source: true } : {}) },
    ...(options.validateSchema === false ? { validateSchema: false } : {}),
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // `format` is refused by the compiler with its reason, not rejected here.
    validateFormats: false,
    allowUnionTypes: true,
    allErrors: options.allErrors ?? false,
    verbose: options.allErrors ?? false
  });
  ajv.addKeyword({
    keyword: 'like',
    metaSchema: { type: 'string', pattern: '^[^*]*\\*?[^*]*$' },
    validate: (pattern: string, data: unknown) => azureLike(data, pattern)
  });
  ajv.addKeyword({
    keyword: 'match',
    metaSchema: { type: 'string' },
    validate: (pattern: string, data: unknown) => azureMatch(data, pattern)
  });
  return ajv;
}

/** An ajv that also knows the reference keywords `referenceSchema` emits. */
export function createReferenceAjv(): AjvInstance {
  const ajv = createRuleAjv();
  ajv.addKeyword({
    keyword: 'azConst',
    schemaType: ['string', 'number', 'boolean'],
    validate: (expected: Json, data: unknown) => azureEquals(data, expected)
  });
  ajv.addKeyword({
    keyword: 'azEnum',
    schemaType: 'array',
    validate: (expected: Json[], data: unknown) => expected.some(e => azureEquals(data, e))
  });
  ajv.addKeyword({
    keyword: 'azMinLength',
    schemaType: 'number',
    validate: (n: number, data: unknown) => typeof data !== 'string' || data.length >= n
  });
  ajv.addKeyword({
    keyword: 'azMaxLength',
    schemaType: 'number',
    validate: (n: number, data: unknown) => typeof data !== 'string' || data.length <= n
  });
  return ajv;
}

const subschemaLists = ['allOf', 'anyOf', 'oneOf'];
const subschemas = ['not', 'if', 'then', 'else', 'items', 'contains'];
const subschemaMaps = ['properties', '$defs', 'definitions'];

/**
 * `schema` rewritten so that plain ajv gives the verdict the compiled policy gives: Azure's
 * comparisons for `const`/`enum`/lengths, and `required` failing on values that are not objects.
 */
export function referenceSchema(schema: JsonSchema): JsonSchema {
  if (!isSchemaObject(schema)) return schema;
  const out: SchemaObject = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'const') out.azConst = value;
    else if (keyword === 'enum') out.azEnum = value;
    else if (keyword === 'minLength') out.azMinLength = value;
    else if (keyword === 'maxLength') out.azMaxLength = value;
    else if (subschemas.includes(keyword)) out[keyword] = referenceSchema(value as JsonSchema);
    else if (subschemaLists.includes(keyword) && Array.isArray(value)) {
      out[keyword] = value.map(v => referenceSchema(v as JsonSchema));
    } else if (subschemaMaps.includes(keyword) && isSchemaObject(value)) {
      out[keyword] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, referenceSchema(v as JsonSchema)]));
    } else setOwn(out, keyword, value);
  }
  // ajv 8.20 passes `contains` on an empty array met after a non-empty one inside `items`
  // (a stale result); `minItems: 1` says the same thing for the empty case and is checked right.
  if ('contains' in schema && (typeof schema.minContains === 'number' ? schema.minContains : 1) > 0) {
    out.minItems = Math.max(typeof schema.minItems === 'number' ? schema.minItems : 0, 1);
  }
  if (!('type' in schema)) {
    if (Array.isArray(schema.required) && schema.required.length > 0) out.type = 'object';
    else if ((typeof schema.minItems === 'number' && schema.minItems > 0) || out.minItems !== undefined)
      out.type = 'array';
  }
  return out;
}
