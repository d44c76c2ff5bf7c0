import type { Resource } from '../../src/model/resource.js';
import type { Value } from '../../src/model/value.js';
import { Unknown } from '../../src/model/value.js';
import type { TransitionRule } from '../../src/pr/transition.js';
import { compileTransitionRule, pairResources } from '../../src/pr/transition.js';
import { templateResource } from './support.js';

function resource(type: string, name: string, json: Record<string, Value>, file = 'head/main.json'): Resource {
  return templateResource(type, name, json, {
    file,
    line: 10,
    id: `/subscriptions/s/resourceGroups/rg/providers/${type}/${name}`
  });
}

const sameVault: TransitionRule = {
  name: 'cmk-key-same-vault',
  displayName: 'Same vault',
  severity: 'error',
  effect: { default: 'Audit' },
  resourceType: 'Microsoft.CognitiveServices/accounts',
  schema: {
    properties: {
      after: {
        properties: {
          properties: {
            properties: {
              encryption: {
                properties: {
                  keyVaultProperties: {
                    properties: {
                      keyVaultUri: { const: { $data: '/before/properties/encryption/keyVaultProperties/keyVaultUri' } }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
};

const account = (uri: Value, keyName = 'cmk', spelling: 'camel' | 'lower' = 'camel') =>
  resource('Microsoft.CognitiveServices/accounts', 'oai', {
    kind: 'AIServices',
    properties: {
      encryption:
        spelling === 'camel'
          ? { keySource: 'Microsoft.KeyVault', keyVaultProperties: { keyName, keyVaultUri: uri } }
          : { keysource: 'Microsoft.KeyVault', keyvaultproperties: { keyname: keyName, keyvaulturi: uri } }
    }
  });

describe('transition rules: base and head of a pull request', () => {
  const check = compileTransitionRule(sameVault);

  it('pairs resources by type and name, case-insensitively, and never pairs existing references', () => {
    const before = [account('https://a.vault.azure.net/'), { ...account('x'), name: 'ref', existing: true }];
    const after = [{ ...account('https://a.vault.azure.net/'), name: 'OAI' }];
    expect(pairResources(before, after)).toHaveLength(1);
  });

  it('is compliant when the key changes within the same vault (URI case aside)', () => {
    const [f] = check([
      { before: account('https://kv.vault.azure.net/', 'old'), after: account('https://KV.vault.azure.net/', 'new') }
    ]);
    expect(f.verdict).toBe('compliant');
  });

  it('matches property names case-insensitively, as ARM does', () => {
    const [f] = check([
      { before: account('https://kv.vault.azure.net/'), after: account('https://kv.vault.azure.net/', 'k', 'lower') }
    ]);
    expect(f.verdict).toBe('compliant');
  });

  it('is noncompliant when the key moves to another vault, pointing at the head value and saying Azure Policy cannot see it', () => {
    const [f] = check([
      { before: account('https://kv.vault.azure.net/'), after: account('https://other.vault.azure.net/') }
    ]);
    expect(f.verdict).toBe('noncompliant');
    expect(f.enforcement).toBe('pr-only');
    expect(f.message).toContain('Azure Policy cannot enforce this');
    expect(f.resource.file).toBe('head/main.json');
    expect(f.resource.line).toBe(10 + '/properties/encryption/keyVaultProperties/keyVaultUri'.split('/').length);
  });

  it('is indeterminate when the head vault is a parameter with no value, and names it', () => {
    const unknown = new Unknown("parameter 'vaultUri' has no value", 'parameter:vaultUri');
    const [f] = check([{ before: account('https://kv.vault.azure.net/'), after: account(unknown) }]);
    expect(f.verdict).toBe('indeterminate');
    expect(f.reason).toBe("depends on parameter 'vaultUri' has no value");
  });

  it('is indeterminate when a whole object of the head is unknown, rather than passing vacuously', () => {
    const unknownEncryption = resource('Microsoft.CognitiveServices/accounts', 'oai', {
      properties: { encryption: new Unknown("parameter 'encryption' has no value", 'parameter:encryption') }
    });
    const [f] = check([{ before: account('https://kv.vault.azure.net/'), after: unknownEncryption }]);
    expect(f.verdict).toBe('indeterminate');
    expect(f.reason).toBe("depends on parameter 'encryption' has no value");
  });

  it('is not thrown off by unknowns the rule does not look at', () => {
    const withPrincipal = (uri: string) => {
      const r = account(uri);
      return {
        ...r,
        json: { ...r.json, identity: { principalId: new Unknown('principal', 'reference(x).identity.principalId') } }
      };
    };
    const [f] = check([
      { before: withPrincipal('https://kv.vault.azure.net/'), after: withPrincipal('https://b.vault.azure.net/') }
    ]);
    expect(f.verdict).toBe('noncompliant');
  });

  it('ignores resources of other types', () => {
    const vault = resource('Microsoft.KeyVault/vaults', 'kv', {});
    expect(check([{ before: vault, after: vault }])).toEqual([]);
  });

  it('supports if/then/else and $defs for one-way switches', () => {
    const noSwitchBack = compileTransitionRule({
      ...sameVault,
      schema: {
        $defs: {
          cmk: {
            required: ['properties'],
            properties: {
              properties: { properties: { encryption: { properties: { keySource: { const: 'Microsoft.KeyVault' } } } } }
            }
          }
        },
        if: { properties: { before: { $ref: '#/$defs/cmk' } } },
        then: { properties: { after: { $ref: '#/$defs/cmk' } } }
      }
    });
    const cmk = account('https://kv.vault.azure.net/');
    const mmk = resource('Microsoft.CognitiveServices/accounts', 'oai', {
      properties: { encryption: { keySource: 'Microsoft.CognitiveServices' } }
    });
    expect(noSwitchBack([{ before: cmk, after: mmk }])[0].verdict).toBe('noncompliant');
    expect(noSwitchBack([{ before: mmk, after: cmk }])[0].verdict).toBe('compliant');
  });
});
