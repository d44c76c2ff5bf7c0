/** `properties`: each named property, where present, satisfies its schema. Azure reads a
 * missing property as a value that equals nothing, so a property whose schema a missing
 * value violates (`const`, `enum`, `required` …) is in effect required; see reference.ts. */
import { FALSE, anyOf } from '../policy.js';
import { childPointer, isSchemaObject, type KeywordDefinition } from '../context.js';

export const propertiesKeyword: KeywordDefinition = {
  keywords: ['properties'],
  compile(schema, context) {
    const properties = schema.properties;
    if (!isSchemaObject(properties)) return FALSE;
    return anyOf(
      Object.entries(properties).map(([name, subschema]) =>
        context.violates(subschema, childPointer(context.pointer, 'properties', name), [...context.location, name])
      )
    );
  }
};
