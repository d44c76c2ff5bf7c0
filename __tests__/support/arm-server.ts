/**
 * An Azure Resource Manager on loopback for tests: the real Azure SDK clients (through
 * `--arm-endpoint` and `CMK_GUARD_AZURE_TOKEN`) talk to it over HTTP. The core speaks what
 * every ARM endpoint does:
 * - `api-version` is required (400 `MissingApiVersionParameter`), and a route accepts only its
 *   own versions (400 `InvalidApiVersionParameter`);
 * - a bearer token is required (401 `AuthenticationFailed` / `InvalidAuthenticationToken`);
 * - errors have ARM's shape `{"error": {"code", "message"}}`;
 * - lists page with `nextLink` (`page`), long-running operations answer 202 with `Location`
 *   and `Azure-AsyncOperation` (`longRunning`);
 * - faults are injected on a seeded schedule (429 with Retry-After, 500, dropped connections
 *   before or after the write is done), and writes are counted per resource.
 * Endpoints live in modules (`arm-policy.ts`); other modules (Resource Graph, Policy Insights,
 * exemptions) register their routes the same way with `server.route`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ArmRecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (undefined when empty). */
  body: unknown;
  /** The status answered, or `reset` when the connection was dropped. */
  status: number | 'reset';
  /** The fault injected, if any. */
  fault?: FaultKind;
  /** The JSON body answered, if any. */
  responseBody?: unknown;
  apiVersion?: string;
  /** When it arrived (Date.now()). */
  at: number;
}

export interface ArmReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Writes the answer itself (malformed, truncated, slow, huge): for tests of the client's limits. */
  raw?: (res: ServerResponse) => void;
}

export interface ArmRequestContext {
  method: string;
  url: URL;
  path: string;
  query: Record<string, string>;
  body: unknown;
  match: RegExpExecArray;
  server: ArmServer;
}

export interface ArmRoute {
  method: string;
  /** Matched against the path, case-insensitively (ARM paths are). */
  pattern: RegExp;
  /** api-versions the route accepts; undefined accepts any. */
  apiVersions?: readonly string[];
  /** Which resource a write changes, for the write counts (default: the path). */
  resource?: (ctx: ArmRequestContext) => string;
  handle(ctx: ArmRequestContext): ArmReply | Promise<ArmReply>;
}

/** `unavailable`: 503 with Retry-After, as ARM answers when a backend is busy (never drawn unless listed). */
export type FaultKind = 'throttle' | 'unavailable' | 'server-error' | 'reset' | 'reset-after-write' | 'scripted';

/**
 * What a scripted fault does to a request:
 * - `answer`: answers this instead (any status, headers and body: a 429 without Retry-After, a
 *   proxy's HTML page, a 200 whose body is an error), and the request is not handled;
 * - `reset`: destroys the socket without an answer;
 * - `cut`: sends the status, the headers with the whole body's Content-Length, and half the body,
 *   then destroys the socket;
 * - `hang`: never answers (the socket stays open until the client gives up or the server closes).
 * With `when: 'after'` the request is handled first (a write is done) and only its answer is
 * faulted; `answer` then keeps the real status unless it gives one.
 */
export type ScriptedFaultAction =
  | { kind: 'answer'; status?: number; headers?: Record<string, string>; body?: string }
  | { kind: 'reset' }
  | { kind: 'cut' }
  | { kind: 'hang' };

/** A fault for the requests that match, in the order they come: deterministic, unlike `FaultPlan`. */
export interface ScriptedFault {
  method?: string;
  path?: RegExp;
  /** The first `skip` matching requests pass (default 0). */
  skip?: number;
  /** How many matching requests after those it hits (default: every one). */
  times?: number;
  when?: 'before' | 'after';
  action: ScriptedFaultAction;
}

