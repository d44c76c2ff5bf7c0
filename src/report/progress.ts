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

export function progressLine(write: (text: string) => void, now: () => number = Date.now): ProgressLine {
  const start = now();
  let drawn = false;
  let lastDraw = -Infinity;
  return {
    report(step, done, total) {
      const at = now();
      if (at - start < PROGRESS_AFTER_MS || (at - lastDraw < REDRAW_MS && done !== total)) return;
      lastDraw = at;
      drawn = true;
      const seconds = Math.floor((at - start) / 1000);
      write(
        `\r\u001b[2Kcmk-guard: ${step} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${seconds} s)`
      );
    },
    end() {
      if (drawn) write('\r\u001b[2K');
      drawn = false;
    }
  };
}
