/** JSON Schema keywords Azure Policy cannot express, each with the reason a rule author sees.
 * Refusing is the only safe answer: a dropped keyword makes the deployed policy looser. */
import { own } from '../../model/value.js';
import { FALSE } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const refusedReasons: Record<string, string> = {
  additionalProperties:
    'Azure Policy cannot list the property names an object has, so it cannot find properties the schema does not name; forbid each unwanted property with `not: {required: [name]}` instead',
  patternProperties: 'Azure Policy cannot list the property names an object has to match them against a pattern',
  propertyNames: 'Azure Policy cannot list the property names an object has',
  minProperties: 'Azure Policy cannot count the properties of an object',
  maxProperties: 'Azure Policy cannot count the properties of an object',
  unevaluatedProperties:
    'it depends on which properties other keywords looked at, which an Azure Policy condition cannot track',
  unevaluatedItems: 'it depends on which items other keywords looked at, which an Azure Policy condition cannot track',
  uniqueItems: 'Azure Policy cannot compare the members of an array with each other',
  prefixItems: 'Azure Policy cannot address an array member by its position',
  additionalItems: 'Azure Policy cannot address an array member by its position',
  format: 'Azure Policy has no test for string formats; use `like`, `match` or an anchored `pattern` instead',
  multipleOf:
    "Azure Policy's `mod()` works on integers only, while `multipleOf` accepts any number; use `enum` or number limits",
  dependentSchemas: 'it is not compiled yet; write `if: {required: [name]}` with `then: <schema>`, which is',
  dependencies: 'it is the draft-07 spelling; use `dependentRequired` (or `if`/`then`)',
  $id: 'it changes how references resolve; rule schemas resolve `$ref` within the rule file, so remove it',
  $anchor: 'named anchors are not resolved; put the schema under `$defs` and refer to `#/$defs/<name>`',
  $dynamicRef: 'dynamic references are resolved at validation time, which a fixed Azure Policy condition cannot do',
  $dynamicAnchor: 'dynamic references are resolved at validation time, which a fixed Azure Policy condition cannot do',
  $recursiveRef: 'recursive references cannot be unrolled into a finite Azure Policy condition',
  $recursiveAnchor: 'recursive references cannot be unrolled into a finite Azure Policy condition',
  $vocabulary: 'rule schemas use one fixed vocabulary; remove it',
  contentEncoding: 'Azure Policy cannot decode the contents of a string',
  contentMediaType: 'Azure Policy cannot decode the contents of a string',
  contentSchema: 'Azure Policy cannot decode the contents of a string'
};

export const refusedKeywords: KeywordDefinition = {
  keywords: Object.keys(refusedReasons),
  compile(schema, context) {
    for (const keyword of Object.keys(schema)) {
      const reason = own(refusedReasons, keyword);
      if (reason !== undefined) context.refuse(keyword, reason);
    }
    return FALSE;
  }
};
