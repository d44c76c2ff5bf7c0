/**
 * The built CLI (dist/cli/index.js) evaluating in its worker thread (CMK_GUARD_WORKER=on, src/cliThread.ts) says
 * exactly what it says evaluating in its main thread (off): the same standard output, standard error, report file
 * and exit code, through a pipe, for a report far longer than the backlog the worker may send ahead.
 *
 * It needs the built CLI (`npm run bundle`) and builds nothing itself; without it, it is skipped.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { THREAD_BACKLOG_CHARS } from '../../src/commands/threadData.js';
import { bundleHolds } from '../support/built.js';
import { generatedSnapshot } from '../support/snapshots.js';

const entry = path.resolve('dist/cli/index.js');
// A build from before the worker thread counts as missing.
const built = bundleHolds(entry, 'cmkGuardThread');
const describeBuilt = built ? describe : describe.skip;
if (!built)
  console.warn(`Skipping the built worker-thread test: ${entry} is missing or older; run \`npm run bundle\`.`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string, worker: 'on' | 'off'): Promise<Run> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      [entry, ...args],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: cwd, CMK_GUARD_WORKER: worker },
        timeout: 120_000,
        maxBuffer: 256 * 1024 * 1024
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr })
    );
  });
}

describeBuilt('the built CLI in its worker thread', () => {
  // About 4,000 resources.
  const snapshot = generatedSnapshot('cmk-guard-thread-built-', 400, 5);

  it('writes the same report to standard output, with the same exit code', async () => {
    const args = ['evaluate', '--resources', 'snapshot.json', '--format', 'json'];
    const [main, worker] = [await cli(args, snapshot.dir, 'off'), await cli(args, snapshot.dir, 'on')];
    expect(main.code).toBe(1);
    expect(main.stdout.length).toBeGreaterThan(4 * THREAD_BACKLOG_CHARS);
    expect(worker).toEqual(main);
  });

  it('writes the same report file and the same text on standard error', async () => {
    const run = async (worker: 'on' | 'off') => {
      const out = `out-${worker}.sarif`;
      const result = await cli(
        ['evaluate', '--resources', 'snapshot.json', '--resources', 'missing.json', '--format', 'sarif', '-o', out],
        snapshot.dir,
        worker
      );
      return { ...result, report: readFileSync(path.join(snapshot.dir, out), 'utf8') };
    };
    const [main, worker] = [await run('off'), await run('on')];
    expect(main.code).toBe(2);
    expect(main.stderr).toContain('missing.json');
    expect(worker).toEqual(main);
  });

  it('cmk-guard baseline writes the same baseline', async () => {
    const run = async (worker: 'on' | 'off') => {
      const out = `baseline-${worker}.json`;
      const result = await cli(['baseline', '--resources', 'snapshot.json', '--out', out], snapshot.dir, worker);
      return {
        ...result,
        stdout: result.stdout.replaceAll(out, 'FILE'),
        baseline: readFileSync(path.join(snapshot.dir, out), 'utf8')
      };
    };
    const [main, worker] = [await run('off'), await run('on')];
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^Wrote [1-9][\d,]* findings to FILE/);
    expect(worker).toEqual(main);
  });

  it('reports a broken snapshot as the main thread does', async () => {
    writeFileSync(path.join(snapshot.dir, 'broken.json'), '{"value": [\n  {"id": 1,}\n]}\n');
    const args = ['evaluate', '--resources', 'broken.json', '--format', 'text'];
    const [main, worker] = [await cli(args, snapshot.dir, 'off'), await cli(args, snapshot.dir, 'on')];
    expect(main.code).toBe(2);
    expect(main.stdout + main.stderr).toMatch(/broken\.json:2:/);
    expect(worker).toEqual(main);
  });
});
