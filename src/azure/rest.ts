/**
 * Raw Resource Manager requests through the same pipeline as the SDK clients (same
 * credential, retries, deadlines, limits): for operations an SDK does not have or gets
 * wrong. Paging follows `nextLink`; long-running operations are followed through
 * `Azure-AsyncOperation` or `Location` until they end or the deadline passes.
 */
import type { HttpClient, Pipeline, PipelineResponse } from '@azure/core-rest-pipeline';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { adviceFor, ArmError, cleanText, readArmErrorBody, toArmError } from './errors.js';
import { parseJson } from '../model/jsonText.js';
import { MalformedAnswerError } from './policies.js';
import { triesNote } from './throttle.js';
import { pause, RunTimeoutError, type RunDeadline } from './deadline.js';

export type ArmMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface ArmRequest {
  method: ArmMethod;
  /** A path on the endpoint (`/subscriptions/…`), or an absolute URL on it (a `nextLink`). */
  path: string;
  /** Added as `api-version` unless the URL already has one (a `nextLink` does). */
  apiVersion?: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Statuses that are an answer, not an error (default: any 2xx). */
  expect?: readonly number[];
  /** What the request does, for errors: "listing the exemptions at …". */
  doing?: string;
}

export interface ArmResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when the body is empty. */
  body: T;
}

/** At most this many pages are followed, so a `nextLink` that points to itself cannot loop forever. */
export const MAX_PAGES = 10_000;

/**
 * Empty pages in a row, each with a link to another, after which a list is taken never to end:
 * Resource Manager sends an empty page with a `nextLink` now and then (it filters after paging), but
 * not a hundred in a row, and links that differ each time would otherwise be followed MAX_PAGES
 * times (10,000 requests, half an hour against Azure).
 */
export const MAX_EMPTY_PAGES = 100;

/** The error for a list that sent MAX_EMPTY_PAGES empty pages in a row. */
export function endlessEmptyPages(who: string, doing: string): ArmError {
  return new ArmError(
    `${who} sent ${MAX_EMPTY_PAGES} empty pages in a row, each with a link to another, while ${doing}; cmk-guard stopped, as the list would never end.`,
    undefined,
    'Paging',
    ''
  );
}

export class ArmRest {
  private readonly httpClient: HttpClient = createDefaultHttpClient();

  constructor(
    readonly endpoint: string,
    private readonly pipeline: Pipeline,
    private readonly secrets: readonly string[],
    private readonly deadline?: RunDeadline
  ) {}

