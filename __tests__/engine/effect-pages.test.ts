/**
 * The effect pages of Azure Policy's documentation: what `then.details` a definition must hold to
 * load (the engine refuses what Azure refuses), and the verdict the engine gives offline.
 * EFFECTS = https://learn.microsoft.com/azure/governance/policy/concepts/effect-<name>
 * STATES = https://learn.microsoft.com/azure/governance/policy/concepts/compliance-states
 */
import { loadDefinition, DefinitionError } from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

const account: Obj = {
  name: 'acct1',
  type: 'Microsoft.CognitiveServices/accounts',
  location: 'westeurope',
  tags: { environment: 'prod' },
  properties: { encryption: { keySource: 'Microsoft.CognitiveServices' } }
};
const matches = { field: 'type', equals: 'Microsoft.CognitiveServices/accounts' };
const role = '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c';

function load(then: Obj, mode = 'Indexed', parameters: Obj = {}) {
  return loadDefinition({
    file: 'effects.json',
    json: { properties: { mode, parameters, policyRule: { if: matches, then } } }
  });
}

/** The DefinitionError's message, or '' when the definition loads. */
function refusal(then: Obj, mode = 'Indexed'): string {
  try {
    load(then, mode);
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as DefinitionError).message;
  }
}

describe('EFFECTS: append (effect-append#append-properties)', () => {
  const pair = { field: 'Microsoft.Storage/storageAccounts/networkAcls.ipRules[*]', value: { value: '40.40.40.40' } };
  it('"details" is a required array of field/value pairs', () => {
    expect(refusal({ effect: 'append' })).toMatch(/at properties\.policyRule\.then\.details: .*array/);
    expect(refusal({ effect: 'append', details: pair })).toMatch(/array/);
    expect(refusal({ effect: 'append', details: [{ field: pair.field }] })).toMatch(/details\[0\]: .*"value"/);
    expect(refusal({ effect: 'append', details: [{ value: 1 }] })).toMatch(/"field"/);
    expect(refusal({ effect: 'append', details: [pair] })).toBe('');
  });
  it('a matching existing resource is non-compliant ("marks any resource that meets the if condition")', () => {
    const e = load({ effect: 'append', details: [pair] }).evaluate(armResource(account));
    expect(e.verdict).toBe('noncompliant');
    expect(e.effect).toBe('Append');
  });
});

describe('EFFECTS: modify (effect-modify#modify-properties)', () => {
  const op = { operation: 'addOrReplace', field: "tags['environment']", value: 'Test' };
  const details = { roleDefinitionIds: [role], operations: [op] };
  it('example 1 of the page loads; a matching resource is non-compliant (existing resources are not changed)', () => {
    const e = load({ effect: 'modify', details }).evaluate(armResource(account));
    expect(e.verdict).toBe('noncompliant');
  });
  it('roleDefinitionIds is required', () => {
    expect(refusal({ effect: 'modify', details: { operations: [op] } })).toMatch(/roleDefinitionIds/);
    expect(refusal({ effect: 'modify', details: { roleDefinitionIds: [], operations: [op] } })).toMatch(
      /roleDefinitionIds/
    );
    expect(refusal({ effect: 'modify' })).toMatch(/"details" object/);
  });
  it('operations is required; operation is addOrReplace, Add or Remove; field always; value unless Remove', () => {
    expect(refusal({ effect: 'modify', details: { roleDefinitionIds: [role] } })).toMatch(/operations/);
    expect(refusal({ effect: 'modify', details: { roleDefinitionIds: [role], operations: [] } })).toMatch(/operations/);
    const withOp = (o: Obj) => ({ effect: 'modify', details: { roleDefinitionIds: [role], operations: [o] } });
    expect(refusal(withOp({ ...op, operation: 'replace' }))).toMatch(/addOrReplace, Add or Remove, not "replace"/);
    expect(refusal(withOp({ operation: 'Add', field: "tags['a']" }))).toMatch(/needs a "value"/);
    expect(refusal(withOp({ operation: 'Remove', value: 'x' }))).toMatch(/needs a "field"/);
    // Example 2 of the page: Remove takes no value; operation names are case-insensitive.
    expect(refusal(withOp({ operation: 'Remove', field: "tags['env']" }))).toBe('');
    expect(refusal(withOp({ ...op, operation: 'ADDORREPLACE' }))).toBe('');
  });
  it('conflictEffect takes audit, deny or disabled', () => {
    expect(refusal({ effect: 'modify', details: { ...details, conflictEffect: 'audit' } })).toBe('');
    expect(refusal({ effect: 'modify', details: { ...details, conflictEffect: 'Deny' } })).toBe('');
    expect(refusal({ effect: 'modify', details: { ...details, conflictEffect: 'append' } })).toMatch(
      /at properties\.policyRule\.then\.details\.conflictEffect: "conflictEffect" takes audit, deny or disabled/
    );
  });
  it('example 3: an operation condition with requestContext() loads', () => {
    const conditional = {
      condition: "[greaterOrEquals(requestContext().apiVersion, '2019-04-01')]",
      operation: 'addOrReplace',
      field: 'Microsoft.Storage/storageAccounts/allowBlobPublicAccess',
      value: false
    };
    expect(
      refusal({
        effect: 'modify',
        details: { roleDefinitionIds: [role], conflictEffect: 'audit', operations: [conditional] }
      })
    ).toBe('');
  });
});

