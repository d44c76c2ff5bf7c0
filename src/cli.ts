#!/usr/bin/env node
/**
 * The command-line door. It turns Node's compile cache on (compileCache.ts) before it loads the rest of
 * cmk-guard (cliMain.ts, a chunk of its own in the bundle), so that a start reads the compiled code back
 * instead of compiling it all again.
 */
import { enableCompileCache, loadCompiledEagerly } from './compileCache.js';

const load = () => import('./cliMain.js');
(enableCompileCache(process.env) === undefined ? load() : loadCompiledEagerly(load)).catch((error: unknown) => {
  process.stderr.write(
    `cmk-guard: internal error (a bug, please report it): ${String(error instanceof Error ? error.stack : error)}\n`
  );
  process.exitCode = 3;
});
