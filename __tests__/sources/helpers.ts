import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../../src/model/resource.js';
import type { Value } from '../../src/model/value.js';

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sources');

export function fixture(...parts: string[]): string {
  return path.join(fixtures, ...parts);
}

export function byName(resources: Resource[], name: string): Resource {
  const found = resources.find(r => r.name === name);
  if (!found) throw new Error(`no resource '${name}' among ${resources.map(r => r.name).join(', ')}`);
  return found;
}

/** The value at a JSON pointer into a resource body. */
export function at(value: Value, pointer: string): Value | undefined {
  let current: Value | undefined = value;
  for (const segment of pointer.split('/').slice(1)) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(segment)] : (current as { [k: string]: Value })[segment];
  }
  return current;
}

/** The 1-based line of the first line of `file` that contains `text`. */
export function lineOf(text: string, contents: string): number {
  const index = contents.split('\n').findIndex(line => line.includes(text));
  if (index < 0) throw new Error(`'${text}' not found`);
  return index + 1;
}