export interface FaultPlan {
  /** The share of requests that fail, 0..1. */
  rate: number;
  seed: number;
  kinds?: readonly FaultKind[];
  /** Retry-After on a 429 or 503, in seconds (default 0). */
  retryAfterSeconds?: number;
  /**
   * Retry-After as an HTTP-date (RFC 9110 allows either form) instead of seconds: the date
   * `retryAfterSeconds` from now, to the second, as HTTP-dates are written.
   */
  retryAfterDate?: boolean;
  /** Only requests with these methods fail (default: all). */
  methods?: readonly string[];
  /** Only requests whose path matches fail (default: all). */
  paths?: RegExp;
}

export interface ArmServerOptions {
  /** The bearer token to accept (default `arm-test-token`). */
  token?: string;
  /** Items per page of a list when the request gives no `$top` (ARM: 500). */
  pageSize?: number;
  /**
   * Before each page of a list, an empty one with a `nextLink` (`value: []`), as Resource Manager
   * sends when it filters after paging or a backend region was throttled
   * (Azure/autorest.testserver#229, projectkudu/AzureResourceExplorer#255).
   */
  emptyPages?: boolean;
  /** Milliseconds every answer waits (for the benchmark). */
  latencyMs?: number;
  faults?: FaultPlan;
  /**
   * Writes (PUT, DELETE) whose path matches are accepted to finish later, as Resource Manager's
   * asynchronous pattern has it: 202 with `Azure-AsyncOperation` and `Location`; the write is
   * done when the operation is polled to its end (one InProgress first).
   */
  asyncWrites?: RegExp;
  /** Modules that add endpoints. */
  modules?: ArmModule[];
  /**
   * Azure Policy's deny effect on writes: a PUT for which this names an assignment is refused as
   * Resource Manager refuses it, 403 `RequestDisallowedByPolicy` naming the assignment and the
   * definition (learn.microsoft.com … error-policy-requestdisallowedbypolicy). Policy resources
   * themselves are subject to it (Azure/Community-Policy#308 denies exemptions without an expiry).
   */
  denyByPolicy?: (ctx: ArmRequestContext) => { assignment: string; definition: string } | undefined;
  /**
   * Rewrites every successful JSON answer before it is sent (given a copy), to speak as another
   * Resource Manager might within its contract: ids and enum values spelled otherwise, unknown
   * properties, `null` for what is unset. What is stored is unchanged.
   */
  dialect?: (body: unknown, ctx: ArmRequestContext) => unknown;
}

export type ArmModule = (server: ArmServer) => void;

export interface ArmServer {
  url: string;
  token: string;
  options: ArmServerOptions;
  requests: ArmRecordedRequest[];
  /** Writes (PUT, PATCH, DELETE, POST to a route marked as a write) done per resource, by lowercased id. */
  writes: Map<string, number>;
  /** Every write done, in all. */
  writeCount(): number;
  /** Writes requested (including those a fault dropped before they were done). */
  writeRequests(): number;
  /** Adds a route; `first` puts it before the others (to answer differently for one resource). */
  route(route: ArmRoute, options?: { first?: boolean }): void;
  /** A page of `items` as ARM lists them: `{value, nextLink}` with `$skiptoken`. */
  page(ctx: ArmRequestContext, items: unknown[]): ArmReply;
  /**
   * Starts a long-running operation: answers 202 with `Location`, `Azure-AsyncOperation` and
   * `Retry-After: 0`; the operation reports InProgress `polls` times, then `finish()`'s answer.
   */
  longRunning(ctx: ArmRequestContext, polls: number, finish: () => ArmReply): ArmReply;
  setFaults(plan: FaultPlan | undefined): void;
  /**
   * Faults that hit the requests they match, checked in order after the request is authenticated
   * and routed (so it is recorded); the first that still has hits left applies. Replaces any
   * script given before; none clears it. E.g. `{ skip: 10, action: { kind: 'reset' } }` is a
   * network that goes down after 10 requests.
   */
  scriptFaults(script?: readonly ScriptedFault[]): void;
  /** Module state, by module name. */
  state: Map<string, unknown>;
  close(): Promise<void>;
}

/** An error answered in ARM's shape. Throw it from a handler. */
export class ArmHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

