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
import { resolveAuthority } from './clouds.js';

export const TOKEN_VARIABLE = 'CMK_GUARD_AZURE_TOKEN';

/** The audience GitHub's ID token is requested for, as Entra ID's federated credentials expect. */
export const OIDC_AUDIENCE = 'api://AzureADTokenExchange';

export interface CredentialSettings {
  env: NodeJS.ProcessEnv;
  /** The cloud's Entra ID authority; `AZURE_AUTHORITY_HOST` in `env` wins over it. */
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

/** How long before its expiry a cached token is asked for again. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * One token for every client of a run: each SDK client's pipeline, and each request on loopback, asks the
 * credential, and several ask at once when a plan starts. Without this each would sign in on its own (with
 * OpenID Connect: a request for the runner's ID token and an exchange with Entra ID each time). A token is
 * kept per scope and tenant until five minutes before it expires; callers that ask while it is being fetched
 * share that fetch; a failed fetch is not kept, and a request with claims (a challenge) always goes through.
 */
export function sharedTokenCredential(inner: TokenCredential, clock: () => number = Date.now): TokenCredential {
  const cache = new Map<string, { fetching: Promise<AccessToken | null>; token?: AccessToken }>();
  const forget = (key: string, entry: object) => {
    if (cache.get(key) === entry) cache.delete(key);
  };
  return {
    async getToken(scopes, options) {
      if (options?.claims) return inner.getToken(scopes, options);
      const key = `${[scopes].flat().join(' ')}\u0000${options?.tenantId ?? ''}`;
      const kept = cache.get(key);
      if (kept && !kept.token) return kept.fetching;
      if (kept?.token && clock() < refreshAt(kept.token)) return kept.token;
      // The caller's abort signal is not passed on: the fetch is shared with callers that did not abort.
      const entry: { fetching: Promise<AccessToken | null>; token?: AccessToken } = {
        fetching: inner.getToken(scopes, options?.tenantId ? { tenantId: options.tenantId } : {})
      };
      cache.set(key, entry);
      try {
        const token = await entry.fetching;
        if (token) entry.token = token;
        else forget(key, entry);
        return token;
      } catch (error) {
        forget(key, entry);
        throw error;
      }
    }
  };
}

/** When a kept token is asked for again: when its issuer says, and at the latest five minutes before it expires. */
function refreshAt(token: AccessToken): number {
  return Math.min(token.refreshAfterTimestamp ?? Infinity, token.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS);
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
  const authority = resolveAuthority(settings.authorityHost, settings.env);
  // An authority that is not a named cloud's (a private or test one) is not looked up in Microsoft's instance
  // discovery, which knows only its own clouds and may not be reachable from there.
  const options = { authorityHost: authority.host, ...(authority.known ? {} : { disableInstanceDiscovery: true }) };
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
