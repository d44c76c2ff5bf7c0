/**
 * The standalone validators in src/rules/validators.generated.ts are what ajv compiles from the same
 * schemas and options: the file is what the generator makes now (not stale), and on many inputs, valid
 * and not, each generated function gives the verdict and the very errors ajv gives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { outcome } from '../support/validatorOutcome.js';
import { load } from 'js-yaml';
import { createRuleAjv } from '../../src/compiler/reference.js';
import type { Json } from '../../src/model/value.js';
import { compiledValidators, validatorsModule } from '../../scripts/generateValidators.js';
import { relationSpecSchema } from '../../src/pr/relationSpec.js';
import { packMetaSchema, ruleMetaSchema } from '../../src/rules/metaSchema.js';
import * as generated from '../../src/rules/validators.generated.js';
import { schemaArbitrary } from '../compiler/schemaArbitrary.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** Values of every JSON type, small. */
const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;

/** Schema-like objects that are often not valid JSON Schema: keywords with values of the wrong type. */
const keywords = [
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minLength',
  'maxLength',
  'pattern',
  'required',
  'properties',
  'patternProperties',
  'additionalProperties',
  'items',
  'prefixItems',
  'contains',
  'minItems',
  'uniqueItems',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  '$ref',
  '$id',
  '$anchor',
  '$defs',
  'dependentRequired',
  'dependentSchemas',
  'minProperties',
  'format',
  'title',
  'deprecated',
  '$comment'
];
const wildSchema: fc.Arbitrary<Json> = fc.letrec<{ schema: Json }>(tie => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean(),
    fc.dictionary(
      fc.constantFrom(...keywords),
      fc.oneof(
        anyJson,
        tie('schema'),
        fc.array(tie('schema'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 4 }), tie('schema'), { maxKeys: 3, noNullPrototype: true }),
        fc.constantFrom('string', 'object', ['string', 'null'], 'nope', -1, 1.5, '^a+$', '(', '#/$defs/x')
      ),
      { maxKeys: 4, noNullPrototype: true }
    )
  )
})).schema;

/** Every property name the rule file's, the pack's and a relation spec's schemas name, at any depth. */
function propertyNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) propertyNames(item, into);
  else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value !== null && typeof value === 'object')
        for (const name of Object.keys(value)) into.add(name);
      propertyNames(value, into);
    }
  }
  return into;
}

/** Objects with those fields (and one none of them names), with values right and wrong. */
const fields = [...propertyNames([ruleMetaSchema, packMetaSchema, relationSpecSchema]), 'extra'];
const fieldValue: fc.Arbitrary<Json> = fc.oneof(
  anyJson,
  fc.constantFrom(
    'cmk-rule',
    'Not-Kebab',
    '1.0.0',
    'v1',
    'error',
    'Audit',
    'Indexed',
    'Microsoft.KeyVault/vaults',
    'vaults',
    'https://example.com',
    'http://x',
    '',
    '/properties/x',
    'x/y',
    ['Audit', 'Deny'],
    ['Audit', 'Audit'],
    [],
    {}
  )
);
const document: fc.Arbitrary<Json> = fc.letrec<{ doc: Json }>(tie => ({
  doc: fc.dictionary(
    fc.constantFrom(...fields),
    fc.oneof({ depthSize: 'small' }, fieldValue, tie('doc'), fc.array(tie('doc'), { maxLength: 2 })),
    { maxKeys: 8, noNullPrototype: true }
  )
})).doc;

/** The rule schemas of the bundled pack and of the test fixtures. */
function realSchemas(): Json[] {
  const dirs = [path.join(root, 'policies'), path.join(root, '__tests__/fixtures/rules/valid')];
  const out: Json[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir)) {
      if (!/\.ya?ml$/.test(entry) || entry.startsWith('pack.')) continue;
      const doc = load(fs.readFileSync(path.join(dir, entry), 'utf8')) as { [key: string]: Json };
      for (const key of ['schema', 'appliesTo'] as const) if (doc[key] !== undefined) out.push(doc[key]);
    }
  }
  return out;
}

describe('the generated validators', () => {
  it('are what npm run generate:validators makes from the current schemas, options and ajv', () => {
    const file = path.join(root, 'src/rules/validators.generated.ts');
    // If this fails, run `npm run generate:validators` and commit the file.
    expect(fs.readFileSync(file, 'utf8')).toBe(validatorsModule());
  });

  describe("JSON Schema 2020-12's meta-schema, against the ajv that checks rule schemas", () => {
    const ajv = createRuleAjv({ allErrors: true });
    const reference = (schema: Json) => {
      try {
        const valid = ajv.validateSchema(schema as object | boolean) as boolean;
        // `validateSchema(true)` answers without validating, leaving the last call's errors: read only when invalid.
        return { valid, errors: valid ? null : ajv.errors };
      } catch (error) {
        return { threw: String(error) };
      }
    };

    it('agrees on the rule schemas of the bundled pack and the fixtures', () => {
      const schemas = realSchemas();
      expect(schemas.length).toBeGreaterThan(5);
      for (const schema of schemas) {
        expect(outcome(generated.metaSchema(), schema)).toEqual({ valid: true, errors: null });
        expect(reference(schema)).toEqual({ valid: true, errors: null });
      }
    });

    it('agrees on generated rule schemas', () => {
      fc.assert(
        fc.property(schemaArbitrary(), schema => {
          expect(outcome(generated.metaSchema(), schema)).toEqual(reference(schema));
        }),
        { numRuns: 150 }
      );
    });

    it('agrees, errors and all, on schemas with keyword values of every kind', () => {
      let invalid = 0;
      fc.assert(
        fc.property(wildSchema, schema => {
          const expected = reference(schema);
          if ('valid' in expected && !expected.valid) invalid++;
          expect(outcome(generated.metaSchema(), schema)).toEqual(expected);
        }),
        { numRuns: 300 }
      );
      // The inputs must reach the errors, not only the valid path.
      expect(invalid).toBeGreaterThan(50);
    });
  });

  describe('the rule-file, pack-manifest and relation-spec schemas, against ajv compiling them now', () => {
    const compiled = compiledValidators();
    it.each(['ruleFile', 'packFile', 'relationSpec'] as const)('%s agrees, errors and all', name => {
      let invalid = 0;
      fc.assert(
        fc.property(document, data => {
          const expected = outcome(compiled[name], data);
          if ('valid' in expected && !expected.valid) invalid++;
          expect(outcome(generated[name](), data)).toEqual(expected);
        }),
        { numRuns: 100 }
      );
      expect(invalid).toBeGreaterThan(25);
    });

    it('agree on the bundled pack', () => {
      const pack = load(fs.readFileSync(path.join(root, 'policies/pack.yaml'), 'utf8'));
      expect(outcome(generated.packFile(), pack)).toEqual({ valid: true, errors: null });
      expect(outcome(compiled.packFile, pack)).toEqual({ valid: true, errors: null });
      let relations = 0;
      for (const entry of fs.readdirSync(path.join(root, 'policies'))) {
        if (!entry.endsWith('.yaml') || entry === 'pack.yaml') continue;
        const rule = load(fs.readFileSync(path.join(root, 'policies', entry), 'utf8')) as { relation?: Json };
        expect(outcome(generated.ruleFile(), rule)).toEqual({ valid: true, errors: null });
        if (rule.relation !== undefined) {
          relations++;
          expect(outcome(generated.relationSpec(), rule.relation)).toEqual({ valid: true, errors: null });
        }
      }
      expect(relations).toBeGreaterThan(0);
    });
  });
});
