/**
 * `npm run bench [-- --quick] [-- --only NAME,…] [-- --fail-on-miss]`: runs every benchmark,
 * prints a table of ratios against their targets, and writes bench/results.json
 * (`{"<name>": {"ratio", "target", "detail", "status", "sizes", …}}`) for scripts to read.
 * Started as `--worker NAME ARGS…`, it is one benchmark's measuring process instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchmarks, workers } from './entries.js';
import { judge, type BenchOptions, type BenchResult } from './framework.js';
import { loadRuleTooling } from '../src/rules/tooling.js';

const RESULTS = 'bench/results.json';

async function main(argv: string[]): Promise<number> {
  // The benchmarks call the synchronous code that reads rules directly, as a run does once it has loaded these.
  await loadRuleTooling();
  if (argv[0] === '--worker') {
    const worker = workers[argv[1]];
    if (!worker) throw new Error(`no bench worker named ${argv[1]}`);
    const result = await worker(argv.slice(2));
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
    return 0;
  }
  const quick = argv.includes('--quick');
  const failOnMiss = argv.includes('--fail-on-miss');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',')) : null;
  const unknown = only ? [...only].filter(name => !benchmarks.some(b => b.name === name)) : [];
  if (unknown.length) {
    console.error(`no benchmark named ${unknown.join(', ')}; there are ${benchmarks.map(b => b.name).join(', ')}`);
    return 2;
  }
  const root = process.cwd();
  const bundle = process.argv[1];
  const options: BenchOptions = {
    quick,
    root,
    bundle,
    cli: path.join(path.dirname(bundle), 'cli', 'index.js'),
    log: line => console.log(`  ${line}`)
  };
  console.log(
    `cmk-guard benchmarks (${quick ? 'quick sizes, for CI' : 'full sizes'}); Node ${process.version}, ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB`
  );
  const results: Record<string, BenchResult> = {};
  for (const entry of benchmarks) {
    if (only && !only.has(entry.name)) continue;
    console.log(`\n${entry.name}: ${entry.compares} (target ≤ ${entry.target})`);
    const outcome = await entry.run(options);
    const result = judge(entry, outcome, quick);
    results[entry.name] = result;
    console.log(`  ${result.ratio === null ? '—' : `${result.ratio}×`} ${result.status}: ${result.detail}`);
  }
  console.log(`\n${table(results)}`);
  // Joined from its parts: ncc folds `path.join(process.cwd(), 'bench/results.json')` into a path beside
  // the bundle when the file exists at build time, and the results went to .bench-build/ instead.
  fs.writeFileSync(path.join(root, ...RESULTS.split('/')), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nWrote ${RESULTS}.`);
  const missed = Object.entries(results).filter(([, r]) => r.status === 'missed');
  return failOnMiss && missed.length ? 1 : 0;
}

function table(results: Record<string, BenchResult>): string {
  const rows = [
    ['benchmark', 'ratio', 'target', 'status', 'peak memory'],
    ...Object.entries(results).map(([name, r]) => [
      name,
      r.ratio === null ? '—' : `${r.ratio}×`,
      `≤ ${r.target}`,
      r.status,
      r.peakMemoryMB === undefined ? '' : `${r.peakMemoryMB} MB`
    ])
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map(row => row[i].length)));
  return rows
    .map(row =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  error => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  }
);
