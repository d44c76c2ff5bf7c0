/**
 * Which Resource Manager to talk to: a named Azure cloud, or any other endpoint given as a
 * URL (Azure Stack Hub, a test server). Plain http is accepted only for loopback addresses,
 * so a bearer token never crosses a network unencrypted.
 * https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 */
import { isIP } from 'node:net';
import { UserError } from '../model/errors.js';
import { foldCase } from '../model/foldCase.js';

export const clouds = {
  AzureCloud: { arm: 'https://management.azure.com', authority: 'https://login.microsoftonline.com' },
  AzureUSGovernment: { arm: 'https://management.usgovcloudapi.net', authority: 'https://login.microsoftonline.us' },
  AzureChinaCloud: { arm: 'https://management.chinacloudapi.cn', authority: 'https://login.chinacloudapi.cn' }
} as const;

export type CloudName = keyof typeof clouds;
export const cloudNames = Object.keys(clouds) as CloudName[];

export interface ArmEndpoint {
  /** The origin requests go to, without a trailing slash. */
  url: string;
  /** The Entra ID authority that issues tokens for it. */
  authorityHost: string;
  /** The token scope Resource Manager accepts. */
  scope: string;
  /** Plain http on a loopback address: the SDK's bearer policy refuses it, ours sets the header. */
  loopbackHttp: boolean;
  /** How the endpoint was chosen, for messages. */
  description: string;
}

/** The variable the Azure SDKs read for another Entra ID authority (a private cloud, a sovereign one). */
export const AUTHORITY_VARIABLE = 'AZURE_AUTHORITY_HOST';

/** The Entra ID authority to sign in with, and whether it is one of the named clouds' (which MSAL knows). */
export interface Authority {
  host: string;
  known: boolean;
}

/**
 * `AZURE_AUTHORITY_HOST` when it is set, as the Azure SDKs read it; otherwise the cloud's authority. Entra ID is only spoken to over https (MSAL refuses anything else), so that is checked here, where the
 * message can name the variable.
 */
export function resolveAuthority(cloudAuthority: string, env: NodeJS.ProcessEnv): Authority {
  const raw = env[AUTHORITY_VARIABLE]?.trim();
  if (!raw) return { host: cloudAuthority, known: true };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(
      `${AUTHORITY_VARIABLE} is '${raw}', which is not a URL; write the Entra ID authority, e.g. https://login.microsoftonline.us.`
    );
  }
  if (url.protocol !== 'https:')
    throw new UserError(`${AUTHORITY_VARIABLE} is '${raw}'; Entra ID is reached over https only: use an https:// URL.`);
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
    throw new UserError(
      `${AUTHORITY_VARIABLE} is '${raw}'; give only the scheme, host and port of the authority, without a path, query or user name.`
    );
  const known = Object.values(clouds).some(cloud => cloud.authority === url.origin);
  return { host: url.origin, known };
}

/** Whether a URL host is this machine: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = foldCase(hostname.replace(/^\[|\]$/g, ''));
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

export function cloudByName(name: string): CloudName {
  const match = cloudNames.find(c => foldCase(c) === foldCase(name.trim()));
  if (!match) throw new UserError(`--cloud is '${name}'; use one of ${cloudNames.join(', ')}, or --arm-endpoint URL.`);
  return match;
}

/** The endpoint for `--cloud` and `--arm-endpoint` (which wins when given). */
export function resolveArmEndpoint(cloud: string | undefined, armEndpoint: string | undefined): ArmEndpoint {
  const named = clouds[cloudByName(cloud ?? 'AzureCloud')];
  if (armEndpoint === undefined || armEndpoint.trim() === '') {
    return {
      url: named.arm,
      authorityHost: named.authority,
      scope: `${named.arm}/.default`,
      loopbackHttp: false,
      description: named.arm
    };
  }
  let url: URL;
  try {
    url = new URL(armEndpoint.trim());
  } catch {
    throw new UserError(
      `--arm-endpoint is '${armEndpoint}', which is not a URL; write e.g. https://management.local.azurestack.external.`
    );
  }
  if (url.username || url.password)
    throw new UserError('--arm-endpoint must not carry a user name or password; give the credential another way.');
  if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
    throw new UserError(
      `--arm-endpoint is '${armEndpoint}'; give only the scheme, host and port, without a path or query.`
    );
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    throw new UserError(
      `--arm-endpoint is '${armEndpoint}': plain http is accepted only for loopback addresses (127.0.0.1, ::1, localhost), so a token never crosses a network unencrypted; use https.`
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`--arm-endpoint is '${armEndpoint}'; use an https:// URL.`);
  const origin = url.origin;
  return {
    url: origin,
    authorityHost: named.authority,
    scope: `${origin}/.default`,
    loopbackHttp: url.protocol === 'http:',
    description: origin
  };
}
