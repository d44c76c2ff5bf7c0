/**
 * The resources the race tests (security/parallel-writes, security/implicit-order) have deployments write without an
 * order between them: one AI account, whose key source tells the end states apart, and the Key Vault that does or does
 * not grant its identity the key.
 */
import type { J } from './arm-templates.js';

/** The customer-managed key source. */
export const CMK = 'Microsoft.KeyVault';
/** The Microsoft-managed key source. */
export const MMK = 'Microsoft.CognitiveServices';

/** The account `oai-raced` with this key source, and with the customer-managed key `keyName` in kv-raced when it is CMK. */
export function racedAccount(keySource: string, keyName = 'cmk'): J {
  return {
    type: 'Microsoft.CognitiveServices/accounts',
    apiVersion: '2024-10-01',
    name: 'oai-raced',
    location: 'westeurope',
    kind: 'AIServices',
    sku: { name: 'S0' },
    identity: { type: 'SystemAssigned' },
    properties: {
      customSubDomainName: 'oai-raced',
      encryption:
        keySource === CMK
          ? { keySource, keyVaultProperties: { keyName, keyVaultUri: 'https://kv-raced.vault.azure.net/' } }
          : { keySource }
    }
  };
}

/** The vault `kv-raced`, with an access policy that grants the account's identity the key, or with none. */
export function racedVault(granted: boolean): J {
  return {
    type: 'Microsoft.KeyVault/vaults',
    apiVersion: '2023-07-01',
    name: 'kv-raced',
    location: 'westeurope',
    properties: {
      tenantId: '[subscription().tenantId]',
      sku: { family: 'A', name: 'standard' },
      enablePurgeProtection: true,
      accessPolicies: granted
        ? [
            {
              tenantId: '[subscription().tenantId]',
              objectId:
                "[reference(resourceId('Microsoft.CognitiveServices/accounts', 'oai-raced'), '2024-10-01', 'full').identity.principalId]",
              permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] }
            }
          ]
        : []
    }
  };
}
