import { UserError } from '../model/errors.js';
import { setOwn, type Json } from '../model/value.js';
import { parseJson } from '../model/jsonText.js';

/**
 * Parameter values given on the command line (`--parameter name=value`) or in the action's
 * `parameters` input. A value that parses as JSON is taken as JSON (`true`, `3`, `["a"]`),
 * anything else as a string; the template's parameter type decides what it must be.
 */
export function parseParameterOverrides(pairs: string[], what = '--parameter'): Record<string, Json> {
  const result: Record<string, Json> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UserError(`${what} takes name=value, got '${pair}'; write it as name=value.`);
    const raw = pair.slice(at + 1).trim();
    let value: Json = raw;
    try {
      value = parseJson(raw) as Json;
    } catch {
      value = raw;
    }
    setOwn(result, pair.slice(0, at).trim(), value);
  }
  return result;
}
