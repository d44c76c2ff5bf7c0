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
import { describeReport, runGeneratedDifferential } from './generatedDifferential.js';

const schemas = Number(process.env.CMK_GUARD_GENERATED_SCHEMAS ?? 200);
/** Set to the seed fast-check prints with a counterexample, to run that case again. */
const seed = process.env.CMK_GUARD_DIFFERENTIAL_SEED ? Number(process.env.CMK_GUARD_DIFFERENTIAL_SEED) : undefined;

test(`${schemas} generated schemas × 20 resources: the compiled policy agrees with ajv, absent, empty and mistyped objects included`, () => {
  const report = runGeneratedDifferential(schemas, 20, seed);
  console.log(describeReport(report));
  expect(report.resources).toBe(schemas * 20);
  // Each shape must be common, or the test proves little about it.
  expect(report.absent).toBeGreaterThan(report.resources * 0.1);
  expect(report.empty).toBeGreaterThan(report.resources * 0.02);
  expect(report.wrongType).toBeGreaterThan(report.resources * 0.02);
  expect(report.verdicts.noncompliant).toBeGreaterThan(report.resources * 0.05);
  expect(report.verdicts.compliant).toBeGreaterThan(report.resources * 0.05);
});
