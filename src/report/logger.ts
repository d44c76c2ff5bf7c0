/** Where reporters say what they did; the action maps it to @actions/core, tests record it. */
export interface Logger {
  info(message: string): void;
  /** Shown to the user as a warning annotation on the run. */
  warning(message: string): void;
  /** Shown only with ACTIONS_STEP_DEBUG. */
  debug(message: string): void;
}