describe('EFFECTS: denyAction (effect-deny-action#denyaction-properties)', () => {
  const example = {
    effect: 'denyAction',
    details: { actionNames: ['delete'], cascadeBehaviors: { resourceGroup: 'deny' } }
  };
  it('the page example loads', () => {
    expect(refusal(example)).toBe('');
  });
  it('actionNames is required, and "delete" is the only action', () => {
    expect(refusal({ effect: 'denyAction', details: {} })).toMatch(/actionNames/);
    expect(refusal({ effect: 'denyAction', details: { actionNames: ['write'] } })).toMatch(
      /actionNames\[0\]: "actionNames" supports "delete" only/
    );
    expect(refusal({ effect: 'denyAction', details: { actionNames: ['DELETE'] } })).toBe('');
  });
  it('cascadeBehaviors takes allow or deny, and only in Indexed mode', () => {
    expect(
      refusal({
        effect: 'denyAction',
        details: { actionNames: ['delete'], cascadeBehaviors: { resourceGroup: 'block' } }
      })
    ).toMatch(/allow or deny/);
    expect(refusal(example, 'All')).toMatch(/only in definitions whose mode is Indexed/);
    expect(refusal({ effect: 'denyAction', details: { actionNames: ['delete'] } }, 'All')).toBe('');
  });
  it('offline: the deployment is not a delete, so denyAction does not block it', () => {
    // "The only supported action today is DELETE": creating or updating the resource goes through.
    const e = load(example).evaluate(armResource(account));
    expect(e).toMatchObject({ applicable: true, verdict: 'compliant', effect: 'DenyAction' });
    expect(e.message).toMatch(/deleting this resource, not deploying it/);
  });
});

describe('EFFECTS: manual (effect-manual)', () => {
  it('defaultState is Unknown when absent: the verdict is indeterminate until attested', () => {
    // "The Azure Policy compliance engine evaluates all applicable resources to the default state
    // specified in the definition (Unknown if not specified)."
    const thens: Obj[] = [{ effect: 'manual' }, { effect: 'manual', details: { defaultState: 'Unknown' } }];
    for (const then of thens) {
      const e = load(then).evaluate(armResource(account));
      expect(e.verdict).toBe('indeterminate');
      expect(e.reason).toMatch(/attested manually/);
    }
  });
  it('defaultState Compliant / NonCompliant give that verdict', () => {
    expect(
      load({ effect: 'manual', details: { defaultState: 'Compliant' } }).evaluate(armResource(account)).verdict
    ).toBe('compliant');
    expect(
      load({ effect: 'manual', details: { defaultState: 'NonCompliant' } }).evaluate(armResource(account)).verdict
    ).toBe('noncompliant');
  });
  it('a defaultState that is not one of the three is refused', () => {
    expect(refusal({ effect: 'manual', details: { defaultState: 'Attested' } })).toMatch(
      /Unknown, Compliant or NonCompliant/
    );
  });
  it('a resource the if does not match is not reported', () => {
    const def = loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'All',
          policyRule: { if: { field: 'type', equals: 'Microsoft.Resources/subscriptions' }, then: { effect: 'manual' } }
        }
      }
    });
    expect(def.evaluate(armResource(account)).applicable).toBe(false);
  });
});

