/**
 * What went wrong talking to Azure, as a sentence a user can act on. Whatever Azure or the
 * network said is quoted only after it is cut to a few hundred characters, stripped of
 * control characters and of the token: an error must never print a secret or a megabyte.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import { UserError } from '../model/errors.js';
import { errorBodyOf, ForeignOriginError, MalformedAnswerError, ResponseTooLargeError, TIMED_OUT } from './policies.js';
import { writeAnswerProblem } from './policyAnswers.js';
import { triesNote } from './throttle.js';
import { RunTimeoutError } from './deadline.js';

/** Azure answered, or could not be reached, and the request did not do what was asked. */
export class ArmError extends UserError {
  constructor(
    message: string,
    /** The HTTP status, or undefined when no answer came. */
    readonly status: number | undefined,
    /** ARM's error code (`InvalidPolicyRule`, `AuthorizationFailed`, …) or the network's (`ECONNRESET`). */
    readonly code: string | undefined,
    /** ARM's own message, cleaned. */
    readonly armMessage: string
  ) {
    super(message);
    this.name = 'ArmError';
  }
}

const MAX_QUOTE = 600;

/** Text from outside, safe to print: no control characters, no secret, bounded length. */
export function cleanText(text: string, secrets: readonly string[] = []): string {
  let clean = text;
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('***');
  // Bearer tokens that are not ours (a proxy echoing a header) are cut too.
  clean = clean.replace(/\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1***');
  // eslint-disable-next-line no-control-regex
  clean = clean.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return clean.length > MAX_QUOTE ? `${clean.slice(0, MAX_QUOTE)}…` : clean;
}

/** ARM's error body, in its documented shape `{"error": {"code", "message", "details"}}`. */
export function readArmErrorBody(body: unknown): { code?: string; message?: string } {
  const error = (body as { error?: unknown } | null | undefined)?.error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : undefined
  };
}

function parseBody(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A write answered `status`, a success, without what a success answers (writeAnswerProblem): an error body or a
 * proxy's page says nothing of whether the write was done. Undefined when the answer is what a success answers.
 */
export function writeAnswerError(
  method: 'PUT' | 'DELETE',
  status: number,
  body: unknown,
  doing: string
): ArmError | undefined {
  const problem = writeAnswerProblem(method, body);
  if (problem === undefined) return undefined;
  return new ArmError(
    `Resource Manager answered ${status} while ${doing}, but with ${problem} instead of ${method === 'PUT' ? 'what was written' : 'nothing or what was deleted'}; cmk-guard does not know whether it was done.`,
    status,
    'UnexpectedAnswer',
    ''
  );
}

/** Advice for a status that has one (SDK and raw REST answers alike). */
export function adviceFor(status: number | undefined, code: string | undefined): string {
  if (status === 401)
    return ' The token was refused: it has expired, or it was issued for another cloud or audience; sign in again.';
  // Azure Policy's deny effect, answered 403 too: no role is missing.
  if (code === 'RequestDisallowedByPolicy')
    return ' An Azure Policy assignment denies this write (Azure names it above): change what cmk-guard writes to comply with it (for an exemption: its expires date, reason or category in cmk-guard.yaml), or ask that assignment’s owner to exempt it.';
  if (status === 403 || code === 'AuthorizationFailed')
    return ' The identity may not do this: give it Resource Policy Contributor at the scope (Reader to read only).';
  if (status === 404 && /Subscription|ManagementGroup/i.test(code ?? ''))
    return ' Check the scope: it does not exist or the identity cannot see it.';
  return '';
}

/**
 * Any error from an SDK call or a raw request → an ArmError saying what was being done.
 * `doing` reads as "while <doing>", e.g. "listing the policy definitions at management group x".
 */
export function toArmError(error: unknown, doing: string, secrets: readonly string[] = []): ArmError {
  if (error instanceof ArmError) return error;
  if (error instanceof RunTimeoutError)
    return new ArmError(`cmk-guard stopped while ${doing}: ${error.message}.`, undefined, 'RunTimeout', '');
  if (error instanceof ResponseTooLargeError) {
    return new ArmError(
      `Resource Manager's answer while ${doing} was larger than ${Math.round(error.limit / (1024 * 1024))} MB, more than a policy response can be; cmk-guard stopped reading it.`,
      undefined,
      'ResponseTooLarge',
      ''
    );
  }
  if (error instanceof MalformedAnswerError) {
    return new ArmError(
      `Resource Manager's answer while ${doing} is not in the shape its API documents (${cleanText(error.problem, secrets)}); cmk-guard stopped before acting on it. Check that the endpoint is Resource Manager, or retry later.`,
      undefined,
      'MalformedAnswer',
      ''
    );
  }
  if (error instanceof ForeignOriginError) {
    return new ArmError(
      `while ${doing}, Resource Manager pointed cmk-guard to ${cleanText(new URL(error.url).origin)}: cmk-guard only sends its token to the endpoint it was given, so it stopped.`,
      undefined,
      'ForeignOrigin',
      ''
    );
  }
  if (isRestError(error)) {
    const status = error.statusCode;
    const fromDetails = readArmErrorBody((error as { details?: unknown }).details);
    const fromBody = fromDetails.code
      ? fromDetails
      : readArmErrorBody(parseBody(error.response?.bodyAsText ?? errorBodyOf(error.request)));
    const code = fromBody.code ?? (typeof error.code === 'string' ? error.code : undefined);
    if (status === undefined) {
      const what =
        error.code === TIMED_OUT
          ? `Resource Manager gave ${cleanText(error.message, secrets)}, after retries`
          : `Resource Manager could not be reached (${cleanText(error.code ?? '', secrets) || 'no answer'}: ${cleanText(error.message, secrets)}), after retries`;
      return new ArmError(
        `${what}, while ${doing}.${triesNote(error.request)}`,
        undefined,
        error.code,
        cleanText(error.message, secrets)
      );
    }
    if (
      error.code === 'PARSE_ERROR' ||
      (fromBody.code === undefined && /parsing the response body/.test(error.message))
    ) {
      return new ArmError(
        `Resource Manager answered ${status} with a body that is not JSON while ${doing}; a proxy or the endpoint is not Resource Manager.`,
        status,
        'PARSE_ERROR',
        ''
      );
    }
    const message = cleanText(fromBody.message ?? error.message, secrets);
    return new ArmError(
      `Azure answered ${status}${code ? ` ${cleanText(code)}` : ''} while ${doing}: ${message}${adviceFor(status, code)}${triesNote(error.request)}`,
      status,
      code,
      message
    );
  }
  const name = (error as { name?: string } | null)?.name;
  if (
    name === 'CredentialUnavailableError' ||
    name === 'AuthenticationError' ||
    name === 'AggregateAuthenticationError'
  ) {
    return new ArmError(
      `cmk-guard could not sign in to Azure while ${doing}: ${cleanText((error as Error).message, secrets)}`,
      undefined,
      name,
      cleanText((error as Error).message, secrets)
    );
  }
  if (name === 'AbortError') {
    return new ArmError(`the request was cancelled while ${doing}.`, undefined, 'AbortError', '');
  }
  if (error instanceof Error && error.name === 'TypeError') throw error;
  if (error instanceof Error) {
    return new ArmError(
      `the request failed while ${doing}: ${cleanText(error.message, secrets)}`,
      undefined,
      undefined,
      cleanText(error.message, secrets)
    );
  }
  throw error;
}
