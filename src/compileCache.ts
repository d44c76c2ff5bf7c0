/**
 * Node's compile cache for the CLI (`module.enableCompileCache`, Node 22.8 and later; Node 20 has none and
 * starts as before). With it a start reads back the code V8 compiled for the bundle at an earlier start
 * instead of compiling its ~2 MB of JavaScript again.
 *
 * The cache holds V8 code that Node runs without checking where it came from, so it goes only where no one
 * but this user, in this trust, can write:
 * - on CI (`CI` set, as GitHub Actions sets it), nowhere: a machine that runs jobs of several trusts in turn may
 *   keep a temporary folder between them, and where the folder is new for every job the one run a job makes would
 *   pay for writing the cache (about 10 ms) and never read it;
 * - elsewhere (a person's own machine), in a folder of the system's temporary folder named for the user,
 *   which must be a folder (not a link) the user owns that no one else may read or write.
 * `CMK_GUARD_COMPILE_CACHE=off` turns it off; so does Node's own `NODE_DISABLE_COMPILE_CACHE=1`.
 */
import fs from 'node:fs';
import nodeModule from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

/** Where the cache may go, or undefined where it may not be kept. */
export function compileCacheFolder(
  env: NodeJS.ProcessEnv,
  uid: number | undefined,
  tmpdir: string = os.tmpdir()
): string | undefined {
  if (uid === undefined) return undefined;
  if (env.CMK_GUARD_COMPILE_CACHE === 'off') return undefined;
  if (env.GITHUB_ACTIONS === 'true') return undefined;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') return undefined;
  return path.join(tmpdir, `cmk-guard-compile-cache-${uid}`);
}

/**
 * Makes `folder` (mode 0700) unless it exists, and tells whether it is safe to run code from: a folder, not a
 * symbolic link, owned by `uid`, that no group or other user may read, write or enter.
 */
export function privateFolder(folder: string, uid: number): boolean {
  try {
    fs.mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  try {
    const stat = fs.lstatSync(folder);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

type EnableCompileCache = (directory: string) => { status: number; directory?: string };

/** Turns the compile cache on where it is safe to (see above); the folder used, or undefined. */
export function enableCompileCache(env: NodeJS.ProcessEnv): string | undefined {
  const enable = (nodeModule as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (typeof enable !== 'function') return undefined;
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const folder = compileCacheFolder(env, uid);
  if (folder === undefined || uid === undefined || !privateFolder(folder, uid)) return undefined;
  try {
    return enable(folder).directory;
  } catch {
    return undefined;
  }
}

/**
 * Loads `load`'s modules with V8 compiling each function as its module is compiled rather than at its first call,
 * then goes back to compiling lazily. Node makes a module's cache entry just after compiling it, so a lazily
 * compiled module's entry holds only the few functions V8 compiled at once, and every start compiled all the
 * others again as they were first called; compiled eagerly, the entry holds them all. Only with the cache on:
 * without it, compiling every function of the bundle at every start costs more than compiling those a run calls.
 */
export async function loadCompiledEagerly<T>(load: () => Promise<T>): Promise<T> {
  v8.setFlagsFromString('--no-lazy');
  try {
    return await load();
  } finally {
    v8.setFlagsFromString('--lazy');
  }
}