describe('EFFECTS: auditIfNotExists / deployIfNotExists details', () => {
  // https://learn.microsoft.com/azure/governance/policy/concepts/effect-audit-if-not-exists#auditifnotexists-properties
  // https://learn.microsoft.com/azure/governance/policy/concepts/effect-deploy-if-not-exists#deployifnotexists-properties
  const type = 'Microsoft.Insights/diagnosticSettings';
  const deployment = { properties: { mode: 'incremental', template: {} } };
  it('details.type is required', () => {
    expect(refusal({ effect: 'auditIfNotExists' })).toMatch(/"details" object/);
    expect(refusal({ effect: 'auditIfNotExists', details: { name: 'x' } })).toMatch(/details\.type/);
    expect(refusal({ effect: 'auditIfNotExists', details: { type } })).toBe('');
  });
  it('deployIfNotExists also needs roleDefinitionIds and deployment', () => {
    expect(refusal({ effect: 'deployIfNotExists', details: { type, deployment } })).toMatch(/roleDefinitionIds/);
    expect(refusal({ effect: 'deployIfNotExists', details: { type, roleDefinitionIds: [role] } })).toMatch(
      /details\.deployment/
    );
    expect(refusal({ effect: 'deployIfNotExists', details: { type, roleDefinitionIds: [role], deployment } })).toBe('');
  });
  it('existenceScope takes ResourceGroup or Subscription', () => {
    const dine = (existenceScope: string) => ({
      effect: 'deployIfNotExists',
      details: { type, roleDefinitionIds: [role], deployment, existenceScope }
    });
    expect(refusal(dine('subscription'))).toBe('');
    expect(refusal(dine('ResourceGroup'))).toBe('');
    expect(refusal(dine('tenant'))).toMatch(/ResourceGroup or Subscription, not "tenant"/);
  });
  it('evaluationDelay takes AfterProvisioning(Success|Failure) or an ISO 8601 duration', () => {
    const aine = (evaluationDelay: string) => ({ effect: 'auditIfNotExists', details: { type, evaluationDelay } });
    for (const ok of ['AfterProvisioning', 'AfterProvisioningSuccess', 'afterProvisioningFailure', 'PT10M', 'PT1H'])
      expect(refusal(aine(ok))).toBe('');
    expect(refusal(aine('10 minutes'))).toMatch(/evaluationDelay/);
    expect(refusal(aine('PT'))).toMatch(/evaluationDelay/);
  });
  it('details.name picks the related resource by name', () => {
    const def = load({ effect: 'auditIfNotExists', details: { type, name: 'toLogs' } });
    const setting = (name: string): Obj => ({
      name: `acct1/Microsoft.Insights/${name}`,
      type,
      properties: {}
    });
    const found = def.evaluate(armResource(account), { related: [armResource(setting('toLogs'))] });
    expect(found.verdict).toBe('compliant');
    const other = def.evaluate(armResource(account), { related: [armResource(setting('other'))] });
    // A differently named setting does not satisfy it, and one elsewhere in Azure might: undecided.
    expect(other.verdict).toBe('indeterminate');
  });
});

describe('EFFECTS: only literal effects have their details checked', () => {
  it('an effect parameter allowing modify loads without modify details (the assigned value decides)', () => {
    const parameters = { effect: { type: 'String', defaultValue: 'Audit', allowedValues: ['Audit', 'Modify'] } };
    expect(() => load({ effect: "[parameters('effect')]" }, 'Indexed', parameters)).not.toThrow();
  });
});
