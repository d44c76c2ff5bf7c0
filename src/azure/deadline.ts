/**
 * The time limit of a whole run (`run-timeout`, `--run-timeout`): every request to Azure and every wait
 * between them (a retry's backoff, a Retry-After, a long-running operation's polls, a compliance scan, deploy's
 * waits for Azure Policy's replicas) ends when it passes, and no request starts after it. Each request has its
 * own bound too (connection.ts), but a run of many requests, or one retried many times, has none without this.
 * Measured from when the run starts; what cmk-guard does without Azure (reading and evaluating files) is
 * bounded by its work budget and not stopped by it.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export const RUN_DEADLINE_POLICY = 'cmkGuardRunDeadline';

/** The run's time limit passed; `toArmError` says what was being done. */
export class RunTimeoutError extends Error {
  constructor(readonly limit: string) {
    super(`the run's time limit (${limit}) passed`);
    this.name = 'RunTimeoutError';
  }
}

export class RunDeadline {
  private readonly controller = new AbortController();
  private readonly at: number;
  /** Aborted when the time limit passes. */
  readonly signal: AbortSignal;

  /**
   * `limitMs` from now (`start`, by default now); `named` is how the limit is set, for messages: "`run-timeout`
   * 600 s".
   */
  constructor(
    limitMs: number,
    readonly named: string,
    start = Date.now()
  ) {
    this.at = start + limitMs;
    this.signal = this.controller.signal;
    const timer = setTimeout(() => this.controller.abort(), Math.max(this.at - Date.now(), 0));
    // The limit never keeps the process alive by itself.
    timer.unref?.();
  }

  get expired(): boolean {
    return this.signal.aborted || Date.now() >= this.at;
  }

  error(): RunTimeoutError {
    return new RunTimeoutError(this.named);
  }

  /** Throws RunTimeoutError when the limit has passed. */
  check(): void {
    if (this.expired) throw this.error();
  }

  /** Waits `ms`, or rejects with RunTimeoutError when the limit passes first. */
  sleep(ms: number): Promise<void> {
    if (this.expired) return Promise.reject(this.error());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(this.error());
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * A pipeline policy outside the retries: no request (nor retry) starts after the limit, a request under way is
   * aborted when it passes, and so is a wait between tries; each ends as RunTimeoutError.
   */
  policy(): PipelinePolicy {
    return {
      name: RUN_DEADLINE_POLICY,
      sendRequest: async (request, next) => {
        this.check();
        // wrapAbortSignalLikePolicy, before this one, has made the caller's signal an AbortSignal.
        request.abortSignal = request.abortSignal
          ? AbortSignal.any([request.abortSignal as AbortSignal, this.signal])
          : this.signal;
        try {
          return await next(request);
        } catch (error) {
          if (this.expired) throw this.error();
          throw error;
        }
      }
    };
  }
}

/** Waits `ms`, within the run's time limit when there is one. */
export function pause(ms: number, deadline: RunDeadline | undefined): Promise<void> {
  return deadline ? deadline.sleep(ms) : new Promise(resolve => setTimeout(resolve, ms));
}
