import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';

/**
 * A validator for the OASIS SARIF 2.1.0 schema (errata 01), stored unchanged in
 * `__tests__/fixtures/report/` (see sarif-schema-2.1.0.SOURCE.md). The schema is draft-04:
 * Ajv 8 reads it with `id` set aside (all its refs are local) and its three formats
 * (`uri`, `uri-reference`, `date-time`) defined here.
 */
export function sarifValidator(): ValidateFunction {
  const file = path.resolve('__tests__/fixtures/report/sarif-schema-2.1.0.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const isAbsoluteUri = (value: string) => URL.canParse(value);
  ajv.addFormat('uri', isAbsoluteUri);
  ajv.addFormat('uri-reference', (value: string) => !/\s/.test(value) && URL.canParse(value, 'file:///root/'));
  ajv.addFormat(
    'date-time',
    (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))
  );
  return ajv.compile(schema);
}
