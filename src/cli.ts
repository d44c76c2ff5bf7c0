#!/usr/bin/env node
/**
 * The command-line door. It turns Node's compile cache on (compileCache.ts) before it loads the rest of
 * cmk-guard (cliMain.ts, a chunk of its own in the bundle), so that a start reads the compiled code back
 * instead of compiling it all again. Started as cmk-guard's worker thread (a large evaluation:
 * src/commands/thread.ts), it serves that instead (cliThread.ts).
 */
import { enableCompileCache, loadCompiledEagerly } from './compileCache.js';
import { isThreadData, THREAD_ARGUMENT } from './commands/threadData.js';

const internalError = (error: unknown) => {
  process.stderr.write(
    `cmk-guard: internal error (a bug, please report it): ${String(error instanceof Error ? error.stack : error)}\n`
  );
  process.exitCode = 3;
};

async function start(): Promise<void> {
  if (process.argv[2] === THREAD_ARGUMENT) {
    const { isMainThread, workerData } = await import('node:worker_threads');
    if (!isMainThread && isThreadData(workerData)) return (await import('./cliThread.js')).serveThread();
  }
  const entry = new URL(import.meta.url);
  const load = () => import('./cliMain.js');
  const cli = await (enableCompileCache(process.env) === undefined ? load() : loadCompiledEagerly(load));
  await cli.main(entry);
}

start().catch(internalError);
