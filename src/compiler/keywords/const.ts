/** `const`: the value must equal the constant. Azure's `equals` compares strings
 * case-insensitively and coerces `"true"`/`true`. A missing value equals nothing, so under
 * `properties` the condition is guarded by the member's presence (properties.ts). */
import { FALSE, field } from '../policy.js';
import { isScalar, type KeywordDefinition } from '../context.js';

export const constKeyword: KeywordDefinition = {
  keywords: ['const'],
  compile(schema, context) {
    if (!('const' in schema)) return FALSE;
    const expected = schema.const;
    if (!isScalar(expected)) {
      return context.refuse(
        'const',
        'Azure Policy compares only strings, numbers and booleans; use `const` with one of those, or `properties`/`items` to constrain the parts of an object or array'
      );
    }
    return field(context.field('const')).notEquals(expected);
  }
};
