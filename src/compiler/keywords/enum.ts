/** `enum`: the value must be one of the listed values (Azure's `in`: case-insensitive for strings). */
import { FALSE, field } from '../policy.js';
import { isScalar, type KeywordDefinition } from '../context.js';

export const enumKeyword: KeywordDefinition = {
  keywords: ['enum'],
  compile(schema, context) {
    if (!('enum' in schema)) return FALSE;
    const values = schema.enum;
    if (!Array.isArray(values) || !values.every(isScalar)) {
      return context.refuse(
        'enum',
        'Azure Policy compares only strings, numbers and booleans; list only values of those types in `enum`'
      );
    }
    return field(context.field('enum')).notIn(values);
  }
};
