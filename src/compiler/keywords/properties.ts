/**
 * `properties`: each named property, where present, satisfies its schema. JSON Schema applies a
 * property's schema only to a present member, so the violation is guarded by the member's
 * presence unless the schema cannot be violated by a missing value anyway, or the same schema
 * requires the member (then its absence violates `required` already).
 */
import type { Json } from '../../model/value.js';
import { FALSE, allOf, anyOf, isFalse } from '../policy.js';
import { childPointer, isSchemaObject, type Context, type KeywordDefinition } from '../context.js';

/** Keywords whose compiled condition never holds for a missing value. */
const quietWhenMissing = new Set([
  'properties',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'dependentRequired',
  'items',
  'maxItems',
  'minContains',
  'maxContains',
  'title',
  'description',
  '$comment',
  'examples',
  'default',
  '$defs',
  'definitions',
  'deprecated',
  'readOnly',
  'writeOnly'
]);

/**
 * Whether the compiled violation of `schema` can never hold where the value is missing: its members
 * are guarded themselves, and an array that is not there has no members.
 */
export function quietForMissing(schema: Json, context: Context, seen: readonly string[] = []): boolean {
  if (schema === true) return true;
  if (!isSchemaObject(schema)) return false;
  for (const [keyword, value] of Object.entries(schema)) {
    if (quietWhenMissing.has(keyword)) continue;
    if (keyword === 'contains' && schema.minContains === 0) continue;
    if (keyword === 'allOf' && Array.isArray(value) && value.every(s => quietForMissing(s, context, seen))) continue;
    if (keyword === 'anyOf' && Array.isArray(value) && value.some(s => quietForMissing(s, context, seen))) continue;
    if (keyword === 'not' && violatedWhenMissing(value, context, seen)) continue;
    if (keyword === 'if') continue;
    if ((keyword === 'then' || keyword === 'else') && quietForMissing(value, context, seen)) continue;
    if (keyword === '$ref' && typeof value === 'string' && !seen.includes(value)) {
      const target = value.startsWith('#') ? context.resolveRef(value) : null;
      if (target && quietForMissing(target.schema, context, [...seen, value])) continue;
    }
    return false;
  }
  return true;
}

/** Whether the compiled violation of `schema` surely holds where the value is missing (so `not` of it never does). */
function violatedWhenMissing(schema: Json, context: Context, seen: readonly string[]): boolean {
  if (schema === false) return true;
  if (!isSchemaObject(schema)) return false;
  if (['const', 'enum', 'like', 'match', 'pattern'].some(k => k in schema)) return true;
  if (Array.isArray(schema.required) && schema.required.length > 0) return true;
  if (typeof schema.minItems === 'number' && schema.minItems > 0) return true;
  if ('contains' in schema && schema.minContains !== 0) return true;
  if (Array.isArray(schema.allOf) && schema.allOf.some(s => violatedWhenMissing(s, context, seen))) return true;
  if (
    Array.isArray(schema.anyOf) &&
    schema.anyOf.length > 0 &&
    schema.anyOf.every(s => violatedWhenMissing(s, context, seen))
  )
    return true;
  if ('not' in schema && quietForMissing(schema.not, context, seen)) return true;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#') && !seen.includes(schema.$ref)) {
    const target = context.resolveRef(schema.$ref);
    if (target && violatedWhenMissing(target.schema, context, [...seen, schema.$ref])) return true;
  }
  return false;
}

export const propertiesKeyword: KeywordDefinition = {
  keywords: ['properties'],
  compile(schema, context) {
    const properties = schema.properties;
    if (!isSchemaObject(properties)) return FALSE;
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    return anyOf(
      Object.entries(properties).map(([name, subschema]) => {
        const location = [...context.location, name];
        const violated = context.violates(subschema, childPointer(context.pointer, 'properties', name), location);
        if (isFalse(violated) || required.has(name) || quietForMissing(subschema, context)) return violated;
        return allOf([context.present('properties', location), violated]);
      })
    );
  }
};
