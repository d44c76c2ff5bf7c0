/** Small pieces every step of the pipeline uses: errors kept per input, lists grown without spreading. */
import { collectUserErrors, UserError, type InputLocation } from '../model/errors.js';
import { RunLimitError } from '../model/limits.js';

/** Adds `items` to `into` one by one (spreading tens of thousands of findings as arguments overflows the stack). */
export function append<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

/**
 * Runs `action`; a mistake (or a bug) in one input becomes that input's error and the run goes on. The run's
 * own time bound is no input's error: it ends the run.
 */
export function isolated(errors: UserError[], location: InputLocation, what: string, action: () => void): void {
  try {
    collectUserErrors(errors, () => {
      try {
        action();
      } catch (error) {
        throw error instanceof RunLimitError ? new RunEnded(error) : error;
      }
    });
  } catch (error) {
    if (error instanceof RunEnded) throw error.error;
    errors.push(
      new UserError(
        `cmk-guard could not ${what}: internal error (a bug, please report it): ${error instanceof Error ? error.message : String(error)}.`,
        location
      )
    );
  }
}

/** Carries the run's time bound past `collectUserErrors`, which would keep it as an input's error. */
class RunEnded extends Error {
  constructor(readonly error: RunLimitError) {
    super(error.message);
  }
}
