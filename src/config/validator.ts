/**
 * A validator for a file users write (cmk-guard.yaml, inline exceptions), made on first use: every
 * error at once, with the offending data, and keys named like Object's members (`constructor`,
 * `__proto__`) read as the file's own, nothing more.
 */
import type { AnySchema, ValidateFunction } from 'ajv';
import { tooling } from '../model/tooling.js';

export function lazyFileValidator(schema: AnySchema): () => ValidateFunction {
  let validate: ValidateFunction | undefined;
  return () =>
    (validate ??= new (tooling.get().Ajv2020)({
      strict: true,
      allowUnionTypes: true,
      allErrors: true,
      verbose: true,
      ownProperties: true
    }).compile(schema));
}
