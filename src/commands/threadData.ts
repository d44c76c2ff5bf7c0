/**
 * What the CLI and its worker thread (src/commands/thread.ts, src/cliThread.ts) say to each other. Kept apart,
 * importing types only, because the CLI's entry (cli.ts) reads it at every start to know whether it is the worker.
 */
import type { OptionValues } from './command.js';

/**
 * The argument a worker is started with (its `process.argv[2]`): the entry looks at its data, and loads
 * node:worker_threads, only then, so that an ordinary start loads nothing more.
 */
export const THREAD_ARGUMENT = '--cmk-guard-worker-thread';

/** Characters of output the worker may have sent that are not yet written before it waits. */
export const THREAD_BACKLOG_CHARS = 1 << 20;

/** What the worker is started with (`workerData`), and how the entry knows it is one. */
export interface ThreadData {
  cmkGuardThread: 1;
  command: string;
  values: OptionValues;
  positionals: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdoutIsTerminal: boolean;
  stderrIsTerminal: boolean;
  /** One counter: characters sent and not yet written (Int32, changed with Atomics). */
  backlog: SharedArrayBuffer;
}

/** What the worker sends back: output to write, then its exit code or the internal error that stopped it. */
export type ThreadMessage =
  { stream: 'stdout' | 'stderr'; text: string } | { code: number } | { internalError: string };

export function isThreadData(data: unknown): data is ThreadData {
  return typeof data === 'object' && data !== null && (data as { cmkGuardThread?: unknown }).cmkGuardThread === 1;
}
