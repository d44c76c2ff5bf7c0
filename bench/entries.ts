/**
 * The benchmarks `npm run bench` runs, in order: each is one module exporting a `Benchmark`.
 * To add one, write the module and list it here (and its worker in `workers`, if it has one).
 */
import { coldStart } from './coldStart.bench.js';
import { deployVsIdeal } from './deploy.bench.js';
import { engineVsAjv, engineVsHandwritten } from './engine.bench.js';
import type { Benchmark } from './framework.js';
import { scale, scaleWorker, writeSnapshot } from './scale.bench.js';
import { generateRepository, scanVsParse, scanWorker } from './scan.bench.js';

export const benchmarks: Benchmark[] = [engineVsHandwritten, engineVsAjv, scanVsParse, scale, coldStart, deployVsIdeal];

/** Measurements run in a process of their own (so peak memory is theirs alone), by name. */
export const workers: Record<string, (args: string[]) => Promise<unknown>> = {
  scan: scanWorker,
  scale: scaleWorker,
  // For profiling by hand: `node .bench-build/index.js --worker write-snapshot FILE RESOURCES`.
  'write-snapshot': async ([file, resources]) => ({ bytes: writeSnapshot(file, Number(resources)) }),
  // `node .bench-build/index.js --worker write-repository DIR TEMPLATES` (then copy policies/ into DIR).
  'write-repository': async ([dir, templates]) => {
    generateRepository(dir, Number(templates));
    return { dir };
  }
};
