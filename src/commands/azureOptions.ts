/**
 * The options every command that reaches Azure shares (how to sign in and which Resource
 * Manager to talk to), and the connection settings they make. The action builds the same
 * settings from its inputs.
 */
import type { Command, OptionSpec, OptionValues } from './command.js';
import { UserError } from '../model/errors.js';
import { RunDeadline } from '../azure/deadline.js';

/** `--run-timeout SECONDS`: the whole run's time limit for everything that waits on Azure. */
export const runTimeoutOption: Record<string, OptionSpec> = {
  'run-timeout': {
    type: 'string',
    placeholder: 'SECONDS',
    description:
      'the time limit of the whole run: no request to Azure, retry or wait goes past it, and what is done is reported (default: none)'
  }
};

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
  },
  ...runTimeoutOption
};

export interface ConnectionOptions {
  cloud?: string;
  armEndpoint?: string;
  tenantId?: string;
  clientId?: string;
  deadline?: RunDeadline;
}

function text(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The connection settings the options give (the credential comes from the environment: CMK_GUARD_AZURE_TOKEN, az login, …). */
export function connectionFromOptions(options: OptionValues): ConnectionOptions {
  const deadline = runDeadline(options);
  return {
    cloud: text(options.cloud),
    armEndpoint: text(options['arm-endpoint']),
    tenantId: text(options['tenant-id']),
    clientId: text(options['client-id']),
    ...(deadline ? { deadline } : {})
  };
}

/** The run's time limit `--run-timeout` sets, counted from now (when the command reads its options), if any. */
export function runDeadline(options: OptionValues): RunDeadline | undefined {
  const value = text(options['run-timeout']);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    throw new UserError(`--run-timeout is '${value}'; give a whole number of seconds, such as 1800.`);
  return new RunDeadline(Number(value) * 1000, `--run-timeout ${Number(value)} s`);
}
