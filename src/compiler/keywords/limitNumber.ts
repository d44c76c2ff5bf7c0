/** `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`: only a present value is
 * compared (JSON Schema ignores what is absent; Azure's order comparisons need a value). */
import { FALSE, allOf, anyOf, field, type Condition } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

const violation: Record<string, (f: ReturnType<typeof field>, n: number) => Condition> = {
  minimum: (f, n) => f.less(n),
  exclusiveMinimum: (f, n) => f.lessOrEquals(n),
  maximum: (f, n) => f.greater(n),
  exclusiveMaximum: (f, n) => f.greaterOrEquals(n)
};

export const limitNumberKeyword: KeywordDefinition = {
  keywords: Object.keys(violation),
  compile(schema, context) {
    const present = Object.keys(violation).filter(k => typeof schema[k] === 'number');
    if (present.length === 0) return FALSE;
    const name = context.field(present[0]);
    const exists = field(name).exists(true);
    return allOf([exists, anyOf(present.map(k => violation[k](field(name), schema[k] as number)))]);
  }
};
