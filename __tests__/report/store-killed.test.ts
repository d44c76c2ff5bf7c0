/**
 * A run stopped while its findings are written out (SIGTERM, SIGINT) leaves nothing in the temporary folder:
 * the built CLI (dist/cli/index.js) in its own process, as a user runs it, with a temporary folder of its own.
 * It needs the built CLI (`npm run bundle`) and builds nothing itself; without it, it is skipped. It sees a
 * process's open files under /proc (Linux) to know the run is writing out; elsewhere it is skipped too.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { bundleHolds } from '../support/built.js';
import path from 'node:path';
import { findingsEntries, openFindingsFiles } from '../support/findingsFiles.js';
import { generatedSnapshot } from '../support/snapshots.js';

const entry = path.resolve('dist/cli/index.js');
// A build from before findings files were unnamed at once counts as missing.
const built = bundleHolds(entry, 'openFindingsFile');
const visible = openFindingsFiles() !== null;
const describeBuilt = built && visible ? describe : describe.skip;
if (!built)
  console.warn(
    `Skipping the killed-run test: ${entry} is missing or older than the finding store; run \`npm run bundle\`.`
  );

describeBuilt('a run killed while writing its findings out', () => {
  // About 20,000 resources: past the 5,000 findings held in memory after the first few thousand.
  const snapshot = generatedSnapshot('cmk-guard-killed-', 2000, 9);
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(snapshot.dir, 'tmp-'));
  });

  // `on`: evaluated in the CLI's worker thread (src/commands/thread.ts), as a snapshot past 32 MB is.
  it.each([
    ['SIGTERM', 'off'],
    ['SIGINT', 'off'],
    ['SIGTERM', 'on'],
    ['SIGINT', 'on']
  ] as const)(
    'by %s leaves nothing in the temporary folder (CMK_GUARD_WORKER=%s)',
    async (signal, worker) => {
      const child = spawn(
        process.execPath,
        [entry, 'evaluate', '--resources', 'snapshot.json', '--format', 'sarif', '--output', 'out.sarif'],
        {
          cwd: snapshot.dir,
          env: { PATH: process.env.PATH, TMPDIR: tmp, TMP: tmp, TEMP: tmp, CMK_GUARD_WORKER: worker },
          stdio: 'ignore'
        }
      );
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
        child.on('exit', (code, by) => resolve({ code, signal: by }))
      );
      let finished = false;
      void exited.then(() => (finished = true));
      // Until the run is writing to a findings file whose name it has removed (or has ended, which the assertions
      // below then say). The name goes just after the file is opened: a signal in between would find it named.
      const writingUnnamed = () => (openFindingsFiles(child.pid!) ?? []).some(file => file.endsWith(' (deleted)'));
      while (!finished && !writingUnnamed()) await new Promise(resolve => setTimeout(resolve, 20));
      const writing = openFindingsFiles(child.pid!) ?? [];
      child.kill(signal);
      const outcome = await exited;
      expect(writing.length).toBeGreaterThan(0);
      expect(writing.every(file => file.startsWith(tmp))).toBe(true);
      expect(outcome.signal).toBe(signal);
      expect(findingsEntries(tmp)).toEqual([]);
      expect(existsSync(path.join(snapshot.dir, 'out.sarif'))).toBe(false);
    },
    120_000
  );
});
