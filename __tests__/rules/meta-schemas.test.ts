/**
 * cmk-guard's own schemas (the rule file, the pack manifest, a relation's spec) are compiled at build
 * time (src/rules/validators.generated.ts) without being checked against JSON Schema's meta-schema.
 * They are checked here instead.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { relationSpecSchema } from '../../src/pr/relationSpec.js';
import { packMetaSchema, ruleMetaSchema } from '../../src/rules/metaSchema.js';

describe("cmk-guard's own schemas", () => {
  it.each([
    ['the rule file', ruleMetaSchema],
    ['the pack manifest', packMetaSchema],
    ["a relation's spec", relationSpecSchema]
  ])('%s is a valid JSON Schema (2020-12)', (_what, schema) => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(ajv.validateSchema(schema as object)).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
    expect(() => ajv.compile(schema as object)).not.toThrow();
  });
});
