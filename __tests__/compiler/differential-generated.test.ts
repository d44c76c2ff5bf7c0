/**
 * Compiled policy ≡ schema, for generated schemas: each mixes the compiled keywords over real
 * aliases of Microsoft.CognitiveServices/accounts and puts `$defs`/`$ref`, `if`/`then`/`else`,
 * `dependentRequired`, `not` and boolean subschemas under optional properties (schemaArbitrary.ts);
 * each is checked on generated resources whose described objects are sometimes absent, empty or of
 * another type (resourceArbitrary.ts). JSON Schema applies `properties` only to present members
 * (https://json-schema.org/draft/2020-12/json-schema-core#name-properties), and so must the
 * compiled policy. The verdicts are ajv's on the reference schema (src/compiler/reference.ts) and
 * the engine's on the compiled definition; the test reports how many resources had an absent,
 * empty or wrongly typed intermediate object, and fails on the first disagreement.
 *
 * npm test runs a few hundred schemas (CMK_GUARD_GENERATED_SCHEMAS to change it); the corpus suite
 * (differential-generated.corpus.test.ts) runs thousands.
 */
import { checkGeneratedDifferential } from './generatedDifferential.js';

const schemas = Number(process.env.CMK_GUARD_GENERATED_SCHEMAS ?? 200);

test(`${schemas} generated schemas × 20 resources: the compiled policy agrees with ajv, absent, empty and mistyped objects included`, () =>
  checkGeneratedDifferential(schemas));
