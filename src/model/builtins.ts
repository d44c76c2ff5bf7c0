/**
 * Node built-ins that cost every start when imported (node:crypto builds its Web Crypto tables, and
 * node:child_process brings node:net and node:dgram: about 10 ms each; node:zlib about 2 ms) but that a run seldom
 * needs: each is loaded when first asked for.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

let crypto: typeof import('node:crypto') | undefined;
let childProcess: typeof import('node:child_process') | undefined;
let zlib: typeof import('node:zlib') | undefined;

/** node:crypto, loaded on first use. */
export function nodeCrypto(): typeof import('node:crypto') {
  return (crypto ??= load('node:crypto') as typeof import('node:crypto'));
}

/** node:child_process, loaded on first use. */
export function nodeChildProcess(): typeof import('node:child_process') {
  return (childProcess ??= load('node:child_process') as typeof import('node:child_process'));
}

/** node:zlib, loaded on first use: only an alias the build's table (aliasLines.generated.ts) lacks unpacks a shard. */
export function nodeZlib(): typeof import('node:zlib') {
  return (zlib ??= load('node:zlib') as typeof import('node:zlib'));
}
