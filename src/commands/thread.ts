/**
 * A large evaluation in a worker thread of its own, whose young generation is bounded.
 *
 * V8 doubles its young generation whenever objects have survived its scavenges since it last grew, so a long
 * run ends with the largest one (on Node 24, 128 MB for any snapshot of a few hundred thousand resources, where
 * 10,000 resources stop at 32 MB) whatever it keeps. A process cannot bound it once started; a worker thread is
 * started with its own limits (`resourceLimits`). So the CLI evaluates a snapshot past `THREAD_SNAPSHOT_BYTES`
 * in a worker started from its own entry (dist/cli/index.js), and the worker's output comes back here to be
 * written as this thread writes it, a chunk at a time, the worker waiting while more than `THREAD_BACKLOG_CHARS`
 * are not written yet: a report to standard output never piles up in memory.
 */
import { INTERNAL_ERROR, UserError } from '../model/errors.js';
import type { ResourceLimits } from 'node:worker_threads';
import type { CommandIO, OptionValues } from './command.js';
import { THREAD_ARGUMENT, type ThreadData, type ThreadMessage } from './threadData.js';

/** Snapshots together larger than this (about 55,000 resources of `az resource list`) are evaluated in a worker. */
export const THREAD_SNAPSHOT_BYTES = 32 * 1024 * 1024;
/** The worker's young generation: V8 makes it two semi-spaces of 16 MB, which it copies between, and 16 MB for large objects. */
export const THREAD_YOUNG_GENERATION_MB = 48;
/** The environment variable that says where to evaluate: `auto` (by the snapshots' size), `on` or `off`. */
export const THREAD_VARIABLE = 'CMK_GUARD_WORKER';

/** Whether to evaluate in a worker: by `CMK_GUARD_WORKER`, else whether the snapshots are past the threshold. */
export function threadWanted(env: NodeJS.ProcessEnv, snapshotBytes: number): boolean {
  const given = env[THREAD_VARIABLE]?.trim().toLowerCase();
  if (given === undefined || given === '' || given === 'auto') return snapshotBytes > THREAD_SNAPSHOT_BYTES;
  if (given === 'on') return true;
  if (given === 'off') return false;
  throw new UserError(`${THREAD_VARIABLE} must be auto, on or off; got '${env[THREAD_VARIABLE]}'.`);
}

/**
 * Runs `command` with these options in a worker started from `entry` (the CLI's entry module, which serves it:
 * src/cliThread.ts) and returns its exit code. Output is written through `io` in the order the worker wrote it.
 * A worker that runs out of memory says so, exit code 3; one that fails otherwise is an internal error, exit
 * code 3. `limits` are the worker's (tests give a small old generation).
 */
export async function runInThread(
  entry: URL,
  command: string,
  values: OptionValues,
  positionals: string[],
  io: CommandIO,
  limits: ResourceLimits = { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB }
): Promise<number> {
  // Loaded here: every start loads this module, and few runs start a worker.
  const { Worker } = await import('node:worker_threads');
  const backlog = new SharedArrayBuffer(4);
  const pending = new Int32Array(backlog);
  const data: ThreadData = {
    cmkGuardThread: 1,
    command,
    values,
    positionals,
    cwd: io.cwd,
    env: io.env,
    stdoutIsTerminal: io.stdoutIsTerminal === true,
    stderrIsTerminal: io.stderrIsTerminal === true,
    backlog
  };
  return new Promise(resolve => {
    let outcome: number | undefined;
    const stop = (line: string) => {
      if (outcome !== undefined) return;
      io.stderr(`cmk-guard: ${line}\n`);
      outcome = 3;
    };
    const fail = (why: string) => stop(`${INTERNAL_ERROR}: ${why}`);
    const worker = new Worker(entry, {
      argv: [THREAD_ARGUMENT],
      workerData: data,
      resourceLimits: limits
    });
    worker.on('message', (message: ThreadMessage) => {
      if ('stream' in message) {
        try {
          io[message.stream](message.text);
        } catch (error) {
          fail(`cannot write the output: ${String((error as Error).message)}`);
          void worker.terminate();
        } finally {
          Atomics.sub(pending, 0, message.text.length);
          Atomics.notify(pending, 0);
        }
      } else if ('code' in message) outcome ??= message.code;
      else fail(message.internalError);
    });
    worker.on('error', error => {
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY')
        stop(
          `the evaluation ran out of memory (${error.message}); give Node more with --max-old-space-size=MB in NODE_OPTIONS.`
        );
      else fail(String(error.stack ?? error));
    });
    worker.on('exit', code => {
      if (outcome === undefined) fail(`the evaluation's worker thread stopped with code ${code} before it finished`);
      resolve(outcome!);
    });
  });
}
