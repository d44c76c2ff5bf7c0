/**
 * cmk-guard's own pipeline policies, added to every Azure SDK client and to the raw REST
 * pipeline. Retrying stays the SDK's (its retry policy, configured through retryOptions);
 * these only make what it retries, and what it gives up on, well defined:
 * - the bearer token goes only to the Resource Manager origin the user chose (a `nextLink`,
 *   `Location` or redirect elsewhere is refused before anything is sent);
 * - every request has a deadline; a request that misses it fails like a dropped connection;
 * - a response body larger than the limit is cut off and reported, never held in memory;
 * - a body cut short by a dropped connection counts as a reset, so the SDK retries it;
 * - a 429 or 503 says how long to wait before the next try (throttle.ts): what Azure asked, at
 *   most the longest retry delay, with jitter; a 429 that asks for nothing backs off exponentially;
 * - each try is counted, so the error that ends them says how many there were and for how long.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { isRestError, RestError } from '@azure/core-rest-pipeline';
import { isLoopbackHost } from './clouds.js';
import { NOT_JSON } from './policyAnswers.js';
import { countTry, throttleWait } from './throttle.js';
import { parseJson } from '../model/jsonText.js';

export const LOOPBACK_BEARER_POLICY = 'cmkGuardLoopbackBearerPolicy';
export const ARM_GUARD_POLICY = 'cmkGuardArmGuardPolicy';

/**
 * Sets the bearer token on plain-http requests to a loopback Resource Manager (a test server,
 * an emulator). The SDK's bearer policy refuses any non-https URL, even on loopback; this one
 * refuses anything that is not loopback.
 */
export function loopbackBearerPolicy(credential: TokenCredential, scope: string): PipelinePolicy {
  return {
    name: LOOPBACK_BEARER_POLICY,
    async sendRequest(request, next) {
      const url = new URL(request.url);
      if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
        throw new Error(`cmk-guard sends a token over plain http only to loopback addresses, not to ${url.origin}.`);
      }
      request.allowInsecureConnection = true;
      const token = await credential.getToken(scope, { abortSignal: request.abortSignal });
      if (!token) throw new Error('the credential gave no token.');
      request.headers.set('Authorization', `Bearer ${token.token}`);
      return next(request);
    }
  };
}

/** A response body over the limit: reported, not retried. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly url: string
  ) {
    super(`the response was larger than ${Math.round(limit / (1024 * 1024))} MB`);
    this.name = 'ResponseTooLargeError';
  }
}

/** A request to somewhere other than the chosen Resource Manager. */
export class ForeignOriginError extends Error {
  constructor(readonly url: string) {
    super(`refused to send a request to ${new URL(url).origin}, which is not the Resource Manager endpoint`);
    this.name = 'ForeignOriginError';
  }
}

export interface GuardSettings {
  /** The only origin requests may go to. */
  origin: string;
  /** Milliseconds a request (sending it and reading the whole answer) may take. */
  timeoutMs: number;
  /** Bytes a response body may have. */
  maxResponseBytes: number;
  /** The longest wait a Retry-After may ask for, in milliseconds. */
  maxRetryAfterMs: number;
  /** The first wait of the exponential backoff on a 429 that asks for no wait. */
  firstRetryDelayMs: number;
  /** Told when a wait Azure asked for is cut short (throttle.ts). */
  notice?: (line: string) => void;
}

export const TIMED_OUT = 'ETIMEDOUT';

/**
 * The body of each error answer, by request: some SDK paths (a list page that fails) build
 * their error without ARM's message, and the message is what tells the user what to change.
 */
const errorBodies = new WeakMap<object, string>();

export function errorBodyOf(request: object | undefined): string | undefined {
  return request ? errorBodies.get(request) : undefined;
}

export function armGuardPolicy(settings: GuardSettings): PipelinePolicy {
  return {
    name: ARM_GUARD_POLICY,
    async sendRequest(request: PipelineRequest, next) {
      if (new URL(request.url).origin !== settings.origin) throw new ForeignOriginError(request.url);
      if (!(request.timeout > 0)) request.timeout = settings.timeoutMs;
      const throttle = {
        firstDelayMs: settings.firstRetryDelayMs,
        maxWaitMs: settings.maxRetryAfterMs,
        notice: settings.notice
      };
      countTry(request, throttle);
      let tooLarge = false;
      const progress = request.onDownloadProgress;
      request.onDownloadProgress = event => {
        if (event.loadedBytes > settings.maxResponseBytes) {
          tooLarge = true;
          throw new ResponseTooLargeError(settings.maxResponseBytes, request.url);
        }
        progress?.(event);
      };
      try {
        const response = await next(request);
        if (response.status >= 400) {
          response.bodyAsText = armErrorBody(response.status, response.bodyAsText);
          errorBodies.set(request, response.bodyAsText);
        }
        throttleWait(request, response, throttle);
        return response;
      } catch (error) {
        if (tooLarge) throw new ResponseTooLargeError(settings.maxResponseBytes, request.url);
        const name = (error as { name?: string } | null)?.name;
        if (name === 'AbortError' && !request.abortSignal?.aborted) {
          // The deadline (request.timeout) aborted it, not the caller: the SDK retries it as a timeout.
          const limit = request.timeout >= 1000 ? `${Math.round(request.timeout / 1000)} s` : `${request.timeout} ms`;
          throw new RestError(`no answer within ${limit}`, {
            code: TIMED_OUT,
            request
          });
        }
        if (
          isRestError(error) &&
          error.code === RestError.PARSE_ERROR &&
          error.statusCode === undefined &&
          /^Error reading response as text/.test(error.message)
        ) {
          // The connection closed in the middle of the body: a reset, which the SDK retries.
          throw new RestError('the connection closed before the whole response arrived', {
            code: 'ECONNRESET',
            request
          });
        }
        throw error;
      } finally {
        request.onDownloadProgress = progress;
      }
    }
  };
}

