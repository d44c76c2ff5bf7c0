/**
 * Rule-file checks that turn into sentences: ajv's meta-schema errors, schema keywords
 * cmk-guard does not know (with a "did you mean"), keyword values that are not valid JSON
 * Schema, and the checks across fields. Every error found is returned, none thrown.
 */
import type { ErrorObject } from 'ajv';
import { UserError } from '../model/errors.js';
import { own, type Json } from '../model/value.js';
import { knownKeywords } from '../compiler/vocabulary.js';
import { createRuleAjv } from '../compiler/reference.js';
import { generatedValidators } from './tooling.js';
import type { ParsedDocument } from './positions.js';
import { fieldHints, patternHints } from './metaSchema.js';
import { closest } from './suggest.js';
import { escapePointerSegment, splitPointer } from '../model/pointer.js';

/** `/effect/allowed/0` → `effect.allowed[0]`. */
export function displayPath(pointer: string): string {
  let out = '';
  for (const token of splitPointer(pointer)) out += /^\d+$/.test(token) ? `[${token}]` : out ? `.${token}` : token;
  return out;
}

function valueAt(document: Json, pointer: string): Json | undefined {
  let node: Json | undefined = document;
  for (const token of splitPointer(pointer)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (node !== null && typeof node === 'object') node = own(node, token);
    else return undefined;
  }
  return node;
}

function show(value: Json | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describeType(type: string | string[]): string {
  const names: Record<string, string> = {
    string: 'a string',
    object: 'a mapping (an object)',
    array: 'a list',
    boolean: '`true` or `false`',
    number: 'a number',
    integer: 'a whole number',
    null: '`null`'
  };
  return (Array.isArray(type) ? type : [type]).map(t => own(names, t) ?? t).join(' or ');
}

/** What "add it" and "it must be" messages say a field or a pattern is; the rule file's by default. */
export interface SchemaHints {
  fields: Record<string, string>;
  patterns: Record<string, string>;
}

/** ajv errors (from `allErrors`) as user errors at the right line. */
export function metaSchemaErrors(
  errors: ErrorObject[],
  doc: Pick<ParsedDocument, 'file' | 'value' | 'positionOf'>,
  what: string,
  basePointer = '',
  hints: SchemaHints = { fields: fieldHints, patterns: patternHints }
): UserError[] {
  const out: UserError[] = [];
  const anyOfPaths = new Set(errors.filter(e => e.keyword === 'anyOf').map(e => e.instancePath));
  const seen = new Set<string>();
  for (const error of errors) {
    const pointer = basePointer + error.instancePath;
    const path = displayPath(pointer);
    const value = valueAt(doc.value as Json, pointer);
    const at = doc.positionOf(pointer) ?? { file: doc.file };
    let message: string;
    let position = at;
    if (anyOfPaths.has(error.instancePath) && error.keyword !== 'anyOf') continue;
    switch (error.keyword) {
      case 'required': {
        const missing = String(error.params.missingProperty);
        const owner = pointer ? `\`${path}\`` : what;
        message = `${owner} is missing \`${missing}\`; add ${own(hints.fields, missing) ?? `\`${missing}\``}.`;
        break;
      }
      case 'additionalProperties': {
        const extra = String(error.params.additionalProperty);
        const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
        const suggestion = closest(extra, allowed);
        const owner = pointer ? `\`${path}\`` : what;
        message = suggestion
          ? `\`${extra}\` is not a field of ${owner}; did you mean \`${suggestion}\`?`
          : `\`${extra}\` is not a field of ${owner}; remove it (fields: ${allowed.join(', ')}).`;
        position = doc.positionOf(`${pointer}/${escapePointerSegment(extra)}`, true) ?? at;
        break;
      }
      case 'type':
        message = `\`${path}\` must be ${describeType(error.params.type as string | string[])}, not \`${show(value)}\`; change its value.`;
        break;
      case 'enum':
        message = `\`${path}\` is \`${show(value)}\`; change it to one of ${(error.params.allowedValues as Json[]).map(v => `\`${show(v)}\``).join(', ')}.`;
        break;
      case 'pattern':
        message = `\`${path}\` is \`${show(value)}\`; it must be ${own(hints.patterns, String(error.params.pattern)) ?? `text matching \`${String(error.params.pattern)}\``}.`;
        break;
      case 'minLength':
        message = `\`${path}\` is empty; write ${own(hints.fields, splitPointer(pointer).at(-1) ?? '') ?? 'a value'}.`;
        break;
      case 'maxLength':
        message = `\`${path}\` is longer than ${String(error.params.limit)} characters; shorten it.`;
        break;
      case 'minProperties': {
        const fields = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
        message = `\`${path}\` is empty; give ${fields.length ? `at least one of ${fields.map(f => `\`${f}\``).join(', ')}` : 'at least one field'}.`;
        break;
      }
      case 'minItems':
        message = `\`${path}\` is an empty list; list at least ${String(error.params.limit)}.`;
        break;
      case 'uniqueItems':
        message = `\`${path}\` lists \`${show(valueAt(doc.value as Json, `${pointer}/${String(error.params.j)}`))}\` twice; remove the duplicate.`;
        break;
      case 'anyOf':
        message =
          path === 'resourceType'
            ? `\`resourceType\` is \`${show(value)}\`; it must be a full ARM resource type such as \`Microsoft.CognitiveServices/accounts\`, or a list of them.`
            : own(hints.fields, splitPointer(pointer).at(-1) ?? '')
              ? `\`${path}\` is \`${show(value)}\`; it must be ${own(hints.fields, splitPointer(pointer).at(-1) ?? '')}.`
              : `\`${path}\` does not match any of the forms it may take; check its value.`;
        break;
      default:
        message = `\`${path || '(root)'}\` ${error.message ?? 'is not valid'}; fix its value.`;
    }
    const key = `${message}@${position.file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(new UserError(message, position));
  }
  return out;
}

const subschemaKeywords = [
  'not',
  'if',
  'then',
  'else',
  'items',
  'contains',
  'additionalProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'additionalItems',
  'contentSchema'
];
const subschemaListKeywords = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const subschemaMapKeywords = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];

/** Keywords in `schema` (at `pointer` in the file) that are not JSON Schema keywords cmk-guard knows. */
export function unknownKeywordErrors(schema: Json, pointer: string, doc: ParsedDocument): UserError[] {
  const out: UserError[] = [];
  const walk = (node: Json, at: string) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    for (const [keyword, value] of Object.entries(node)) {
      const child = `${at}/${escapePointerSegment(keyword)}`;
      if (!knownKeywords.has(keyword)) {
        const suggestion = closest(keyword, knownKeywords);
        out.push(
          new UserError(
            `\`${keyword}\` is not a JSON Schema keyword cmk-guard knows${suggestion ? `; did you mean \`${suggestion}\`?` : '; remove it, or write what it means with the supported keywords.'}`,
            doc.positionOf(child, true) ?? { file: doc.file }
          )
        );
        continue;
      }
      if (keyword === 'like' && typeof value === 'string' && value.split('*').length > 2) {
        out.push(
          new UserError(
            `\`like\` pattern \`${value}\` has ${value.split('*').length - 1} \`*\` wildcards, but Azure's \`like\` allows one at most; split it with \`anyOf\`.`,
            doc.positionOf(child) ?? { file: doc.file }
          )
        );
      }
      if (subschemaKeywords.includes(keyword)) walk(value, child);
      else if (subschemaListKeywords.includes(keyword) && Array.isArray(value))
        value.forEach((v, i) => walk(v, `${child}/${i}`));
      else if (subschemaMapKeywords.includes(keyword) && value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, v] of Object.entries(value)) walk(v, `${child}/${escapePointerSegment(name)}`);
      }
    }
  };
  walk(schema, pointer);
  return out;
}

