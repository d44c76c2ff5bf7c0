/** `contains` with `minContains`/`maxContains`: how many members satisfy the subschema,
 * as a field count whose `where` is the subschema. */
import { FALSE, anyOf, count, not } from '../policy.js';
import { ARRAY_MEMBER } from '../aliases.js';
import { childPointer, type KeywordDefinition } from '../context.js';

export const containsKeyword: KeywordDefinition = {
  keywords: ['contains', 'minContains', 'maxContains'],
  compile(schema, context) {
    // Without `contains`, JSON Schema ignores minContains and maxContains.
    if (!('contains' in schema)) return FALSE;
    const location = [...context.location, ARRAY_MEMBER];
    const members = context.field('contains', location);
    const satisfies = not(context.violates(schema.contains, childPointer(context.pointer, 'contains'), location));
    const min = typeof schema.minContains === 'number' ? schema.minContains : 1;
    const max = schema.maxContains;
    const matching = count({ field: members, where: satisfies });
    return anyOf([matching.less(min), typeof max === 'number' ? matching.greater(max) : FALSE]);
  }
};
