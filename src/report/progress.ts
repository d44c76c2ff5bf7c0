/**
 * The progress line: one line on standard error, redrawn in place, for runs that last longer than a
 * couple of seconds on a terminal. It is erased before the report is written, so standard output and
 * files never hold it. The pipeline is synchronous, so the line moves when the pipeline reports, not on
 * a timer.
 */
import type { ProgressReport } from '../model/progress.js';

/** Runs shorter than this show no progress at all. */
export const PROGRESS_AFTER_MS = 2000;
/** The line is redrawn at most this often (a terminal redrawn per resource would slow the run). */
const REDRAW_MS = 100;

export interface ProgressLine {
  report: ProgressReport;
  /** Erases the line, if it was drawn. */
  end(): void;
}

/**
 * Whether to draw progress on standard error: only on a terminal that can move the cursor back
 * (`TERM=dumb` cannot), and never under CI, whose logs keep every redraw.
 */
export function progressWanted(env: NodeJS.ProcessEnv, stderrIsTerminal: boolean): boolean {
  return stderrIsTerminal && env.TERM !== 'dumb' && !env.CI;
}

/**
 * `cmk-guard: evaluating resources 120,000 (8,100/s, 15 s)`: how far the step has come (of how many, when
 * that is known in advance), how many a second since the step began, and how long the run has lasted.
 */
export function progressLine(write: (text: string) => void, now: () => number = Date.now): ProgressLine {
  const start = now();
  let drawn = false;
  let lastDraw = -Infinity;
  /** When each step was first reported, and how far it had come then: its rate is measured from there. */
  const began = new Map<string, { at: number; done: number }>();
  return {
    report(step, done, total) {
      const at = now();
      let first = began.get(step);
      if (!first) began.set(step, (first = { at, done }));
      if (at - start < PROGRESS_AFTER_MS || (at - lastDraw < REDRAW_MS && done !== total)) return;
      lastDraw = at;
      drawn = true;
      const seconds = Math.floor((at - start) / 1000);
      const count = total === undefined ? grouped(done) : `${grouped(done)}/${grouped(total)}`;
      // A rate over less than a second says little: shown once the step has lasted that long.
      const elapsed = (at - first.at) / 1000;
      const rate = elapsed >= 1 ? `${grouped(Math.round((done - first.done) / elapsed))}/s, ` : '';
      write(`\r\u001b[2Kcmk-guard: ${step} ${count} (${rate}${seconds} s)`);
    },
    end() {
      if (drawn) write('\r\u001b[2K');
      drawn = false;
    }
  };
}

function grouped(n: number): string {
  return n.toLocaleString('en-US');
}