/**
 * The `code: message` of each entry of an error's `details`, and of theirs, once each (a message
 * that only repeats its code is the code): where Azure says why when the top-level message does
 * not. Resource Graph answers `BadRequest` "Please provide below info when asking for support:
 * timestamp = …, correlationId = …" with the reason (`InvalidQuery`, …) only in `details`
 * (Azure/azure-powershell#13762). Entries that are not objects, and codes or messages that are not
 * strings, are passed over.
 */
function detailLines(error: unknown, depth = 0): string[] {
  const details = (error as { details?: unknown } | null)?.details;
  if (!Array.isArray(details) || depth > 2) return [];
  return details.flatMap(detail => {
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return [];
    const { code, message } = detail as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' && message !== code ? message.trim().replace(/\.$/, '') : '';
    const line = typeof code === 'string' && code.trim() ? (text ? `${code}: ${text}` : code) : text;
    return [...(line ? [line] : []), ...detailLines(detail, depth + 1)];
  });
}

/**
 * An error answer in ARM's documented shape, `{"error": {"code", "message"}}`, whatever came: the
 * SDKs read it without checking (a `null` body, or a number for a code, makes them throw a
 * TypeError; `details` that are not a list of objects too), and the retry policy still sees
 * the status. The code and message are kept when they are strings, also from a top-level
 * `{code, message}` as some providers send; the `details` of common-types' ErrorResponse (and of
 * Resource Graph's error) are said after the message, as "Details: code: message; …"; nothing
 * else of the body is read.
 */
export function armErrorBody(status: number, text: string | null | undefined): string {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const isObject = (v: unknown): v is { [key: string]: unknown } =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const error = isObject(body) ? (isObject(body.error) ? body.error : body) : {};
  const code = typeof error.code === 'string' && error.code.trim() !== '' ? error.code : `Http${status}`;
  const said =
    typeof error.message === 'string'
      ? error.message
      : `Resource Manager answered ${status} without an error message in its documented shape.`;
  const details = [...new Set(detailLines(error))];
  const lead = said.trim() === '' ? '' : `${said.replace(/\.?\s*$/, '.')} `;
  const message = details.length ? `${lead}Details: ${details.join('; ')}.` : said;
  return JSON.stringify({ error: { code, message } });
}

/** An answer in a shape the API does not document: reported, not retried. */
export class MalformedAnswerError extends Error {
  constructor(
    readonly problem: string,
    readonly url: string
  ) {
    super(`the answer is not in the documented shape: ${problem}`);
    this.name = 'MalformedAnswerError';
  }
}

/**
 * Whether `error` is an SDK that could not read Resource Manager's answer. The SDKs' generated readers assume the
 * documented shape beyond what the answer checks look at (`item.versions.map(…)` throws a TypeError when
 * `versions` is an object), and read the answer of a status an operation does not document (a 204 to a PUT) as
 * an error body: a TypeError one throws is that answer's, never a crash. What it means is the caller's: a read
 * stops at a malformed answer (sdkRead); of a write, it is not known whether it was done (policyStore.ts).
 */
export function sdkCouldNotRead(error: unknown): error is TypeError {
  return error instanceof TypeError;
}

/** What an SDK call reads of an answer; one it could not read (sdkCouldNotRead) is a malformed answer. */
export async function sdkRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (sdkCouldNotRead(error)) throw new MalformedAnswerError(`the SDK could not read it: ${error.message}`, '');
    throw error;
  }
}

export const ANSWER_CHECK_POLICY = 'cmkGuardAnswerCheckPolicy';

/**
 * Checks each successful answer to a request of `methods` (GET, or the POST of a query) with
 * `check` (given the URL's path and the parsed body, NOT_JSON when it is not JSON) before the SDK
 * reads it; `check` says what is wrong, or undefined. The SDK reads a body that is not JSON, and
 * is not labelled JSON (a proxy's HTML page), as a string, so a check of a path it knows refuses it.
 */
export function answerCheckPolicy(
  check: (path: string, body: unknown) => string | undefined,
  methods: readonly string[] = ['GET']
): PipelinePolicy {
  return {
    name: ANSWER_CHECK_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      if (!methods.includes(request.method) || response.status !== 200) return response;
      let body: unknown;
      try {
        body = parseJson(response.bodyAsText ?? '');
      } catch {
        body = NOT_JSON;
      }
      const problem = check(new URL(request.url).pathname, body);
      if (problem !== undefined) throw new MalformedAnswerError(problem, request.url);
      return response;
    }
  };
}
