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
import { UserError } from '../model/errors.js';
import type { CommandIO, OptionValues } from './command.js';
import { THREAD_ARGUMENT, type ThreadData, type ThreadMessage } from './threadData.js';

/** Snapshots together larger than this (about 55,000 resources of `az resource list`) are evaluated in a worker. */
export const THREAD_SNAPSHOT_BYTES = 32 * 1024 * 1024;
/** The worker's young generation: three semi-spaces of 16 MB (the two V8 copies between and one for large objects). */
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
 * src/cliThread.ts) and returns its exit code. Output is written through `io` in the order the worker wrote it;
 * a worker that fails (out of memory, say) is an internal error, exit code 3.
 */
export async function runInThread(
  entry: URL,
  command: string,
  values: OptionValues,
  positionals: string[],
  io: CommandIO
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
    const fail = (why: string) => {
      if (outcome !== undefined) return;
      io.stderr(`cmk-guard: internal error (a bug, please report it): ${why}\n`);
      outcome = 3;
    };
    const worker = new Worker(entry, {
      argv: [THREAD_ARGUMENT],
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB }
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
      const out = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      fail(
        out
          ? `the evaluation ran out of memory (${error.message}); Node's --max-old-space-size gives it more`
          : String(error.stack ?? error)
      );
    });
    worker.on('exit', code => {
      fail(`the evaluation's worker thread stopped with code ${code} before it finished`);
      resolve(outcome!);
    });
  });
}
