/** `ExpressionError`: a template expression that cannot be evaluated, with where in the expression it failed. */
import { UserError, type InputLocation } from '../model/errors.js';

export interface ExpressionErrorDetails {
  /** The full `[...]` expression text. */
  expression?: string;
  /** 0-based character offset into `expression` of the part at fault. */
  offset?: number;
  location?: InputLocation;
  /**
   * The template is invalid wherever this expression is, whatever the values: a syntax error, an
   * unknown function, a wrong argument count, a parameter or variable that is not declared, a
   * function used where ARM does not allow it. Otherwise the expression failed for the values it
   * was given (an index out of range, a missing property), which spoils only what uses it.
   */
  invalid?: boolean;
}

/**
 * An expression that cannot be evaluated: an unknown function, a wrong number or type of
 * arguments, a missing property. It is a `UserError`: the template or rule must change.
 * `reason` is the bare sentence; `message` adds the expression and offset when known.
 */
export class ExpressionError extends UserError {
  readonly expression?: string;
  readonly offset?: number;
  readonly invalid: boolean;

  constructor(
    readonly reason: string,
    details: ExpressionErrorDetails = {}
  ) {
    super(withContext(reason, details), details.location);
    this.name = 'ExpressionError';
    this.expression = details.expression;
    this.offset = details.offset;
    this.invalid = details.invalid ?? false;
  }

  /** An error that makes the template invalid whatever the values (see `invalid`). */
  static invalid(reason: string): ExpressionError {
    return new ExpressionError(reason, { invalid: true });
  }

  /** The same error, placed in a file (consumers know where the expression was written). */
  at(location: InputLocation): ExpressionError {
    return new ExpressionError(this.reason, {
      expression: this.expression,
      offset: this.offset,
      location,
      invalid: this.invalid
    });
  }
}

/** Longer expressions are quoted around the offset at fault, so a message stays a line a person can read. */
const QUOTE_LIMIT = 160;

function quote(expression: string, offset: number | undefined): string {
  if (expression.length <= QUOTE_LIMIT) return expression;
  const at = offset ?? 0;
  const start = Math.max(0, Math.min(at - QUOTE_LIMIT / 2, expression.length - QUOTE_LIMIT));
  const end = start + QUOTE_LIMIT;
  return `${start > 0 ? '…' : ''}${expression.slice(start, end)}${end < expression.length ? '…' : ''}`;
}

function withContext(reason: string, { expression, offset }: ExpressionErrorDetails): string {
  if (expression === undefined) return reason;
  const shown = quote(expression, offset);
  return offset === undefined ? `${reason} (in "${shown}")` : `${reason} (in "${shown}" at offset ${offset})`;
}
