/**
 * JSON Schema applies `properties` only to members that are present
 * (https://json-schema.org/draft/2020-12/json-schema-core#name-properties: "Validation succeeds if,
 * for each name that appears in both the instance and as a name within this keyword's value, the
 * child instance for that name successfully validates"), and so must the compiled policy: a `$ref`,
 * an `if`/`then`/`else`, `dependentRequired`, a boolean subschema or `required` under a member that
 * is absent constrains nothing. Each case is judged three ways: plain ajv on the schema, ajv on the
 * reference schema, and the engine on the compiled definition.
 */
import { compileRule } from '../../src/compiler/index.js';
import { createReferenceAjv, createRuleAjv, referenceSchema } from '../../src/compiler/reference.js';
import { loadDefinition } from '../../src/engine/index.js';
import type { Json } from '../../src/model/value.js';
import { engineAliasCatalog } from '../../src/run.js';
import { armResource } from '../support/arm-resource.js';
import { ruleFromYaml } from './support.js';

const account = 'Microsoft.CognitiveServices/accounts';
const plain = createRuleAjv();
const reference = createReferenceAjv();

function verdicts(schemaYaml: string, properties: { [key: string]: Json }) {
  const rule = ruleFromYaml(`resourceType: ${account}\nschema:\n${schemaYaml}`);
  const definition = loadDefinition({ file: null, json: compileRule(rule, engineAliasCatalog()) });
  const json = { type: account, name: 'ai', properties };
  const valid = (ok: boolean) => (ok ? 'compliant' : 'noncompliant');
  return {
    jsonSchema: valid(plain.compile(rule.schema as object)(json) as boolean),
    reference: valid(reference.compile(referenceSchema(rule.schema) as object)(json) as boolean),
    engine: definition.evaluate(armResource(json)).verdict
  };
}

const all = (verdict: string) => ({ jsonSchema: verdict, reference: verdict, engine: verdict });

describe('a $ref under a member that is absent (the issue’s first example)', () => {
  const schema = `  $defs:
    acl:
      required: [defaultAction]
  properties:
    properties:
      properties:
        networkAcls:
          $ref: '#/$defs/acl'
`;
  it('is satisfied when networkAcls is absent', () => {
    expect(verdicts(schema, {})).toEqual(all('compliant'));
  });
  it('applies when networkAcls is present', () => {
    expect(verdicts(schema, { networkAcls: {} })).toEqual(all('noncompliant'));
    expect(verdicts(schema, { networkAcls: { defaultAction: 'Deny' } })).toEqual(all('compliant'));
  });
});

describe('an if/then/else whose else forbids a member (the issue’s second example)', () => {
  const schema = `  properties:
    properties:
      properties:
        encryption:
          if:
            required: [keySource]
            properties:
              keySource:
                const: Microsoft.KeyVault
          then:
            required: [keyVaultProperties]
          else:
            properties:
              keyVaultProperties: false
`;
  it('is satisfied when encryption is absent, and when keyVaultProperties is', () => {
    expect(verdicts(schema, {})).toEqual(all('compliant'));
    expect(verdicts(schema, { encryption: { keySource: 'Microsoft.CognitiveServices' } })).toEqual(all('compliant'));
  });
  it('fails when else applies and keyVaultProperties is there, or then applies and it is not', () => {
    expect(
      verdicts(schema, { encryption: { keySource: 'Microsoft.CognitiveServices', keyVaultProperties: {} } })
    ).toEqual(all('noncompliant'));
    expect(verdicts(schema, { encryption: { keySource: 'Microsoft.KeyVault' } })).toEqual(all('noncompliant'));
  });
});

describe('other keywords under an absent member', () => {
  it.each([
    ['required', 'required: [keyName]'],
    ['const', 'properties:\n  keyName:\n    const: k1'],
    ['dependentRequired', 'dependentRequired:\n  keyName: [keyVaultUri]'],
    ['false', 'false'],
    ['not', 'not:\n  required: [keyName]'],
    ['oneOf', 'oneOf:\n  - required: [keyName]\n  - required: [keyVaultUri]'],
    [
      'anyOf with an if',
      'anyOf:\n  - if:\n      required: [keyName]\n    then:\n      required: [keyVaultUri]\n  - false'
    ]
  ])('%s constrains nothing where keyVaultProperties (or encryption) is absent', (_keyword, inner) => {
    const schema = `  properties:
    properties:
      properties:
        encryption:
          properties:
            keyVaultProperties:
${inner
  .split('\n')
  .map(l => `              ${l}`)
  .join('\n')}
`;
    expect(verdicts(schema, {})).toEqual(all('compliant'));
    expect(verdicts(schema, { encryption: {} })).toEqual(all('compliant'));
    expect(verdicts(schema, { encryption: { keySource: 'Microsoft.KeyVault' } })).toEqual(all('compliant'));
  });
});

describe('a member set to null counts as absent, as Azure reads it', () => {
  it('JSON Schema passes required on null (not an object); the engine passes it as absent', () => {
    const schema = `  properties:
    properties:
      properties:
        networkAcls:
          required: [defaultAction]
`;
    const v = verdicts(schema, { networkAcls: null });
    expect([v.jsonSchema, v.engine]).toEqual(['compliant', 'compliant']);
  });
});

describe('a present value of another type where the schema describes an object (a documented difference)', () => {
  const schema = `  properties:
    properties:
      properties:
        networkAcls:
          required: [defaultAction]
`;
  it('JSON Schema passes required on a string; Azure reads its properties as missing, and so does the reference', () => {
    expect(verdicts(schema, { networkAcls: 'Deny' })).toEqual({
      jsonSchema: 'compliant',
      reference: 'noncompliant',
      engine: 'noncompliant'
    });
  });
  it('properties and dependentRequired under it pass in all three readings', () => {
    const props = `  properties:
    properties:
      properties:
        networkAcls:
          properties:
            defaultAction:
              const: Deny
          dependentRequired:
            defaultAction: [bypass]
`;
    expect(verdicts(props, { networkAcls: 'Deny' })).toEqual(all('compliant'));
    expect(verdicts(props, { networkAcls: ['Deny'] })).toEqual(all('compliant'));
  });
});
