import { UserError, type InputLocation } from '../../model/errors.js';

/**
 * A template Azure Resource Manager would reject: an unknown function, a wrong argument
 * count, a parameter value outside `allowedValues`, a dependency cycle. It names the file,
 * line and column, and the expression when one is at fault.
 */
export class TemplateError extends UserError {
  constructor(
    message: string,
    location: InputLocation,
    readonly expression?: string
  ) {
    super(message, location);
    this.name = 'TemplateError';
  }
}
