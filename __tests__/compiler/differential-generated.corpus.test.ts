/**
 * The generated-schema differential test at scale: thousands of generated schemas (see
 * differential-generated.test.ts for what they hold and why), 20 resources each. Slow, so it runs
 * with the corpus suites; set CMK_GUARD_DIFFERENTIAL_SEED to rerun a counterexample fast-check printed.
 */
import { describeReport, runGeneratedDifferential } from './generatedDifferential.js';

const schemas = 2000;
const seed = process.env.CMK_GUARD_DIFFERENTIAL_SEED ? Number(process.env.CMK_GUARD_DIFFERENTIAL_SEED) : undefined;

test(`${schemas} generated schemas × 20 resources agree with ajv, absent, empty and mistyped objects included`, () => {
  const report = runGeneratedDifferential(schemas, 20, seed);
  console.log(describeReport(report));
  expect(report.resources).toBe(schemas * 20);
  expect(report.absent).toBeGreaterThan(report.resources * 0.1);
  expect(report.empty).toBeGreaterThan(report.resources * 0.02);
  expect(report.wrongType).toBeGreaterThan(report.resources * 0.02);
});
