import { UserError, type InputLocation } from '../model/errors.js';

export interface ExpressionErrorDetails {
  /** The full `[...]` expression text. */
  expression?: string;
  /** 0-based character offset into `expression` of the part at fault. */
  offset?: number;
  location?: InputLocation;
}

/**
 * An expression that cannot be evaluated: an unknown function, a wrong number or type of
 * arguments, a missing property. It is a `UserError`: the template or rule must change.
 * `reason` is the bare sentence; `message` adds the expression and offset when known.
 */
export class ExpressionError extends UserError {
  readonly expression?: string;
  readonly offset?: number;

  constructor(
    readonly reason: string,
    details: ExpressionErrorDetails = {}
  ) {
    super(withContext(reason, details), details.location);
    this.name = 'ExpressionError';
    this.expression = details.expression;
    this.offset = details.offset;
  }

  /** The same error, placed in a file (consumers know where the expression was written). */
  at(location: InputLocation): ExpressionError {
    return new ExpressionError(this.reason, { expression: this.expression, offset: this.offset, location });
  }
}

function withContext(reason: string, { expression, offset }: ExpressionErrorDetails): string {
  if (expression === undefined) return reason;
  return offset === undefined ? `${reason} (in "${expression}")` : `${reason} (in "${expression}" at offset ${offset})`;
}
