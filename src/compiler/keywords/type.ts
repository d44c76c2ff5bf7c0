/**
 * `type`: Azure Policy has no test for a value's JSON type, so `type` compiles only where
 * it adds nothing Azure would decide differently: `object` at the resource root (a
 * resource is always an object), and `string` beside a `const`/`enum` of strings that
 * Azure cannot read as another type (`"true"`, `"5"`). Everywhere else it is refused:
 * dropping it would make the deployed policy looser than the rule.
 */
import { FALSE } from '../policy.js';
import type { Json } from '../../model/value.js';
import type { KeywordDefinition, SchemaObject } from '../context.js';

const coercible = /^(true|false|[-+]?\d+(\.\d+)?([eE][-+]?\d+)?)$/i;

function listedValues(schema: SchemaObject): Json[] | null {
  if ('const' in schema) return [schema.const];
  if (Array.isArray(schema.enum)) return schema.enum;
  return null;
}

export const typeKeyword: KeywordDefinition = {
  keywords: ['type'],
  compile(schema, context) {
    if (!('type' in schema)) return FALSE;
    const types = Array.isArray(schema.type) ? schema.type.map(String) : [String(schema.type)];
    if (context.location.length === 0 && types.includes('object')) return FALSE;
    const values = listedValues(schema);
    if (types.includes('string') && values && values.every(v => typeof v === 'string' && !coercible.test(v.trim()))) {
      return FALSE;
    }
    return context.refuse(
      'type',
      'Azure Policy has no test for a value\'s JSON type and converts "true" and numbers in strings when it compares; remove `type` here (`const`, `enum`, `like` or `match` already constrain the value)'
    );
  }
};
