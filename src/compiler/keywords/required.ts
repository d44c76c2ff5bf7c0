/** `required`: each named property must exist (Azure's `exists`). */
import { FALSE, anyOf, field } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const requiredKeyword: KeywordDefinition = {
  keywords: ['required'],
  compile(schema, context) {
    const names = schema.required;
    if (!Array.isArray(names)) return FALSE;
    return anyOf(
      names.map(name => {
        // Azure Policy sees every resource with a `properties` object (ARM returns `{}` when a
        // resource sets none) and has no field for the whole object: requiring it always holds.
        if (context.location.length === 0 && name === 'properties') return FALSE;
        // Nor for the whole `identity`; ARM requires `identity.type` in every identity, so an
        // identity exists exactly when its type does.
        if (context.location.length === 0 && name === 'identity') return field('identity.type').exists(false);
        return field(context.field('required', [...context.location, String(name)])).exists(false);
      })
    );
  }
};
