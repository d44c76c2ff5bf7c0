/** Canonical JSON (object keys sorted, no whitespace) and its SHA-256: the content hash
 * that tells a deployment whether a rule changed. */
import { nodeCrypto } from '../model/builtins.js';
import type { Json } from '../model/value.js';

export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map(k => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return nodeCrypto().createHash('sha256').update(text, 'utf8').digest('hex');
}
