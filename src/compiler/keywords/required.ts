/** `required`: each named property must exist (Azure's `exists`). */
import { FALSE, anyOf, field } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const requiredKeyword: KeywordDefinition = {
  keywords: ['required'],
  compile(schema, context) {
    const names = schema.required;
    if (!Array.isArray(names)) return FALSE;
    return anyOf(
      names.map(name => field(context.field('required', [...context.location, String(name)])).exists(false))
    );
  }
};
