/** `allOf`: violated when any member is. */
import { FALSE, anyOf } from '../policy.js';
import { childPointer, type KeywordDefinition } from '../context.js';

export const allOfKeyword: KeywordDefinition = {
  keywords: ['allOf'],
  compile(schema, context) {
    const members = schema.allOf;
    if (!Array.isArray(members)) return FALSE;
    return anyOf(
      members.map((s, i) => context.violates(s, childPointer(context.pointer, 'allOf', i), context.location))
    );
  }
};
