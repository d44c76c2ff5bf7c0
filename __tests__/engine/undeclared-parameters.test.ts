/**
 * Assignment values for parameters the definition does not declare: Azure refuses the assignment
 * with UndefinedPolicyParameter ("The policy assignment 'Deploy-MDFC-Config' has the parameter(s)
 * 'enableAscForKubernetes,enableAscForRegistries' which are not defined in the policy definition …",
 * corpus rest-api/policy/arm-errors-observed.json), so the engine refuses them too.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters
 */
import { evaluateDefinitions, loadDefinition } from '../../src/engine/index.js';
import { UserError } from '../../src/model/errors.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

const account = armResource({
  name: 'acct1',
  type: 'Microsoft.CognitiveServices/accounts',
  location: 'westeurope',
  properties: {}
});

function load(parameters: Obj) {
  return loadDefinition({
    file: 'defs/located.json',
    json: {
      name: 'allowed-locations',
      properties: {
        mode: 'Indexed',
        parameters,
        policyRule: {
          if: { field: 'location', notIn: "[parameters('allowedLocations')]" },
          then: { effect: 'audit' }
        }
      }
    }
  });
}

const declared = { allowedLocations: { type: 'Array', defaultValue: ['westeurope'] } };

function refusal(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('UndefinedPolicyParameter: a value for an undeclared parameter is refused', () => {
  it('names the definition, the file, the parameter and the declared names', () => {
    const def = load(declared);
    const error = refusal(() => def.evaluate(account, { parameters: { effect: 'Deny' } }));
    expect(error.location).toEqual({ file: 'defs/located.json' });
    expect(error.message).toContain("definition 'allowed-locations' (defs/located.json)");
    expect(error.message).toContain("parameter 'effect', which the definition does not declare");
    expect(error.message).toContain("it declares 'allowedLocations'; use one of those names or remove the value");
    expect(error.describe()).toMatch(/^defs\/located\.json: /);
  });
  it('lists every undeclared parameter, as Azure does', () => {
    const def = load(declared);
    const error = refusal(() =>
      def.evaluate(account, { parameters: { enableAscForKubernetes: true, enableAscForRegistries: true } })
    );
    expect(error.message).toContain("parameters 'enableAscForKubernetes', 'enableAscForRegistries'");
  });
  it('a definition without parameters takes none', () => {
    const def = loadDefinition({
      file: 'defs/plain.json',
      json: {
        properties: {
          mode: 'All',
          policyRule: { if: { field: 'location', equals: 'eastus' }, then: { effect: 'audit' } }
        }
      }
    });
    expect(refusal(() => def.evaluate(account, { parameters: { x: 1 } })).message).toContain(
      'it declares no parameters, so give it none'
    );
    expect(def.evaluate(account, { parameters: {} }).verdict).toBe('compliant');
    expect(def.evaluate(account).verdict).toBe('compliant');
  });
  it('declared names match case-insensitively (parameter names are case-insensitive)', () => {
    const def = load(declared);
    expect(def.evaluate(account, { parameters: { ALLOWEDLOCATIONS: ['eastus'] } }).verdict).toBe('noncompliant');
    expect(def.evaluate(account, { parameters: { allowedLocations: ['westeurope'] } }).verdict).toBe('compliant');
  });
  it('evaluateDefinitions passes each definition only its own parameters', () => {
    const def = load(declared);
    const other = loadDefinition({
      file: null,
      json: {
        name: 'other',
        properties: {
          mode: 'All',
          parameters: { effect: { type: 'String', defaultValue: 'Audit' } },
          policyRule: {
            if: { field: 'type', equals: 'Microsoft.CognitiveServices/accounts' },
            then: { effect: "[parameters('effect')]" }
          }
        }
      }
    });
    const findings = evaluateDefinitions([def, other], [account], {
      parameters: { 'allowed-locations': { allowedLocations: ['eastus'] }, other: { effect: 'Deny' } }
    });
    expect(findings.map(f => [f.definition, f.verdict, f.effect])).toEqual([
      ['allowed-locations', 'noncompliant', 'Audit'],
      ['other', 'noncompliant', 'Deny']
    ]);
    expect(() =>
      evaluateDefinitions([def], [account], { parameters: { 'allowed-locations': { effect: 'Deny' } } })
    ).toThrow(/does not declare/);
  });
});
