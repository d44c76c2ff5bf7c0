/** `if`/`then`/`else`: violated when `if` holds and `then` is violated, or `if` fails and
 * `else` is violated. `then`/`else` without `if` mean nothing in JSON Schema. */
import { FALSE, allOf, anyOf, not } from '../policy.js';
import { childPointer, type KeywordDefinition } from '../context.js';

export const ifThenElseKeyword: KeywordDefinition = {
  keywords: ['if', 'then', 'else'],
  compile(schema, context) {
    if (!('if' in schema)) return FALSE;
    const at = (keyword: string) =>
      keyword in schema
        ? context.violates(schema[keyword], childPointer(context.pointer, keyword), context.location)
        : FALSE;
    const conditionFails = at('if');
    return anyOf([allOf([not(conditionFails), at('then')]), allOf([conditionFails, at('else')])]);
  }
};
