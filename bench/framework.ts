/**
 * What every benchmark shares: its entry (a name, a target ratio, a run), the sizes of a full
 * and a `--quick` run, timing that takes the best of several tries, and workers — the same bench
 * bundle started again as a child process, so peak memory is one measurement's alone.
 *
 * A benchmark reports a ratio against a baseline measured in the same process or the same run,
 * never a bare time: the machine's speed cancels out, so the figure means the same anywhere.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface BenchOptions {
  /** Smaller sizes, for CI: every entry says which sizes ran. */
  quick: boolean;
  /** The checkout: policies/, examples/ and fixtures are read from here. */
  root: string;
  /** The bench bundle itself, started again for workers. */
  bundle: string;
  /** The CLI bundle built from the same sources (`cmk-guard` as users run it). */
  cli: string;
  log(line: string): void;
}

export type BenchOutcome =
  | {
      ratio: number;
      /** What was measured: sizes, the two sides' figures, peak memory. */
      detail: string;
      /** Peak resident memory of the measured run, when the entry measures it. */
      peakMemoryMB?: number;
      /** A second bound the entry must meet besides the ratio (peak memory under 512 MB, say); false when missed. */
      boundsMet?: boolean;
    }
  | { notMeasured: string }
  /** The measured run did not finish (it ran out of memory, say): the target is missed, with no ratio. */
  | { failed: string; peakMemoryMB?: number };

/** One line of the table and one key of bench/results.json; an entry is one small module. */
export interface Benchmark {
  name: string;
  /** The ratio must be at most this. */
  target: number;
  /** What the ratio compares, in a few words: "engine ÷ hand-written JS". */
  compares: string;
  run(options: BenchOptions): Promise<BenchOutcome>;
}

export interface BenchResult {
  ratio: number | null;
  target: number;
  detail: string;
  status: 'met' | 'missed' | 'not measured';
  peakMemoryMB?: number;
  sizes: 'quick' | 'full';
}

export function judge(entry: Benchmark, outcome: BenchOutcome, quick: boolean): BenchResult {
  const sizes = quick ? 'quick' : 'full';
  if ('notMeasured' in outcome) {
    return { ratio: null, target: entry.target, detail: outcome.notMeasured, status: 'not measured', sizes };
  }
  if ('failed' in outcome) {
    return { ratio: null, target: entry.target, detail: outcome.failed, status: 'missed', sizes };
  }
  const met = outcome.ratio <= entry.target && outcome.boundsMet !== false;
  return {
    ratio: round(outcome.ratio),
    target: entry.target,
    detail: outcome.detail,
    status: met ? 'met' : 'missed',
    ...(outcome.peakMemoryMB !== undefined ? { peakMemoryMB: Math.round(outcome.peakMemoryMB) } : {}),
    sizes
  };
}

export function round(ratio: number): number {
  return Math.round(ratio * 100) / 100;
}

/** Milliseconds since an arbitrary start, with sub-millisecond resolution. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Processor time of this process so far (every thread: the garbage collector's helpers count too), in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The least processor time of `tries` runs (after one warm-up run), with the least wall-clock time
 * beside it. Ratios come from processor time: on a shared machine the long pipeline is preempted far
 * more often than its short baseline, so the least wall-clock time of several favours the baseline,
 * the more so the busier the machine. On an idle machine the two agree. `warmUp: false` for a run
 * too long to make twice (the code is warm from smaller runs in the same process).
 */
export async function least<T>(
  tries: number,
  run: () => T | Promise<T>,
  warmUp = true
): Promise<{ ms: number; wallMs: number; value: T }> {
  let value: T | undefined = warmUp ? await run() : undefined;
  let ms = Infinity;
  let wallMs = Infinity;
  for (let i = 0; i < tries; i++) {
    const start = now();
    const cpuStart = cpuMs();
    value = await run();
    ms = Math.min(ms, cpuMs() - cpuStart);
    wallMs = Math.min(wallMs, now() - start);
  }
  return { ms, wallMs, value: value as T };
}

export const MB = 1024 * 1024;

/** Peak resident memory of this process so far, in MB. */
export function peakMemoryMB(): number {
  // maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Runs a worker (`bundle --worker <name> <args>`) in a fresh Node process and returns the JSON
 * it prints on its last line of standard output. Its standard error is passed through.
 */
export function runWorker<T>(options: BenchOptions, name: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, options.bundle, '--worker', name, ...args], {
      cwd: options.root,
      stdio: ['ignore', 'pipe', 'inherit']
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', chunk => (out += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      // A worker out of memory is stopped by V8 with SIGABRT, and has no exit code.
      if (code !== 0)
        return reject(
          new Error(
            `worker ${name} ${code === null ? `was stopped by ${signal}` : `exited with ${code}`}${last ? `: ${last}` : ''}`
          )
        );
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`worker ${name} printed no result: ${last}`));
      }
    });
  });
}

/** `12,345`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * The summary of a findings document, read from its head only: the document may be hundreds of
 * megabytes, and reading it whole would add to the peak memory being measured.
 */
export function summaryOf(file: string): Record<string, number> {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    const match = /"summary":\s*(\{[^}]*\})/.exec(head.subarray(0, read).toString('utf8'));
    if (!match) throw new Error(`${file} starts with no summary`);
    return JSON.parse(match[1]) as Record<string, number>;
  } finally {
    fs.closeSync(fd);
  }
}
