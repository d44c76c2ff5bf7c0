import type { Resource } from '../../src/model/resource.js';
import { Unknown } from '../../src/model/value.js';
import type { Value } from '../../src/model/value.js';
import type { RelationRule } from '../../src/pr/relation.js';
import { compileRelationRule } from '../../src/pr/relation.js';
import { SUB, templateResource } from './support.js';

function resource(type: string, name: string, json: Record<string, Value>, line = 1, id?: string): Resource {
  return templateResource(type, name, json, { line, id });
}

const rule: RelationRule = {
  name: 'key-vault-key-access',
  displayName: 'Key access',
  severity: 'error',
  effect: { default: 'Audit' },
  resourceType: ['Microsoft.CognitiveServices/accounts'],
  appliesTo: {
    required: ['properties'],
    properties: {
      properties: { properties: { encryption: { properties: { keySource: { const: 'Microsoft.KeyVault' } } } } }
    }
  },
  relation: {
    target: {
      type: 'Microsoft.KeyVault/vaults',
      on: [{ subject: '/properties/encryption/keyVaultProperties/keyVaultUri', target: '/properties/vaultUri' }]
    },
    principal: { clientId: ['/properties/encryption/keyVaultProperties/identityClientId'] },
    grants: {
      rbacSwitch: '/properties/enableRbacAuthorization',
      accessPolicy: {
        required: ['permissions'],
        properties: {
          permissions: {
            properties: {
              keys: {
                allOf: [
                  { contains: { const: 'get' } },
                  { contains: { const: 'wrapKey' } },
                  { contains: { const: 'unwrapKey' } }
                ]
              }
            }
          }
        }
      },
      roleAssignment: {
        properties: {
          properties: { properties: { roleDefinitionId: { pattern: 'e147488a-f6f5-4113-8e2d-b22465e65bf6$' } } }
        }
      }
    }
  }
};

const accountId = `${SUB}/Microsoft.CognitiveServices/accounts/oai`;
const principal = new Unknown('the principal of oai', `reference(${accountId.toLowerCase()}).identity.principalId`);

function account(extra: Record<string, Value> = {}): Resource {
  return resource('Microsoft.CognitiveServices/accounts', 'oai', {
    identity: { type: 'SystemAssigned', principalId: principal },
    properties: {
      encryption: {
        keySource: 'Microsoft.KeyVault',
        keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://KV1.vault.azure.net' }
      }
    },
    ...extra
  });
}

function vault(accessPolicies: Value[], properties: Record<string, Value> = {}): Resource {
  return resource('Microsoft.KeyVault/vaults', 'kv1', { properties: { accessPolicies, ...properties } }, 20);
}

const check = compileRelationRule(rule);

describe('relation rules: an identity and the vault that holds its key', () => {
  it('is compliant when an access policy grants get, wrapKey and unwrapKey to the account identity', () => {
    const policy = { objectId: principal, permissions: { keys: ['Get', 'WrapKey', 'UnwrapKey', 'List'] } };
    const [finding] = check([account(), vault([policy])]);
    expect(finding.verdict).toBe('compliant');
    expect(finding.enforcement).toBe('pr-only');
  });

  it('is noncompliant when a permission is missing, pointing at the key the account names', () => {
    const policy = { objectId: principal, permissions: { keys: ['get', 'wrapKey'] } };
    const [finding] = check([account(), vault([policy])]);
    expect(finding.verdict).toBe('noncompliant');
    expect(finding.message).toContain('no grant of get, wrapKey and unwrapKey on vault kv1');
    expect(finding.resource.line).toBe(1 + 5);
  });

  it('is noncompliant when the access policy names another resource identity', () => {
    const other = new Unknown(
      'x',
      `reference(${SUB.toLowerCase()}/microsoft.cognitiveservices/accounts/other).identity.principalId`
    );
    const [finding] = check([
      account(),
      vault([{ objectId: other, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }])
    ]);
    expect(finding.verdict).toBe('noncompliant');
  });

  it('counts a vaults/accessPolicies child resource named add', () => {
    const child = resource('Microsoft.KeyVault/vaults/accessPolicies', 'kv1/add', {
      properties: { accessPolicies: [{ objectId: principal, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }] }
    });
    expect(check([account(), vault([]), child])[0].verdict).toBe('compliant');
  });

  it('is indeterminate when the grant names a principal only known after deployment', () => {
    const opaque = new Unknown("parameter 'principalId' has no value", 'parameter:principalId');
    const [finding] = check([
      account(),
      vault([{ objectId: opaque, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }])
    ]);
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.reason).toBe("depends on parameter 'principalId' has no value");
  });

  it('on an RBAC vault, counts role assignments at the vault scope and ignores access policies', () => {
    const assignmentId = `${SUB}/Microsoft.KeyVault/vaults/kv1/providers/Microsoft.Authorization/roleAssignments/1234`;
    const assignment = resource(
      'Microsoft.Authorization/roleAssignments',
      '1234',
      {
        properties: {
          principalId: principal,
          roleDefinitionId:
            '/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/E147488A-F6F5-4113-8E2D-B22465E65BF6'
        }
      },
      40,
      assignmentId
    );
    const rbac = vault([{ objectId: principal, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }], {
      enableRbacAuthorization: true
    });
    expect(check([account(), rbac])[0].verdict).toBe('noncompliant');
    expect(check([account(), rbac, assignment])[0].verdict).toBe('compliant');
  });

  it('is indeterminate, not noncompliant, when the vault is only referenced (existing): its grants may be elsewhere', () => {
    const referenced = { ...vault([]), existing: true };
    const [finding] = check([account(), referenced]);
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.reason).toBe('depends on the access already granted on the existing vault kv1');
    const granted = {
      ...vault([{ objectId: principal, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }]),
      existing: true
    };
    expect(check([account(), granted])[0].verdict).toBe('compliant');
  });

  it('says nothing when the vault is not part of the deployment', () => {
    expect(check([account()])).toEqual([]);
  });

  it('joins a key URI that reference() will return once the vault exists', () => {
    const vaultId = `${SUB}/Microsoft.KeyVault/vaults/kv1`.toLowerCase();
    const uri = new Unknown('the vault URI', `reference(${vaultId}).properties.vaultUri`);
    const subject = account({
      properties: {
        encryption: { keySource: 'Microsoft.KeyVault', keyVaultProperties: { keyName: 'k', keyVaultUri: uri } }
      }
    });
    const [finding] = check([subject, vault([])]);
    expect(finding.verdict).toBe('noncompliant');
  });

  it('joins a key URI computed from the vault once deployed, e.g. if(endsWith(reference(vault).vaultUri, ...))', () => {
    const vaultId = `${SUB}/Microsoft.KeyVault/vaults/kv1`.toLowerCase();
    const uri = new Unknown('the vault URI', `if(<endswith(<reference(${vaultId}).properties.vaultUri>,"/")>,...)`);
    const subject = account({
      properties: {
        encryption: { keySource: 'Microsoft.KeyVault', keyVaultProperties: { keyName: 'k', keyVaultUri: uri } }
      }
    });
    expect(check([subject, vault([])])[0].verdict).toBe('noncompliant');
  });

  it('is indeterminate when the user-assigned identity the key is read with is itself unknown', () => {
    const identityId = new Unknown("parameter 'identityName' has no value", 'parameter:identityName');
    const withUserIdentity: RelationRule = {
      ...rule,
      relation: {
        ...rule.relation,
        principal: { userAssignedIdentity: ['/properties/encryption/identity/userAssignedIdentity'] }
      }
    };
    const subject = account({
      properties: {
        encryption: {
          keySource: 'Microsoft.KeyVault',
          identity: { userAssignedIdentity: identityId },
          keyVaultProperties: { keyName: 'k', keyVaultUri: 'https://kv1.vault.azure.net/' }
        }
      }
    });
    const someone = new Unknown(
      "the principal of parameter 'identityName'",
      'reference(parameter:identityName).properties.principalId'
    );
    const grant = { objectId: someone, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } };
    const [finding] = compileRelationRule(withUserIdentity)([subject, vault([grant])]);
    expect(finding.verdict).toBe('indeterminate');
  });

  it('does not apply to an account with a Microsoft-managed key', () => {
    const mmk = account({ properties: { encryption: { keySource: 'Microsoft.CognitiveServices' } } });
    expect(check([mmk, vault([])])).toEqual([]);
  });
});

