/**
 * Compiled policy ≡ schema. For every rule (the differential fixtures, and the pack in
 * `policies/` once it exists), thousands of generated resources get two verdicts: ajv's on
 * the rule's schema with Azure's comparison rules applied, and the engine's on the compiled
 * definition. They must agree on every one.
 *
 * How ajv is made to judge as Azure does: `referenceSchema` (src/compiler/reference.ts)
 * rewrites `const`/`enum` to keywords that compare as Azure's `equals`/`in` (strings ignore
 * case, "true" equals true) and lengths to UTF-16 counts; `like` and `match` are Azure's
 * operators. `properties` applies to present members only, in JSON Schema and in the compiled
 * policy alike (it guards each member's conditions with its presence). The type test compares case-insensitively, as `equals` does.
 * And ARM gives every resource a `properties` object (`{}` when it sets none), so ajv sees
 * one too: the compiler reads `required: [properties]` at the root as always true. ARM
 * requires `identity.type` in an identity, so an identity without one counts as absent. A member
 * set to null counts as absent (Azure's `exists` reads null as missing), and `required` fails on a
 * present value that is not an object (Azure reads its properties as missing; see reference.ts).
 * The generated resources make every object the schema describes sometimes absent, empty or of
 * another type; the test reports how many had an absent intermediate object.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 *
 * CI runs 10,000 resources per rule; set CMK_GUARD_DIFFERENTIAL_RUNS to run fewer locally.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Json } from '../../src/model/value.js';
import { compileRule } from '../../src/compiler/index.js';
import { azureEquals, createReferenceAjv, referenceSchema } from '../../src/compiler/reference.js';
import { engineAliasCatalog } from '../../src/run.js';
import { loadDefinition } from '../../src/engine/index.js';
import { loadPolicyDirectory, type Rule } from '../../src/rules/index.js';
import { asAzureSees, resourceArbitrary, shapesOf } from './resourceArbitrary.js';

const runs = Number(process.env.CMK_GUARD_DIFFERENTIAL_RUNS ?? 10_000);
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../fixtures/compiler/differential');
const pack = path.resolve(here, '../../policies');

function rulesIn(dir: string): Rule[] {
  if (!fs.existsSync(dir)) return [];
  return loadPolicyDirectory(dir).rules.filter(r => r.kind === 'policy');
}

const rules = [...rulesIn(fixtures), ...rulesIn(pack)];
const ajv = createReferenceAjv();

describe.each(rules.map(r => [r.name, r] as const))(
  '%s: ajv on the schema agrees with the engine on the compiled policy',
  (_name, rule) => {
    const types = Array.isArray(rule.resourceType) ? rule.resourceType : [rule.resourceType];
    const satisfies = ajv.compile(referenceSchema(rule.schema) as object);
    const inScope = rule.appliesTo === undefined ? () => true : ajv.compile(referenceSchema(rule.appliesTo) as object);
    const definition = loadDefinition({ file: rule.file, json: compileRule(rule, engineAliasCatalog()) });

    test(`${runs} resources`, () => {
      const verdicts = { compliant: 0, noncompliant: 0 };
      const shapes = { absent: 0, empty: 0, wrongType: 0 };
      const schemas = [rule.schema as Json, (rule.appliesTo ?? true) as Json];
      fc.assert(
        fc.property(resourceArbitrary(types, schemas), resource => {
          const seen = asAzureSees(resource.json);
          const covered = types.some(t => azureEquals(seen.type, t)) && inScope(seen);
          const expected = covered && !satisfies(seen) ? 'noncompliant' : 'compliant';
          const actual = definition.evaluate(resource);
          verdicts[expected] += 1;
          const shape = shapesOf(schemas, seen);
          if (shape.absent) shapes.absent += 1;
          if (shape.empty) shapes.empty += 1;
          if (shape.wrongType) shapes.wrongType += 1;
          if (actual.verdict !== expected) {
            throw new Error(
              `ajv says ${expected}, the engine says ${actual.verdict} (${actual.message}) for ${JSON.stringify(resource.json)}`
            );
          }
        }),
        { numRuns: runs }
      );
      console.log(
        `${rule.name}: ${runs} resources, ${shapes.absent} with an absent intermediate object, ${shapes.empty} with an empty one, ${shapes.wrongType} with one of another type; ${verdicts.noncompliant} noncompliant, ${verdicts.compliant} compliant; 0 disagreements with ajv`
      );
      // Both verdicts must be common, or the test proves little.
      expect(verdicts.compliant).toBeGreaterThan(runs * 0.05);
      expect(verdicts.noncompliant).toBeGreaterThan(runs * 0.05);
    });
  }
);