  /** The absolute URL of a path or URL on this endpoint, with `api-version` and the query. */
  url(request: Pick<ArmRequest, 'path' | 'apiVersion' | 'query'>): string {
    const url = new URL(request.path, `${this.endpoint}/`);
    if (request.apiVersion && !url.searchParams.has('api-version'))
      url.searchParams.set('api-version', request.apiVersion);
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, value);
    return url.toString();
  }

  async send<T = unknown>(request: ArmRequest): Promise<ArmResponse<T>> {
    const url = this.url(request);
    const doing = request.doing ?? `${request.method} ${new URL(url).pathname}`;
    let response: PipelineResponse;
    try {
      const pipelineRequest = createPipelineRequest({
        url,
        method: request.method,
        headers: createHttpHeaders({ accept: 'application/json' }),
        body: request.body === undefined ? undefined : JSON.stringify(request.body)
      });
      if (request.body !== undefined) pipelineRequest.headers.set('content-type', 'application/json');
      response = await this.pipeline.sendRequest(this.httpClient, pipelineRequest);
    } catch (error) {
      throw toArmError(error, doing, this.secrets);
    }
    const body = this.parse(response, doing);
    const ok = request.expect
      ? request.expect.includes(response.status)
      : response.status >= 200 && response.status < 300;
    if (!ok) {
      const { code, message } = readArmErrorBody(body);
      const cleanMessage = cleanText(message ?? `status ${response.status}`, this.secrets);
      throw toArmError(
        new ArmError(
          `Azure answered ${response.status}${code ? ` ${cleanText(code)}` : ''} while ${doing}: ${cleanMessage}${adviceFor(response.status, code)}${triesNote(response.request)}`,
          response.status,
          code,
          cleanMessage
        ),
        doing
      );
    }
    return { status: response.status, headers: response.headers.toJSON(), body: body as T };
  }

  /** Every item of a paged list (`{value: [...], nextLink}`), page after page. */
  async *list<T = unknown>(request: Omit<ArmRequest, 'method' | 'body'>): AsyncGenerator<T> {
    let next: string | undefined = this.url(request);
    const seen = new Set<string>();
    let empty = 0;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES || seen.has(next)) {
        throw new ArmError(
          `Resource Manager kept sending more pages (or the same page again) while ${request.doing ?? 'listing'}; cmk-guard stopped after ${page}.`,
          undefined,
          'Paging',
          ''
        );
      }
      seen.add(next);
      const response: ArmResponse<{ value?: unknown; nextLink?: unknown }> = await this.send({
        ...request,
        method: 'GET',
        path: next,
        query: undefined
      });
      const { value, nextLink } = response.body ?? {};
      if (!Array.isArray(value)) {
        throw new ArmError(
          `Resource Manager's answer while ${request.doing ?? 'listing'} has no \`value\` list; the endpoint does not speak the Resource Manager API.`,
          response.status,
          'Paging',
          ''
        );
      }
      yield* value as T[];
      next = typeof nextLink === 'string' && nextLink !== '' ? nextLink : undefined;
      empty = value.length ? 0 : empty + 1;
      if (next && empty >= MAX_EMPTY_PAGES) throw endlessEmptyPages('Resource Manager', request.doing ?? 'listing');
    }
  }

  async listAll<T = unknown>(request: Omit<ArmRequest, 'method' | 'body'>): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this.list<T>(request)) items.push(item);
    return items;
  }

  /**
   * Follows a long-running operation started by `started` (a 201 or 202 with
   * `Azure-AsyncOperation` or `Location`) until it ends, waiting as `Retry-After` says.
   * Returns the final answer; fails when the operation fails or `timeoutMs` passes.
   */
  async waitForOperation(
    started: ArmResponse,
    options: { timeoutMs: number; doing: string; apiVersion?: string; defaultWaitMs?: number }
  ): Promise<ArmResponse> {
    const asyncOperation = started.headers['azure-asyncoperation'];
    const location = started.headers['location'];
    if (started.status !== 201 && started.status !== 202) return started;
    if (!asyncOperation && !location) return started;
    const deadline = Date.now() + options.timeoutMs;
    let last = started;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        await pause(Math.min(retryAfterMs(last.headers) ?? options.defaultWaitMs ?? 5000, remaining), this.deadline);
      } catch (error) {
        if (error instanceof RunTimeoutError) throw toArmError(error, options.doing, this.secrets);
        throw error;
      }
      if (asyncOperation) {
        last = await this.send({
          method: 'GET',
          path: asyncOperation,
          apiVersion: options.apiVersion,
          doing: options.doing
        });
        const status = (last.body as { status?: unknown } | null | undefined)?.status;
        // The status monitor's `status` is required: an answer without one (an error body answered 200, a
        // proxy's page) would be polled until the deadline, ten minutes for a write.
        if (typeof status !== 'string' || status.trim() === '')
          throw toArmError(
            new MalformedAnswerError("the operation's status answer has no `status`", asyncOperation),
            options.doing,
            this.secrets
          );
        if (/^(succeeded)$/i.test(status)) {
          return location
            ? this.send({ method: 'GET', path: location, apiVersion: options.apiVersion, doing: options.doing })
            : last;
        }
        if (/^(failed|canceled|cancelled)$/i.test(status)) {
          const { code, message } = readArmErrorBody(last.body);
          const clean = cleanText(message ?? status, this.secrets);
          throw new ArmError(
            `the operation ended ${status} while ${options.doing}: ${clean}`,
            last.status,
            code ?? status,
            clean
          );
        }
      } else {
        last = await this.send({
          method: 'GET',
          path: location as string,
          apiVersion: options.apiVersion,
          doing: options.doing
        });
        if (last.status !== 202) return last;
      }
    }
    throw new ArmError(
      `the operation did not end within ${Math.round(options.timeoutMs / 1000)} s while ${options.doing}.`,
      undefined,
      'OperationTimeout',
      ''
    );
  }

  private parse(response: PipelineResponse, doing: string): unknown {
    const text = response.bodyAsText ?? '';
    if (text.trim() === '') return undefined;
    try {
      return parseJson(text);
    } catch {
      throw new ArmError(
        `Resource Manager answered ${response.status} with a body that is not JSON while ${doing}; a proxy or the endpoint is not Resource Manager.`,
        response.status,
        'PARSE_ERROR',
        ''
      );
    }
  }
}

/** Retry-After in seconds or as an HTTP-date (RFC 9110 allows either), at most a minute. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60_000) : undefined;
}

/** A write Resource Manager accepted to finish later: a 202 that says where to follow it. */
export function isAcceptedLater(response: Pick<ArmResponse, 'status' | 'headers'>): boolean {
  return (
    response.status === 202 &&
    (response.headers['azure-asyncoperation'] !== undefined || response.headers['location'] !== undefined)
  );
}

/** How long a write Resource Manager finishes later may take before cmk-guard gives up on it. */
export const WRITE_OPERATION_TIMEOUT_MS = 10 * 60_000;
