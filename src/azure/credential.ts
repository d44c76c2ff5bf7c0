/**
 * How cmk-guard signs in to Azure, first match wins:
 * 1. a bearer token in CMK_GUARD_AZURE_TOKEN (air-gapped runners, tokens obtained elsewhere);
 * 2. in GitHub Actions with a client id and tenant id: OpenID Connect, the runner's ID token
 *    exchanged for an Entra ID token (ClientAssertionCredential);
 * 3. in GitHub Actions otherwise: environment credentials (AZURE_CLIENT_ID, …), then what
 *    azure/login left behind (the Azure CLI's sign-in);
 * 4. elsewhere: the default chain (environment, workload identity, managed identity, Azure CLI, …).
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  DefaultAzureCredential,
  EnvironmentCredential
} from '@azure/identity';
import { UserError } from '../model/errors.js';

export const TOKEN_VARIABLE = 'CMK_GUARD_AZURE_TOKEN';

/** The audience GitHub's ID token is requested for, as Entra ID's federated credentials expect. */
export const OIDC_AUDIENCE = 'api://AzureADTokenExchange';

export interface CredentialSettings {
  env: NodeJS.ProcessEnv;
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
  /** The runner's OIDC token (the action passes `core.getIDToken`); only in GitHub Actions. */
  idToken?: (audience: string) => Promise<string>;
}

export interface SelectedCredential {
  credential: TokenCredential;
  /** How cmk-guard signed in, for the log: never the token. */
  description: string;
  /** A secret to keep out of every message (the static token). */
  secret?: string;
}

/** A token given as is; its expiry is not known, so Azure's 401 is what tells it has expired. */
export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 })
  };
}

/** The token from CMK_GUARD_AZURE_TOKEN, without a `Bearer ` prefix, or undefined when unset. */
export function tokenFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env[TOKEN_VARIABLE];
  if (raw === undefined || raw.trim() === '') return undefined;
  const token = raw.trim().replace(/^bearer\s+/i, '');
  // It goes into an HTTP header: anything but the characters of a token (RFC 6750's b64token) could
  // split the header or smuggle another one.
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    throw new UserError(
      `${TOKEN_VARIABLE} holds characters a bearer token cannot have (spaces, line breaks, quotes); set it to the access token alone.`
    );
  }
  return token;
}

export function selectCredential(settings: CredentialSettings): SelectedCredential {
  const token = tokenFromEnvironment(settings.env);
  if (token) {
    return { credential: staticTokenCredential(token), description: `the token in ${TOKEN_VARIABLE}`, secret: token };
  }
  const options = { authorityHost: settings.authorityHost };
  const inActions = settings.env.GITHUB_ACTIONS === 'true';
  if (inActions && settings.clientId && settings.tenantId) {
    const idToken = settings.idToken;
    if (!idToken || !settings.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
      throw new UserError(
        'client-id and tenant-id are set, but the job cannot request an OIDC token; add `permissions: id-token: write` to the workflow or job.'
      );
    }
    return {
      credential: new ClientAssertionCredential(
        settings.tenantId,
        settings.clientId,
        () => idToken(OIDC_AUDIENCE),
        options
      ),
      description: `OpenID Connect as application ${settings.clientId} in tenant ${settings.tenantId}`
    };
  }
  if (settings.clientId || settings.tenantId) {
    if (!inActions)
      throw new UserError(
        'client-id and tenant-id sign in with GitHub OpenID Connect, which only a GitHub Actions job has; run `az login` (or set CMK_GUARD_AZURE_TOKEN) instead.'
      );
    throw new UserError('OpenID Connect needs both client-id and tenant-id; give the one that is missing.');
  }
  if (inActions) {
    return {
      credential: new ChainedTokenCredential(new EnvironmentCredential(options), new AzureCliCredential()),
      description: 'the environment credentials (AZURE_CLIENT_ID, …) or the Azure CLI sign-in of azure/login'
    };
  }
  return {
    credential: new DefaultAzureCredential(options),
    description: 'the default Azure credential chain (environment, managed identity, Azure CLI, …)'
  };
}

/** What to tell a user whose credential could not produce a token. */
export function signInAdvice(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_ACTIONS === 'true'
    ? 'give client-id and tenant-id (with `permissions: id-token: write`), or run azure/login in a step before, or set CMK_GUARD_AZURE_TOKEN'
    : 'run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret or certificate, or set CMK_GUARD_AZURE_TOKEN to an access token for Resource Manager';
}
