/** What a validator (ajv's or a generated one) says of a value: its verdict and errors, or what it threw. */
import type { ValidateFunction } from 'ajv';

export function outcome(
  validate: ValidateFunction,
  data: unknown
): { valid: boolean; errors: unknown } | { threw: string } {
  try {
    const valid = validate(data) as boolean;
    return { valid, errors: validate.errors ?? null };
  } catch (error) {
    return { threw: String(error) };
  }
}
