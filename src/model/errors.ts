import path from 'node:path';
import { append } from './lists.js';

/** How cmk-guard names a failure of its own, not of its input, in the sentence that reports it. */
export const INTERNAL_ERROR = 'internal error (a bug, please report it)';
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

  /**
   * `file:line:column: message`, the form editors and terminals link. With `relativeTo` (the
   * working folder), paths under it, in the location and in the message, are shown relative to it.
   */
  describe(relativeTo?: string): string {
    const message = this.messageRelativeTo(relativeTo);
    if (!this.location) return message;
    const { line, column } = this.location;
    const file = relativeTo ? relativePath(this.location.file, relativeTo) : this.location.file;
    const where = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
    return `${where}: ${message}`;
  }

  /** The message, with the paths under `relativeTo` (the working folder) written in it relative to it. */
  messageRelativeTo(relativeTo?: string): string {
    return relativeTo ? relativePaths(this.message, relativeTo) : this.message;
  }
}

/** A path under `folder` relative to it; a path elsewhere stays as it is (`../../tmp/x` helps no one). */
function relativePath(file: string, folder: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(folder, file);
  return relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)
    ? file
    : relative;
}

/** Absolute paths under `folder` written in a message, relative to it. */
function relativePaths(message: string, folder: string): string {
  const prefix = path.resolve(folder) + path.sep;
  return prefix.length > 1 ? message.split(prefix).join('') : message;
}

/** Several user errors found at once (all the mistakes in one rule file, say). */
export class UserErrors extends UserError {
  constructor(readonly errors: UserError[]) {
    super(errors.map(e => e.describe()).join('\n'));
    this.name = 'UserErrors';
  }

  override describe(relativeTo?: string): string {
    return this.errors.map(e => e.describe(relativeTo)).join('\n');
  }
}

/**
 * A piece of input named in a message (a property name, a value): at most `limit` characters, so
 * a message never carries more of a file than the token at fault.
 */
export function inputToken(text: string, limit = 80): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} characters)`;
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
 * A user error that ends the whole run, such as the run's own time bound: it is no one input's mistake, so
 * `collectUserErrors` never keeps it as one and the run stops with it.
 */
export class RunEndingError extends UserError {
  constructor(message: string, location?: InputLocation) {
    super(message, location);
    this.name = 'RunEndingError';
  }
}

/**
 * Runs `action`, adding what it throws to `errors` (each error of a `UserErrors`) so that every mistake is
 * reported at once. A `RunEndingError` ends the run and anything that is not a `UserError` is a bug: both are
 * rethrown.
 */
export function collectUserErrors(errors: UserError[], action: () => void): void {
  try {
    action();
  } catch (error) {
    if (error instanceof RunEndingError) throw error;
    if (error instanceof UserErrors) append(errors, error.errors);
    else if (error instanceof UserError) errors.push(error);
    else throw error;
  }
}
