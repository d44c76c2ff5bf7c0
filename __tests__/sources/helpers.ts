import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandTemplateFile } from '../../src/sources/index.js';
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

/**
 * Expands `template` written as main.json in a new temporary folder, so its errors carry a file and line like
 * any template's; the folder is removed once it is expanded.
 */
export function expandInline(
  template: object,
  options: Parameters<typeof expandTemplateFile>[1] = {}
): ReturnType<typeof expandTemplateFile> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-inline-'));
  try {
    const file = path.join(dir, 'main.json');
    fs.writeFileSync(file, JSON.stringify(template, null, 2));
    return expandTemplateFile(file, options);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