describe('relation rules: a subject granted by access policies only (Azure OpenAI)', () => {
  // "The key vault must use legacy access policies": an OpenAI account reads its key through an access policy only.
  const openAiOnly = compileRelationRule({
    ...rule,
    relation: {
      ...rule.relation,
      grants: {
        ...rule.relation.grants,
        accessPolicyOnly: { required: ['kind'], properties: { kind: { const: 'OpenAI' } } }
      }
    }
  });
  const policy = { objectId: principal, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } };
  const assignment = resource(
    'Microsoft.Authorization/roleAssignments',
    '1234',
    {
      properties: {
        principalId: principal,
        roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6'
      }
    },
    40,
    `${SUB}/Microsoft.KeyVault/vaults/kv1/providers/Microsoft.Authorization/roleAssignments/1234`
  );
  const rbacVault = (enabled: Value) => vault([policy], { enableRbacAuthorization: enabled });

  it('does not count a role assignment for an OpenAI account on an RBAC vault, and says why', () => {
    const [finding] = openAiOnly([account({ kind: 'openai' }), rbacVault(true), assignment]);
    expect(finding.verdict).toBe('noncompliant');
    expect(finding.message).toContain(
      'can be granted access only by an access policy, and vault kv1 has /properties/enableRbacAuthorization on, where access policies do not count'
    );
  });

  it('still counts the role assignment for an account of another kind, and access policies for OpenAI', () => {
    expect(openAiOnly([account({ kind: 'AIServices' }), rbacVault(true), assignment])[0].verdict).toBe('compliant');
    expect(openAiOnly([account({ kind: 'OpenAI' }), rbacVault(false), assignment])[0].verdict).toBe('compliant');
    expect(openAiOnly([account({ kind: 'OpenAI' }), vault([]), assignment])[0].verdict).toBe('noncompliant');
  });

  it('on a vault whose authorization model is unknown, an access policy for OpenAI depends on it', () => {
    const unknownSwitch = rbacVault(new Unknown("parameter 'rbac' has no value", 'parameter:rbac'));
    const [finding] = openAiOnly([account({ kind: 'OpenAI' }), unknownSwitch, assignment]);
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.reason).toContain("the vault's /properties/enableRbacAuthorization");
  });

  it('when the kind is unknown, a role assignment on an RBAC vault decides nothing', () => {
    const kind = new Unknown("parameter 'kind' has no value", 'parameter:kind');
    const [finding] = openAiOnly([account({ kind }), rbacVault(true), assignment]);
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.reason).toContain("parameter 'kind' has no value");
    // Without the rule's accessPolicyOnly, the same deployment is compliant.
    expect(check([account({ kind }), rbacVault(true), assignment])[0].verdict).toBe('compliant');
  });
});
