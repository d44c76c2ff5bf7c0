/** `not`: violated exactly when the subschema is satisfied. */
import { FALSE, not } from '../policy.js';
import { childPointer, type KeywordDefinition } from '../context.js';

export const notKeyword: KeywordDefinition = {
  keywords: ['not'],
  compile(schema, context) {
    if (!('not' in schema)) return FALSE;
    return not(context.violates(schema.not, childPointer(context.pointer, 'not'), context.location));
  }
};
