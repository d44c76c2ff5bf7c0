/**
 * How long to wait before trying again a request Resource Manager refused for now, and what the
 * tries of a request came to, for the error that ends them.
 *
 * The SDK's retry policy (the same on every client and on the raw REST pipeline) waits what
 * `retry-after-ms` says on a 429 or 503, and retries a 5xx, a 408 and a dropped connection with
 * exponential backoff and jitter; a 429 that names no wait it does not retry at all, and it waits
 * exactly what Resource Manager asked, so requests refused together come back together. Before the
 * retry policy reads a 429 or 503, `throttleWait` puts into `retry-after-ms` the wait to take:
 * - what was asked (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After` in seconds or as an
 *   HTTP-date, Resource Graph's `x-ms-user-quota-resets-after` hh:mm:ss), at most `maxWaitMs`,
 *   plus up to a quarter of it (at most a second) of jitter, never past `maxWaitMs`;
 * - on a 429 that asks for nothing (a proxy, a provider's own limiter; the
 *   `x-ms-ratelimit-remaining-*` headers say a quota ran out, not when it comes back), exponential
 *   backoff with jitter from the first retry delay, as for a 5xx.
 * A 503 that asks for nothing is left to the exponential strategy. The number of tries is the
 * retry policy's (`maxRetries`), so the time a request may take is bounded: at most
 * (maxRetries + 1) deadlines and maxRetries waits of at most `maxWaitMs`.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 */
/** What is read and set of an answer: its status and headers (names case-insensitive, as the SDK's are). */
export interface ThrottledAnswer {
  status: number;
  headers: {
    get(name: string): string | undefined;
    set(name: string, value: string): void;
    delete(name: string): void;
  };
}

export interface ThrottleSettings {
  /** The first wait of the exponential backoff. */
  firstDelayMs: number;
  /** The longest wait between two tries, whatever Resource Manager asks. */
  maxWaitMs: number;
  /** Told once per request when a wait Azure asked for is cut to `maxWaitMs` (for the run's log). */
  notice?: (line: string) => void;
}

/** What the tries of one request came to. */
interface Tries {
  count: number;
  startedAt: number;
  /** The longest wait Resource Manager asked for, in milliseconds. */
  askedMs: number;
  /** A wait asked for was longer than the longest cmk-guard takes. */
  capped: boolean;
  maxWaitMs: number;
}

const triesOf = new WeakMap<object, Tries>();

/** Counts a try of `request` (each time it is sent, the first time included). */
export function countTry(request: object, settings: ThrottleSettings, now = Date.now()): void {
  const tries = triesOf.get(request);
  if (tries) tries.count++;
  else triesOf.set(request, { count: 1, startedAt: now, askedMs: 0, capped: false, maxWaitMs: settings.maxWaitMs });
}

/** A wait in milliseconds from a header's value: a whole number of `unit` ms, or an HTTP-date. */
function waitFrom(value: string | undefined, unit: number, now: number, dateAllowed: boolean): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * unit;
  if (!dateAllowed || /^[+-]?\d/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(at - now, 0) : undefined;
}

/** The wait a 429 or 503 asks for, in milliseconds, or undefined when it asks for none. */
export function askedWaitMs(response: Pick<ThrottledAnswer, 'headers'>, now = Date.now()): number | undefined {
  const headers = response.headers;
  const quota = /^(\d+):(\d{2}):(\d{2})$/.exec(headers.get('x-ms-user-quota-resets-after')?.trim() ?? '');
  const candidates = [
    waitFrom(headers.get('retry-after-ms'), 1, now, false),
    waitFrom(headers.get('x-ms-retry-after-ms'), 1, now, false),
    waitFrom(headers.get('retry-after'), 1000, now, true),
    quota ? (Number(quota[1]) * 3600 + Number(quota[2]) * 60 + Number(quota[3])) * 1000 : undefined
  ];
  const asked = candidates.find(wait => wait !== undefined && Number.isFinite(wait));
  return asked;
}

/**
 * Sets on a 429 or 503 the wait the retry policy takes before the next try (see the module
 * comment); other answers are left as they are. `random` is for tests.
 */
export function throttleWait(
  request: object,
  response: ThrottledAnswer,
  settings: ThrottleSettings,
  random: () => number = Math.random,
  now = Date.now()
): void {
  if (response.status !== 429 && response.status !== 503) return;
  const tries = triesOf.get(request);
  const asked = askedWaitMs(response, now);
  let wait: number;
  if (asked !== undefined) {
    if (tries) {
      tries.askedMs = Math.max(tries.askedMs, asked);
      if (asked > settings.maxWaitMs && !tries.capped) {
        tries.capped = true;
        settings.notice?.(
          `Azure answered ${response.status} to ${describeRequest(request)} and asked to wait ${durationText(asked)} before trying again; cmk-guard waits at most ${durationText(settings.maxWaitMs)} between tries.`
        );
      }
    }
    const base = Math.min(asked, settings.maxWaitMs);
    wait = Math.min(base + random() * Math.min(base / 4, 1000), settings.maxWaitMs);
  } else if (response.status === 429) {
    const exponential = Math.min(settings.firstDelayMs * 2 ** ((tries?.count ?? 1) - 1), settings.maxWaitMs);
    wait = exponential / 2 + random() * (exponential / 2);
  } else {
    return;
  }
  response.headers.delete('x-ms-retry-after-ms');
  response.headers.set('retry-after-ms', String(Math.round(wait)));
}

/** `PUT /subscriptions/…/policyDefinitions/x`: the method and path of a request, without its query. */
function describeRequest(request: object): string {
  const { method, url } = request as { method?: unknown; url?: unknown };
  if (typeof url !== 'string' || !URL.canParse(url)) return 'a request';
  return `${typeof method === 'string' ? `${method} ` : ''}${new URL(url).pathname}`;
}

/** A duration in words: `40 ms`, `12 s`, `3 min 20 s`, `24 h`. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/**
 * What the tries of the request came to, as a sentence to end an error with (empty when it was
 * tried once): how many, over how long, and whether Azure asked for longer waits than cmk-guard takes.
 */
export function triesNote(request: object | undefined, now = Date.now()): string {
  const tries = request ? triesOf.get(request) : undefined;
  if (!tries || tries.count < 2) return '';
  const capped = tries.capped
    ? `; Azure asked to wait ${durationText(tries.askedMs)} before trying again, and cmk-guard waits at most ${durationText(tries.maxWaitMs)} between tries`
    : '';
  return ` cmk-guard tried ${tries.count} times over ${durationText(now - tries.startedAt)}${capped}.`;
}
