/**
 * One connection to Resource Manager: the endpoint, the credential, and the settings every
 * client shares (retries, deadlines, limits). SDK clients are built with `clientOptions`
 * and then `attach`ed; raw REST calls (`rest`) go through a pipeline built the same way.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Pipeline, PipelineRetryOptions } from '@azure/core-rest-pipeline';
import {
  bearerTokenAuthenticationPolicy,
  bearerTokenAuthenticationPolicyName,
  createPipelineFromOptions
} from '@azure/core-rest-pipeline';
import { UserError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { clouds, resolveArmEndpoint, type ArmEndpoint } from './clouds.js';
import { selectCredential, sharedTokenCredential, TOKEN_VARIABLE, type CredentialSettings } from './credential.js';
import { cleanText } from './errors.js';
import { ARM_GUARD_POLICY, armGuardPolicy, loopbackBearerPolicy, type GuardSettings } from './policies.js';
import { ArmRest } from './rest.js';
import type { RunDeadline } from './deadline.js';

export interface ConnectionSettings {
  env: NodeJS.ProcessEnv;
  /** `AzureCloud` (default), `AzureUSGovernment`, `AzureChinaCloud`. */
  cloud?: string;
  /** Any other Resource Manager; http only on loopback. Wins over `cloud`. */
  armEndpoint?: string;
  tenantId?: string;
  clientId?: string;
  /** The runner's OIDC token, in GitHub Actions. */
  idToken?: CredentialSettings['idToken'];
  /**
   * When given, the token in CMK_GUARD_AZURE_TOKEN is sent only to one of these endpoints or to a named cloud's
   * Resource Manager, and any other endpoint is refused before anything is sent: on a pull request, the endpoint
   * the workflow names, so no configuration file can lead the token elsewhere. Unlike a token Entra ID issues
   * for the endpoint (its audience), a static token is one for Resource Manager wherever it goes.
   */
  staticTokenEndpoints?: readonly string[];
  /** A credential chosen by the caller (tests); otherwise one is selected from the settings. */
  credential?: TokenCredential;
  /** The SDK's retry options; defaults below, `CMK_GUARD_AZURE_RETRY_DELAY_MS` sets the base delay. */
  retry?: PipelineRetryOptions;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** The run's time limit (`run-timeout`): no request nor wait goes past it. */
  deadline?: RunDeadline;
}

export const DEFAULT_RETRY: Required<PipelineRetryOptions> = {
  maxRetries: 6,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 30_000
};
export const DEFAULT_TIMEOUT_MS = 60_000;
/** A page of 1,000 definitions is a few MB; nothing Resource Manager sends for policy is near this. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface ArmClientOptions {
  endpoint: string;
  credentials: { scopes: string[] };
  retryOptions: PipelineRetryOptions;
  userAgentOptions: { userAgentPrefix: string };
}

export class ArmConnection {
  readonly rest: ArmRest;
  private readonly guard: GuardSettings;
  /** Where what the requests meet is told for the run's log (a wait Azure asked for, cut short); none: nowhere. */
  log: ((line: string) => void) | undefined;

  constructor(
    readonly endpoint: ArmEndpoint,
    readonly credential: TokenCredential,
    /** How cmk-guard signed in (never the token). */
    readonly signedInWith: string,
    readonly retry: PipelineRetryOptions,
    guard: Omit<GuardSettings, 'origin' | 'maxRetryAfterMs' | 'firstRetryDelayMs' | 'notice'>,
    /** Secrets to keep out of every message. */
    readonly secrets: readonly string[] = [],
    /** The run's time limit, if it has one. */
    readonly deadline?: RunDeadline
  ) {
    this.guard = {
      ...guard,
      origin: endpoint.url,
      maxRetryAfterMs: retry.maxRetryDelayInMs ?? DEFAULT_RETRY.maxRetryDelayInMs,
      firstRetryDelayMs: retry.retryDelayInMs ?? DEFAULT_RETRY.retryDelayInMs,
      notice: line => this.log?.(line)
    };
    const pipeline = createPipelineFromOptions(this.clientOptions());
    this.attach(pipeline, true);
    this.rest = new ArmRest(endpoint.url, pipeline, this.secrets, deadline);
  }

  /** Options for any Azure SDK management client's constructor. */
  clientOptions(): ArmClientOptions {
    return {
      endpoint: this.endpoint.url,
      credentials: { scopes: [this.endpoint.scope] },
      retryOptions: this.retry,
      userAgentOptions: { userAgentPrefix: `cmk-guard/${VERSION}` }
    };
  }

  /**
   * Adds cmk-guard's policies to a client's pipeline: the guard (origin, deadline, size) and,
   * for a plain-http loopback endpoint, the bearer policy that allows it. `bare` is a pipeline
   * with no authentication yet (the raw REST one), which always gets a bearer policy.
   */
  attach(pipeline: Pipeline, bare = false): void {
    const names = new Set(pipeline.getOrderedPolicies().map(p => p.name));
    if (names.has(ARM_GUARD_POLICY)) return;
    if (this.endpoint.loopbackHttp) {
      pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
      pipeline.addPolicy(loopbackBearerPolicy(this.credential, this.endpoint.scope), { phase: 'Sign' });
    } else if (bare || !names.has(bearerTokenAuthenticationPolicyName)) {
      pipeline.addPolicy(
        bearerTokenAuthenticationPolicy({ credential: this.credential, scopes: this.endpoint.scope }),
        { phase: 'Sign' }
      );
    }
    pipeline.addPolicy(armGuardPolicy(this.guard), { afterPhase: 'Sign' });
    // Outside the retries, so that it ends a wait between tries too.
    if (this.deadline) pipeline.addPolicy(this.deadline.policy());
  }

  redact(text: string): string {
    return cleanText(text, this.secrets);
  }
}

