/**
 * The generated-schema differential run shared by the npm test suite and the corpus suite: each
 * generated schema (schemaArbitrary.ts) is compiled and loaded, and checked on generated resources
 * (resourceArbitrary.ts) against ajv on its reference schema; the first disagreement throws.
 */
import fc from 'fast-check';
import { compileRule, type CompilableRule, type JsonSchema } from '../../src/compiler/index.js';
import { azureEquals, createReferenceAjv, referenceSchema } from '../../src/compiler/reference.js';
import { loadDefinition } from '../../src/engine/index.js';
import type { Json } from '../../src/model/value.js';
import { engineAliasCatalog } from '../../src/run.js';
import { asAzureSees, resourceArbitrary, shapesOf } from './resourceArbitrary.js';
import { generatedResourceType, schemaArbitrary } from './schemaArbitrary.js';

export interface DifferentialReport {
  schemas: number;
  resources: number;
  absent: number;
  empty: number;
  wrongType: number;
  verdicts: { compliant: number; noncompliant: number };
}

function ruleFor(schema: Json): CompilableRule {
  return {
    name: 'generated',
    displayName: 'Generated rule',
    description: 'A generated schema.',
    category: 'Test',
    version: '1.0.0',
    severity: 'error',
    effect: { default: 'Audit', allowed: ['Audit'] },
    mode: 'Indexed',
    resourceType: generatedResourceType,
    schema: schema as JsonSchema,
    remediation: '',
    references: [],
    kind: 'policy',
    file: 'generated.yaml',
    document: schema,
    positionOf: () => null
  };
}

/** Runs `schemas` generated schemas, `perSchema` resources each; throws on the first disagreement. */
export function runGeneratedDifferential(schemas: number, perSchema: number, seed?: number): DifferentialReport {
  const ajv = createReferenceAjv();
  const catalog = engineAliasCatalog();
  const report: DifferentialReport = {
    schemas: 0,
    resources: 0,
    absent: 0,
    empty: 0,
    wrongType: 0,
    verdicts: { compliant: 0, noncompliant: 0 }
  };
  const cases = schemaArbitrary().chain(schema =>
    fc.tuple(
      fc.constant(schema),
      fc.array(resourceArbitrary([generatedResourceType], [schema]), { minLength: perSchema, maxLength: perSchema })
    )
  );
  fc.assert(
    fc.property(cases, ([schema, resources]) => {
      const body = compileRule(ruleFor(schema), catalog);
      const definition = loadDefinition({ file: 'generated.json', json: body });
      const satisfies = ajv.compile(referenceSchema(schema as JsonSchema) as object);
      report.schemas += 1;
      for (const resource of resources) {
        const seen = asAzureSees(resource.json);
        const covered = azureEquals(seen.type, generatedResourceType);
        const expected = covered && !satisfies(seen) ? 'noncompliant' : 'compliant';
        const actual = definition.evaluate(resource);
        if (actual.verdict !== expected) {
          throw new Error(
            `ajv says ${expected}, the engine says ${actual.verdict} (${actual.message}) for the schema ${JSON.stringify(schema)} and the resource ${JSON.stringify(resource.json)}; compiled: ${JSON.stringify(body.properties.policyRule.if)}`
          );
        }
        const shapes = shapesOf([schema], seen);
        report.resources += 1;
        report.verdicts[expected] += 1;
        if (shapes.absent) report.absent += 1;
        if (shapes.empty) report.empty += 1;
        if (shapes.wrongType) report.wrongType += 1;
      }
    }),
    { numRuns: schemas, ...(seed === undefined ? {} : { seed }) }
  );
  return report;
}

export function describeReport(report: DifferentialReport): string {
  return `${report.schemas} generated schemas, ${report.resources} resources: ${report.absent} with an absent intermediate object, ${report.empty} with an empty one, ${report.wrongType} with one of another type; ${report.verdicts.noncompliant} noncompliant, ${report.verdicts.compliant} compliant; 0 disagreements with ajv`;
}

/** The seed fast-check printed with a counterexample, to run that case again (CMK_GUARD_DIFFERENTIAL_SEED). */
export const seedFromEnvironment = process.env.CMK_GUARD_DIFFERENTIAL_SEED
  ? Number(process.env.CMK_GUARD_DIFFERENTIAL_SEED)
  : undefined;

/** Runs the generated differential, prints its report, and checks that every shape and verdict was common. */
export function checkGeneratedDifferential(schemas: number): void {
  const report = runGeneratedDifferential(schemas, 20, seedFromEnvironment);
  console.log(describeReport(report));
  expect(report.resources).toBe(schemas * 20);
  // Each shape and verdict must be common, or the test proves little about it.
  expect(report.absent).toBeGreaterThan(report.resources * 0.1);
  expect(report.empty).toBeGreaterThan(report.resources * 0.02);
  expect(report.wrongType).toBeGreaterThan(report.resources * 0.02);
  expect(report.verdicts.noncompliant).toBeGreaterThan(report.resources * 0.05);
  expect(report.verdicts.compliant).toBeGreaterThan(report.resources * 0.05);
}
