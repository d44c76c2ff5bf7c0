/** `items`: every member satisfies the subschema, i.e. no member violates it. */
import { FALSE, count } from '../policy.js';
import { ARRAY_MEMBER } from '../aliases.js';
import { childPointer, type KeywordDefinition } from '../context.js';

export const itemsKeyword: KeywordDefinition = {
  keywords: ['items'],
  compile(schema, context) {
    if (!('items' in schema)) return FALSE;
    if (Array.isArray(schema.items)) {
      return context.refuse(
        'items',
        'Azure Policy cannot address an array member by position; give `items` one schema that every member satisfies'
      );
    }
    const location = [...context.location, ARRAY_MEMBER];
    const members = context.field('items', location);
    const violating = context.violates(schema.items, childPointer(context.pointer, 'items'), location);
    return count({ field: members, where: violating }).greater(0);
  }
};