/** Reads a positive integer setting from the environment, or the fallback. */
function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new UserError(`${name} is '${raw}'; give a whole number of milliseconds.`);
  return value;
}

/** Chooses the endpoint and the credential; nothing is sent until a client makes a request. */
export function connectArm(settings: ConnectionSettings): ArmConnection {
  const endpoint = resolveArmEndpoint(settings.cloud, settings.armEndpoint);
  const selected = settings.credential
    ? { credential: settings.credential, description: 'the credential given', secret: undefined }
    : selectCredential({
        env: settings.env,
        authorityHost: endpoint.authorityHost,
        tenantId: settings.tenantId,
        clientId: settings.clientId,
        idToken: settings.idToken
      });
  if (selected.secret !== undefined && settings.staticTokenEndpoints !== undefined)
    checkStaticTokenEndpoint(endpoint, settings.staticTokenEndpoints);
  const retry: PipelineRetryOptions = {
    ...DEFAULT_RETRY,
    retryDelayInMs: envNumber(settings.env, 'CMK_GUARD_AZURE_RETRY_DELAY_MS', DEFAULT_RETRY.retryDelayInMs),
    ...settings.retry
  };
  return new ArmConnection(
    endpoint,
    sharedTokenCredential(selected.credential),
    selected.description,
    retry,
    {
      timeoutMs: settings.timeoutMs ?? envNumber(settings.env, 'CMK_GUARD_AZURE_TIMEOUT_MS', DEFAULT_TIMEOUT_MS),
      maxResponseBytes: settings.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    },
    selected.secret ? [selected.secret] : [],
    settings.deadline
  );
}

/** Refuses to send the static token to an endpoint that is neither one of `named` nor a named cloud's. */
function checkStaticTokenEndpoint(endpoint: ArmEndpoint, named: readonly string[]): void {
  const origin = (url: string) => {
    try {
      return resolveArmEndpoint(undefined, url).url;
    } catch {
      return undefined;
    }
  };
  const allowed = [...Object.values(clouds).map(cloud => cloud.arm), ...named.map(origin)];
  if (allowed.includes(endpoint.url)) return;
  throw new UserError(
    `cmk-guard sends the token in ${TOKEN_VARIABLE} on a pull request only to the Resource Manager the workflow names (the \`arm-endpoint\` input, or --arm-endpoint) or to a named cloud's, and ${endpoint.url} is named only by a configuration file: name it in the workflow if it is yours.`
  );
}
