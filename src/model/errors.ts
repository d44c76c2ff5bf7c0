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
