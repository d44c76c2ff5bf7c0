/**
 * Errors a user can fix: bad input, bad configuration. They carry where the input was
 * and read as a sentence saying what to change. Anything else thrown is a bug.
 */
export interface InputLocation {
  file: string;
  line?: number;
  column?: number;
}

export class UserError extends Error {
  constructor(
    message: string,
    readonly location?: InputLocation
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** `file:line:column: message`, the form editors and terminals link. */
  describe(): string {
    if (!this.location) return this.message;
    const { file, line, column } = this.location;
    const where = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
    return `${where}: ${this.message}`;
  }
}

/** Several user errors found at once (all the mistakes in one rule file, say). */
export class UserErrors extends UserError {
  constructor(readonly errors: UserError[]) {
    super(errors.map(e => e.describe()).join('\n'));
    this.name = 'UserErrors';
  }

  override describe(): string {
    return this.message;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Nothing when there are no errors, the error itself when there is one, `UserErrors` for several. */
export function throwUserErrors(errors: UserError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new UserErrors(errors);
}

/**
 * Runs `action`, adding what it throws to `errors` (each error of a `UserErrors`) so that
 * every mistake is reported at once; anything that is not a `UserError` is a bug and is rethrown.
 */
export function collectUserErrors(errors: UserError[], action: () => void): void {
  try {
    action();
  } catch (error) {
    if (error instanceof UserErrors) errors.push(...error.errors);
    else if (error instanceof UserError) errors.push(error);
    else throw error;
  }
}
