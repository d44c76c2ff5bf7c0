/**
 * The options every command that reaches Azure shares (how to sign in and which Resource
 * Manager to talk to), and the connection settings they make. The action builds the same
 * settings from its inputs.
 */
import type { Command, OptionValues } from './command.js';

export const azureConnectionOptions: Command['options'] = {
  cloud: {
    type: 'string',
    placeholder: 'NAME',
    description: 'AzureCloud, AzureUSGovernment or AzureChinaCloud',
    default: 'AzureCloud'
  },
  'arm-endpoint': {
    type: 'string',
    placeholder: 'URL',
    description: 'any other Resource Manager endpoint (Azure Stack Hub, a test server); http only on loopback'
  },
  'tenant-id': {
    type: 'string',
    placeholder: 'ID',
    description: 'the Entra ID tenant, with --client-id for OpenID Connect in GitHub Actions'
  },
  'client-id': {
    type: 'string',
    placeholder: 'ID',
    description: 'the Entra ID application (client) id, for OpenID Connect in GitHub Actions'
  }
};

export interface ConnectionOptions {
  cloud?: string;
  armEndpoint?: string;
  tenantId?: string;
  clientId?: string;
}

function text(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The connection settings the options give (the credential comes from the environment: CMK_GUARD_AZURE_TOKEN, az login, …). */
export function connectionFromOptions(options: OptionValues): ConnectionOptions {
  return {
    cloud: text(options.cloud),
    armEndpoint: text(options['arm-endpoint']),
    tenantId: text(options['tenant-id']),
    clientId: text(options['client-id'])
  };
}
