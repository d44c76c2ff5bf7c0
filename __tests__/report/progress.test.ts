/**
 * The progress line on standard error: nothing for a short run, one line redrawn in place (at most every
 * 100 ms, and at the end of a step) once the run has lasted two seconds, erased before the report.
 * Time comes from a clock the test moves; no assertion depends on how fast this machine is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { progressLine, progressWanted } from '../../src/report/progress.js';

const ERASE = '\r\u001b[2K';

function clock(start = 0) {
  const time = { now: start };
  return { time, now: () => time.now };
}

describe('progressLine', () => {
  it('draws nothing in the first two seconds, and erases nothing it did not draw', () => {
    const written: string[] = [];
    const { time, now } = clock();
    const line = progressLine(t => written.push(t), now);
    for (let i = 0; i <= 10; i++) {
      time.now = i * 190;
      line.report('evaluating resources', i, 10);
    }
    line.end();
    expect(written).toEqual([]);
  });

  it('after two seconds, redraws one line in place at most every 100 ms and at the end of a step, then erases it', () => {
    const written: string[] = [];
    const { time, now } = clock(1_000);
    const line = progressLine(t => written.push(t), now);
    time.now = 3_000;
    line.report('reading files', 0, 2500);
    time.now = 3_050;
    line.report('reading files', 1, 2500); // 50 ms after the last: not redrawn
    time.now = 3_100;
    line.report('reading files', 2, 2500);
    time.now = 3_120;
    line.report('reading files', 2500, 2500); // a step's end is always shown
    line.end();
    expect(written).toEqual([
      `${ERASE}cmk-guard: reading files 0/2,500 (2 s)`,
      `${ERASE}cmk-guard: reading files 2/2,500 (2 s)`,
      `${ERASE}cmk-guard: reading files 2,500/2,500 (2 s)`,
      ERASE
    ]);
  });

  it('says how many a second since the step began, once it has lasted a second; a count without a total', () => {
    const written: string[] = [];
    const { time, now } = clock(0);
    const line = progressLine(t => written.push(t), now);
    line.report('reading templates', 0, 10); // before two seconds: not drawn, but the step has begun
    time.now = 2_500;
    line.report('reading templates', 10, 10);
    line.report('evaluating resources', 0);
    time.now = 3_000;
    line.report('evaluating resources', 4_000); // half a second into the step: no rate yet
    time.now = 6_500;
    line.report('evaluating resources', 32_000);
    expect(written).toEqual([
      `${ERASE}cmk-guard: reading templates 10/10 (4/s, 2 s)`,
      `${ERASE}cmk-guard: evaluating resources 4,000 (3 s)`,
      `${ERASE}cmk-guard: evaluating resources 32,000 (8,000/s, 6 s)`
    ]);
  });
});

describe('progressWanted', () => {
  it('on a terminal only, not a dumb one, and never in CI', () => {
    expect(progressWanted({}, true)).toBe(true);
    expect(progressWanted({}, false)).toBe(false);
    expect(progressWanted({ TERM: 'dumb' }, true)).toBe(false);
    expect(progressWanted({ CI: 'true' }, true)).toBe(false);
  });
});

describe('cmk-guard evaluate on a terminal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-progress-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(stderrIsTerminal: boolean, env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const err: string[] = [];
    // Each reading of the clock is a second later: the run looks long, whatever the machine.
    let tick = 0;
    const args = [
      '-t',
      'examples/*/*.json',
      '--policies',
      'policies',
      '--definitions',
      '__tests__/fixtures/engine/builtin'
    ];
    const code = await runCli(['evaluate', ...args, '--format', 'compact'], {
      cwd: path.resolve('.'),
      env,
      stderrIsTerminal,
      clock: () => (tick += 1000),
      stdout: t => out.push(t),
      stderr: t => err.push(t)
    });
    return { code, out: out.join(''), err: err.join('') };
  }

  it('shows reading definitions and templates and evaluating resources on standard error, erased before the report', async () => {
    const shown = await run(true);
    expect(shown.code).toBe(1);
    const lines = shown.err.split(ERASE).filter(Boolean);
    expect(lines[0]).toMatch(/^cmk-guard: reading definitions 1\/11 \((\d+\/s, )?\d+ s\)$/);
    const steps = [...new Set(lines.map(l => /^cmk-guard: ([a-z ]+) \d/.exec(l)?.[1]).filter(Boolean))];
    // These definitions include existence conditions: every template is read before any is evaluated.
    expect(steps).toEqual(['reading definitions', 'reading templates', 'evaluating resources']);
    // Resources are counted as they are evaluated, with how many a second, to the last.
    const evaluated = lines.filter(l => l.startsWith('cmk-guard: evaluating resources'));
    const report = await run(false);
    const resources = /\((\d+) resources,/.exec(report.out)?.[1];
    expect(evaluated[evaluated.length - 1]).toMatch(
      new RegExp(`^cmk-guard: evaluating resources ${resources} \\(\\d+/s, \\d+ s\\)$`)
    );
    // Erased once the evaluation is over, before the report (this one has nothing for standard error).
    expect(shown.err.endsWith(`)${ERASE}`)).toBe(true);
    expect(shown.out).not.toContain('\r');
    expect(shown.out).not.toContain('evaluating');

    // Not on a pipe, and not in CI: the same report, no progress.
    for (const quiet of [await run(false), await run(true, { CI: 'true' })]) {
      expect(quiet.err).not.toContain('\r');
      expect(quiet.out).toBe(shown.out);
    }
  });
});
