/** `minItems`, `maxItems`: a field count over the array's `[*]` alias. A missing array
 * counts 0, so under `properties` `minItems` ≥ 1 is guarded by the array's presence (properties.ts). */
import { FALSE, anyOf, count } from '../policy.js';
import { ARRAY_MEMBER } from '../aliases.js';
import type { KeywordDefinition } from '../context.js';

export const limitItemsKeyword: KeywordDefinition = {
  keywords: ['minItems', 'maxItems'],
  compile(schema, context) {
    const min = schema.minItems;
    const max = schema.maxItems;
    if (typeof min !== 'number' && typeof max !== 'number') return FALSE;
    const members = context.field(typeof min === 'number' ? 'minItems' : 'maxItems', [
      ...context.location,
      ARRAY_MEMBER
    ]);
    return anyOf([
      typeof min === 'number' ? count({ field: members }).less(min) : FALSE,
      typeof max === 'number' ? count({ field: members }).greater(max) : FALSE
    ]);
  }
};
