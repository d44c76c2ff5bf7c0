import { UserError } from '../model/errors.js';

/**
 * A policy definition that is malformed: refused at load time with the file, the JSON path in the
 * definition (`properties.policyRule.if.allOf[1].field`) and what to change.
 */
export class DefinitionError extends UserError {
  constructor(
    message: string,
    readonly file: string | null,
    readonly jsonPath: string
  ) {
    super(`${jsonPath ? `at ${jsonPath}: ` : ''}${message}`, file ? { file } : undefined);
    this.name = 'DefinitionError';
  }
}

/** A well-formed definition that uses something this engine cannot evaluate offline. */
export class UnsupportedError extends UserError {
  constructor(
    message: string,
    readonly file: string | null,
    readonly jsonPath: string
  ) {
    super(`${jsonPath ? `at ${jsonPath}: ` : ''}${message}`, file ? { file } : undefined);
    this.name = 'UnsupportedError';
  }
}
