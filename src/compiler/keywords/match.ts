/** `match` (cmk-guard's keyword for Azure's `match`): the whole string matches a pattern
 * where `#` is a digit, `?` a letter, `.` any character; case-sensitive. */
import { FALSE, field } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const matchKeyword: KeywordDefinition = {
  keywords: ['match'],
  compile(schema, context) {
    if (typeof schema.match !== 'string') return FALSE;
    return field(context.field('match')).notMatch(schema.match);
  }
};
