/** Runs one step of the pipeline for one input, keeping that input's mistakes as its errors. */
import { collectUserErrors, INTERNAL_ERROR, RunEndingError, UserError, type InputLocation } from '../model/errors.js';

/**
 * Runs `action`; a mistake (or a bug) in one input becomes that input's error and the run goes on. An error
 * that ends the run (its time bound) is rethrown by `collectUserErrors`, and so by this.
 */
export function isolated(errors: UserError[], location: InputLocation, what: string, action: () => void): void {
  try {
    collectUserErrors(errors, action);
  } catch (error) {
    if (error instanceof RunEndingError) throw error;
    errors.push(
      new UserError(
        `cmk-guard could not ${what}: ${INTERNAL_ERROR}: ${error instanceof Error ? error.message : String(error)}.`,
        location
      )
    );
  }
}