/** The meta-schema rule schemas are read with (the generated validator checks against it). */
const metaSchemaId = 'https://json-schema.org/draft/2020-12/schema';

let checked: ReturnType<typeof createRuleAjv> | undefined;
let unchecked: ReturnType<typeof createRuleAjv> | undefined;

/** Drops a checked schema from the shared instance (ajv caches object schemas; `true`/`false` are not cached). */
function forget(ajv: ReturnType<typeof createRuleAjv>, schema: Json): void {
  if (typeof schema === 'object' && schema !== null) ajv.removeSchema(schema as object);
}

/**
 * JSON Schema 2020-12's meta-schema, as ajv checks `schema` against it: the generated validator when the
 * schema names no other meta-schema, otherwise ajv itself (which compiles the meta-schema it names).
 */
function metaSchemaCheck(schema: Json): {
  valid: boolean;
  errors: ErrorObject[];
  ajv: ReturnType<typeof createRuleAjv>;
} {
  const named = typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema.$schema : undefined;
  if (named === undefined || named === metaSchemaId) {
    const validate = generatedValidators.get().metaSchema();
    const valid = validate(schema) as boolean;
    // Checked already: compiling it need not check it again (nor compile the meta-schema to do so).
    return {
      valid,
      errors: validate.errors ?? [],
      ajv: (unchecked ??= createRuleAjv({ allErrors: true, validateSchema: false }))
    };
  }
  const ajv = (checked ??= createRuleAjv({ allErrors: true }));
  const valid = ajv.validateSchema(schema as object | boolean) as boolean;
  return { valid, errors: ajv.errors ?? [], ajv };
}

/** Keyword values that are not valid JSON Schema 2020-12 (`minimum: "3"`), and schemas ajv cannot compile. */
export function invalidSchemaErrors(schema: Json, pointer: string, doc: ParsedDocument): UserError[] {
  // One instance for every rule; each schema is removed again after its check, so one with an `$id`
  // does not clash with the next.
  let check: ReturnType<typeof metaSchemaCheck>;
  try {
    check = metaSchemaCheck(schema);
  } catch (error) {
    // ajv knows no meta-schema by that name (or the name is not a string): rule schemas are 2020-12.
    const named = (schema as { $schema?: Json }).$schema;
    if (named === undefined || named === metaSchemaId) throw error;
    return [
      new UserError(
        `\`${displayPath(`${pointer}/$schema`)}\` is \`${show(named)}\`; cmk-guard reads rule schemas as JSON Schema 2020-12: remove \`$schema\`, or set it to \`${metaSchemaId}\`.`,
        doc.positionOf(`${pointer}/$schema`) ?? { file: doc.file }
      )
    ];
  }
  const { valid, errors, ajv } = check;
  if (!valid) return metaSchemaErrors(errors, doc, `\`${displayPath(pointer)}\``, pointer);
  try {
    ajv.compile(schema as object | boolean);
    forget(ajv, schema);
  } catch (error) {
    forget(ajv, schema);
    const reason = error instanceof Error ? error.message : String(error);
    return [
      new UserError(
        `\`${displayPath(pointer)}\` is not a schema ajv can compile (${reason}); fix it.`,
        doc.positionOf(pointer) ?? { file: doc.file }
      )
    ];
  }
  return [];
}
