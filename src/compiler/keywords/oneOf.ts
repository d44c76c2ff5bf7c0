/** `oneOf`: violated unless exactly one member is satisfied, i.e. when every member is
 * violated or some two are both satisfied. */
import { FALSE, allOf, anyOf, not, type Condition } from '../policy.js';
import { childPointer, type KeywordDefinition } from '../context.js';

export const oneOfKeyword: KeywordDefinition = {
  keywords: ['oneOf'],
  compile(schema, context) {
    const members = schema.oneOf;
    if (!Array.isArray(members)) return FALSE;
    const violations = members.map((s, i) =>
      context.violates(s, childPointer(context.pointer, 'oneOf', i), context.location)
    );
    const twoSatisfied: Condition[] = [];
    for (let i = 0; i < violations.length; i++) {
      for (let j = i + 1; j < violations.length; j++) {
        twoSatisfied.push(allOf([not(violations[i]), not(violations[j])]));
      }
    }
    return anyOf([allOf(violations), ...twoSatisfied]);
  }
};
