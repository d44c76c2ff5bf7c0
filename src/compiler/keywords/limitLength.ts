/** `minLength`, `maxLength`: the length of a present string, as Azure's `length()` counts
 * it (UTF-16 code units, where JSON Schema counts code points; see reference.ts). */
import { FALSE, allOf, anyOf, field, fieldExpression, value } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const limitLengthKeyword: KeywordDefinition = {
  keywords: ['minLength', 'maxLength'],
  compile(schema, context) {
    const min = schema.minLength;
    const max = schema.maxLength;
    if (typeof min !== 'number' && typeof max !== 'number') return FALSE;
    const name = context.field(typeof min === 'number' ? 'minLength' : 'maxLength');
    const length = `[length(${fieldExpression(name)})]`;
    return allOf([
      field(name).exists(true),
      anyOf([
        typeof min === 'number' && min > 0 ? value(length).less(min) : FALSE,
        typeof max === 'number' ? value(length).greater(max) : FALSE
      ])
    ]);
  }
};