export function armError(status: number, code: string, message: string): ArmReply {
  return { status, body: { error: { code, message } } };
}

/** mulberry32: a small seeded generator, so a fault schedule is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE']);

export async function startArmServer(options: ArmServerOptions = {}): Promise<ArmServer> {
  const token = options.token ?? 'arm-test-token';
  const routes: ArmRoute[] = [];
  const requests: ArmRecordedRequest[] = [];
  const writes = new Map<string, number>();
  let writeRequests = 0;
  let faults = options.faults;
  let random = seeded(faults?.seed ?? 1);
  let script: { fault: ScriptedFault; seen: number }[] = [];
  const hanging = new Set<ServerResponse>();
  const operations = new Map<string, { polls: number; finish: () => ArmReply; done?: ArmReply }>();
  let origin = '';

  const server: ArmServer = {
    url: '',
    token,
    options,
    requests,
    writes,
    writeCount: () => [...writes.values()].reduce((a, b) => a + b, 0),
    writeRequests: () => writeRequests,
    route: (route, routeOptions) => void (routeOptions?.first ? routes.unshift(route) : routes.push(route)),
    page(ctx, items) {
      const top = Number(ctx.query.$top ?? options.pageSize ?? 500);
      const size = Number.isInteger(top) && top > 0 ? Math.min(top, 1000) : 500;
      const token = ctx.query.$skiptoken ?? '0';
      const linkTo = (skipToken: string) => {
        const next = new URL(ctx.path, origin);
        for (const [name, v] of Object.entries(ctx.query)) if (name !== '$skiptoken') next.searchParams.set(name, v);
        next.searchParams.set('$skiptoken', skipToken);
        return next.toString();
      };
      // An empty page first, whose link (`e<skip>`) leads to the real one.
      if (options.emptyPages && !token.startsWith('e'))
        return { status: 200, body: { value: [], nextLink: linkTo(`e${token}`) } };
      const skip = Number(token.replace(/^e/, ''));
      const value = items.slice(skip, skip + size);
      const body: { value: unknown[]; nextLink?: string } = { value };
      if (skip + size < items.length) body.nextLink = linkTo(String(skip + size));
      return { status: 200, body };
    },
    longRunning(ctx, polls, finish) {
      const id = randomUUID();
      operations.set(id, { polls, finish });
      const version = ctx.query['api-version'];
      return {
        status: 202,
        headers: {
          location: `${origin}/providers/Microsoft.Test/operationResults/${id}?api-version=${version}`,
          'azure-asyncoperation': `${origin}/providers/Microsoft.Test/operationStatuses/${id}?api-version=${version}`,
          'retry-after': '0'
        }
      };
    },
    setFaults(plan) {
      faults = plan;
      random = seeded(plan?.seed ?? 1);
    },
    scriptFaults(faults) {
      script = (faults ?? []).map(fault => ({ fault, seen: 0 }));
    },
    state: new Map(),
    close: () =>
      new Promise(resolve => {
        for (const res of hanging) res.socket?.destroy();
        http.close(() => resolve());
        http.closeAllConnections();
      })
  };

  // Long-running operations: the status (Azure-AsyncOperation) and the result (Location).
  const advance = (id: string) => {
    const operation = operations.get(id);
    if (!operation) throw new ArmHttpError(404, 'OperationNotFound', `The operation '${id}' could not be found.`);
    if (operation.polls > 0) {
      operation.polls--;
      return undefined;
    }
    operation.done ??= operation.finish();
    return operation.done;
  };
  routes.push({
    method: 'GET',
    pattern: /^\/providers\/Microsoft\.Test\/operationStatuses\/([^/]+)$/i,
    handle: ctx => {
      const done = advance(ctx.match[1]);
      if (!done) return { status: 200, body: { status: 'InProgress' }, headers: { 'retry-after': '0' } };
      if (done.status >= 400) return { status: 200, body: { status: 'Failed', ...(done.body as object) } };
      return { status: 200, body: { status: 'Succeeded' } };
    }
  });
  routes.push({
    method: 'GET',
    pattern: /^\/providers\/Microsoft\.Test\/operationResults\/([^/]+)$/i,
    handle: ctx => advance(ctx.match[1]) ?? { status: 202, headers: { 'retry-after': '0' } }
  });

  const send = (res: ServerResponse, reply: ArmReply) => {
    if (reply.raw) return reply.raw(res);
    const headers: Record<string, string> = { 'x-ms-request-id': randomUUID(), ...(reply.headers ?? {}) };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(reply.body));
  };

  const drawFault = (method: string, path: string): FaultKind | undefined => {
    if (!faults || faults.rate <= 0) return undefined;
    if (faults.methods && !faults.methods.includes(method)) return undefined;
    if (faults.paths && !faults.paths.test(path)) return undefined;
    if (random() >= faults.rate) return undefined;
    const kinds = faults.kinds ?? ['throttle', 'server-error', 'reset', 'reset-after-write'];
    return kinds[Math.floor(random() * kinds.length)];
  };

  /** The scripted fault this request meets, if any (each matching request counts once). */
  const scripted = (method: string, path: string): ScriptedFault | undefined => {
    let hit: ScriptedFault | undefined;
    for (const entry of script) {
      const { fault } = entry;
      if (fault.method && fault.method !== method) continue;
      if (fault.path && !fault.path.test(path)) continue;
      const index = entry.seen++;
      const skip = fault.skip ?? 0;
      if (!hit && index >= skip && (fault.times === undefined || index < skip + fault.times)) hit = fault;
    }
    return hit;
  };

  /** Does what a scripted fault says instead of answering `reply` (undefined: before handling). */
  const applyScripted = (
    req: IncomingMessage,
    res: ServerResponse,
    record: ArmRecordedRequest,
    action: ScriptedFaultAction,
    reply: ArmReply | undefined
  ) => {
    record.fault = 'scripted';
    if (action.kind === 'reset') {
      record.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (action.kind === 'hang') {
      record.status = 'reset';
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (action.kind === 'cut') {
      const answer = reply ?? { status: 200, body: { value: [] } };
      const text = JSON.stringify(answer.body ?? {});
      record.status = 'reset';
      res.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        ...(answer.headers ?? {})
      });
      res.write(text.slice(0, Math.floor(text.length / 2)), () => req.socket.destroy());
      return;
    }
    const status = action.status ?? reply?.status ?? 200;
    record.status = status;
    res.writeHead(status, { 'x-ms-request-id': randomUUID(), ...(action.headers ?? {}) });
    res.end(action.body ?? '');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const record: ArmRecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      apiVersion: url.searchParams.get('api-version') ?? undefined,
      at: Date.now()
    };
    requests.push(record);
    const reply = (answer: ArmReply) => {
      record.status = answer.status;
      record.responseBody = answer.body;
      send(res, answer);
    };
    if (options.latencyMs) await new Promise(resolve => setTimeout(resolve, options.latencyMs));

    const authorization = req.headers.authorization;
    if (!authorization)
      return reply(
        armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.")
      );
    if (authorization !== `Bearer ${token}`)
      return reply(armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.'));
    if (raw) {
      try {
        record.body = JSON.parse(raw);
      } catch (error) {
        return reply(
          armError(
            400,
            'InvalidRequestContent',
            `The request content was invalid and could not be deserialized: '${(error as Error).message}'.`
          )
        );
      }
    }
    const version = url.searchParams.get('api-version');
    if (!version)
      return reply(
        armError(
          400,
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.'
        )
      );
    let route: ArmRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      match = candidate.pattern.exec(url.pathname);
      if (match) {
        route = candidate;
        break;
      }
    }
    if (!route || !match) {
      return reply(
        armError(404, 'InvalidResourceType', `The resource type could not be found for ${method} ${url.pathname}.`)
      );
    }
    if (route.apiVersions && !route.apiVersions.includes(version)) {
      return reply(
        armError(
          400,
          'InvalidApiVersionParameter',
          `The api-version '${version}' is invalid. The supported versions are '${route.apiVersions.join(',')}'.`
        )
      );
    }
    const isWrite = WRITE_METHODS.has(method);
    if (isWrite) writeRequests++;
    const scriptedFault = scripted(method, url.pathname);
    if (scriptedFault && scriptedFault.when !== 'after')
      return applyScripted(req, res, record, scriptedFault.action, undefined);
    const fault = drawFault(method, url.pathname);
    record.fault = fault;
    if (fault === 'throttle' || fault === 'unavailable') {
      const wait = faults?.retryAfterSeconds ?? 0;
      const retryAfter = faults?.retryAfterDate ? new Date(Date.now() + wait * 1000).toUTCString() : String(wait);
      return reply({
        ...(fault === 'throttle'
          ? armError(429, 'TooManyRequests', 'The request is being throttled.')
          : armError(503, 'ServiceUnavailable', 'The service is unavailable now; try again later.')),
        headers: { 'retry-after': retryAfter }
      });
    }
    if (fault === 'server-error')
      return reply(armError(500, 'InternalServerError', 'Encountered internal server error. Please try again.'));
    if (fault === 'reset') {
      record.status = 'reset';
      req.socket.destroy();
      return;
    }
    const ctx: ArmRequestContext = {
      method,
      url,
      path: url.pathname,
      query: record.query,
      body: record.body,
      match,
      server
    };
    const denied = method === 'PUT' ? options.denyByPolicy?.(ctx) : undefined;
    if (denied) {
      const nameOf = (id: string) => id.slice(id.lastIndexOf('/') + 1);
      const identifiers = JSON.stringify([
        {
          policyAssignment: { name: nameOf(denied.assignment), id: denied.assignment },
          policyDefinition: { name: nameOf(denied.definition), id: denied.definition }
        }
      ]);
      return reply(
        armError(
          403,
          'RequestDisallowedByPolicy',
          `Resource '${url.pathname.slice(url.pathname.lastIndexOf('/') + 1)}' was disallowed by policy. Policy identifiers: '${identifiers}'.`
        )
      );
    }
    let answer: ArmReply;
    const handleNow = async (): Promise<ArmReply> => {
      try {
        return await route.handle(ctx);
      } catch (error) {
        if (!(error instanceof ArmHttpError)) throw error;
        return armError(error.status, error.code, error.message);
      }
    };
    if (isWrite && options.asyncWrites?.test(url.pathname)) {
      // Done later, when the client polls the operation to its end (the policy handlers answer at once).
      answer = server.longRunning(ctx, 1, () => {
        try {
          const reply = route.handle(ctx);
          if (reply instanceof Promise) throw new Error('asyncWrites needs a handler that answers at once');
          return reply;
        } catch (error) {
          if (!(error instanceof ArmHttpError)) throw error;
          return armError(error.status, error.code, error.message);
        }
      });
    } else {
      answer = await handleNow();
    }
    if (isWrite && answer.status < 300) {
      const resource = (route.resource?.(ctx) ?? url.pathname).toLowerCase();
      writes.set(resource, (writes.get(resource) ?? 0) + 1);
    }
    if (options.dialect && answer.status < 300 && answer.body !== undefined && !answer.raw)
      answer = { ...answer, body: options.dialect(structuredClone(answer.body), ctx) };
    if (scriptedFault) {
      record.responseBody = answer.body;
      return applyScripted(req, res, record, scriptedFault.action, answer);
    }
    if (fault === 'reset-after-write') {
      // The write is done, but its answer is lost: the client must find the same end state.
      record.status = 'reset';
      req.socket.destroy();
      return;
    }
    reply(answer);
  };

  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk as Buffer));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(error => {
        if (!res.headersSent)
          send(res, armError(500, 'TestServerBug', `The test server failed: ${(error as Error).message}`));
      });
    });
  });
  await new Promise<void>(resolve => http.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  server.url = origin;
  for (const module of options.modules ?? []) module(server);
  return server;
}
