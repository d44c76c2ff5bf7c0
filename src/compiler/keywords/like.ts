/** `like` (cmk-guard's keyword for Azure's `like`): the whole string matches a pattern with
 * at most one `*` wildcard, ignoring case. */
import { FALSE, field } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const likeKeyword: KeywordDefinition = {
  keywords: ['like'],
  compile(schema, context) {
    if (typeof schema.like !== 'string') return FALSE;
    if (schema.like.split('*').length > 2) {
      return context.refuse('like', "Azure's `like` allows one `*` wildcard at most; split the pattern with `anyOf`");
    }
    return field(context.field('like')).notLike(schema.like);
  }
};
