/** `anyOf`: violated when every member is. */
import { FALSE, allOf } from '../policy.js';
import { childPointer, type KeywordDefinition } from '../context.js';

export const anyOfKeyword: KeywordDefinition = {
  keywords: ['anyOf'],
  compile(schema, context) {
    const members = schema.anyOf;
    if (!Array.isArray(members)) return FALSE;
    return allOf(
      members.map((s, i) => context.violates(s, childPointer(context.pointer, 'anyOf', i), context.location))
    );
  }
};
