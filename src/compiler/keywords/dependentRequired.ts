/** `dependentRequired`: when a property is present, the properties it names must be too. */
import { FALSE, allOf, anyOf, field } from '../policy.js';
import { isSchemaObject, type KeywordDefinition } from '../context.js';

export const dependentRequiredKeyword: KeywordDefinition = {
  keywords: ['dependentRequired'],
  compile(schema, context) {
    const dependencies = schema.dependentRequired;
    if (!isSchemaObject(dependencies)) return FALSE;
    const at = (name: string) => field(context.field('dependentRequired', [...context.location, name]));
    return anyOf(
      Object.entries(dependencies).map(([name, needed]) =>
        allOf([
          at(name).exists(true),
          anyOf((Array.isArray(needed) ? needed : []).map(n => at(String(n)).exists(false)))
        ])
      )
    );
  }
};
