/**
 * The generated-schema differential test at scale: thousands of generated schemas (see
 * differential-generated.test.ts for what they hold and why), 20 resources each. Slow, so it runs
 * with the corpus suites; set CMK_GUARD_DIFFERENTIAL_SEED to rerun a counterexample fast-check printed.
 */
import { checkGeneratedDifferential } from './generatedDifferential.js';

const schemas = 2000;

test(`${schemas} generated schemas × 20 resources agree with ajv, absent, empty and mistyped objects included`, () =>
  checkGeneratedDifferential(schemas));
