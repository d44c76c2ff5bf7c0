import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Json, Value } from '../model/value.js';
import { Unknown, isObject } from '../model/value.js';
import type { SourcePosition } from '../model/resource.js';
import { UserError } from '../model/errors.js';
import { parseJsonWithPositions } from './json.js';
import { joinPointer } from '../model/pointer.js';

/**
 * Parameter files (`deploymentParameters.json`): `{"parameters": {"name": {"value": …}}}`,
 * where a value may instead be a Key Vault `reference` (a secret, unknown offline).
 */

export interface SuppliedParameter {
  /** The name as written in the parameter file (or override). */
  name: string;
  value: Value;
  /** Where the value was written; null for command-line overrides. */
  position: SourcePosition | null;
  /** `parameter file x.json` or `--parameter`, for messages. */
  origin: string;
}

/** Supplied values keyed by lower-case name: ARM matches parameter names case-insensitively. */
export type SuppliedParameters = Map<string, SuppliedParameter>;

/** How a `$schema` names a parameter file, and a deployment template. */
export const PARAMETER_SCHEMA = /deploymentParameters\.json/i;
export const TEMPLATE_SCHEMA = /deploymentTemplate\.json/i;

/**
 * The largest JSON file cmk-guard reads: four times what Azure Resource Manager accepts
 * for a template (4 MB, https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits),
 * so a real template always fits and a 50 MB file cannot exhaust memory.
 */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** A file that is too large to read, or not text: discovery passes over such files unless they look like templates. */
export class UnreadableTextError extends UserError {
  constructor(
    message: string,
    location: { file: string; line?: number; column?: number },
    readonly kind: 'too-large' | 'not-text'
  ) {
    super(message, location);
  }
}

/**
 * A file's text: a regular file (not a device, pipe or folder) of at most
 * `MAX_INPUT_BYTES`, in UTF-8 (or UTF-16 with a byte order mark). Anything else is a
 * UserError saying what to change.
 */
export function readTextFile(file: string): string {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    // A device (/dev/zero) never ends and a pipe blocks: only regular files are read.
    if (!stat.isFile())
      throw new UserError(`cannot read ${file}: it is not a regular file; give a JSON file.`, { file });
    bytes = readBounded(file);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new UserError(`cannot read ${file}: ${why}; check the path.`, { file });
  }
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new UnreadableTextError(
      `${file} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB, the most cmk-guard reads (Azure Resource Manager takes templates up to 4 MB); split it or leave it out of the patterns.`,
      { file },
      'too-large'
    );
  }
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    const at = encoding === 'utf-8' ? firstInvalidUtf8(bytes) : { offset: 0, line: 1, column: 1 };
    throw new UnreadableTextError(
      `${file} is not ${encoding.toUpperCase()} text (byte ${at.offset} is not valid ${encoding.toUpperCase()}); save it as UTF-8.`,
      { file, line: at.line, column: at.column },
      'not-text'
    );
  }
}

/** Reads at most one byte past the limit, whatever size the file claims (`/proc` files claim 0). */
function readBounded(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_INPUT_BYTES + 1 - total));
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > MAX_INPUT_BYTES) break;
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** Where the first byte that is not UTF-8 is, as an offset and a line and column. */
function firstInvalidUtf8(bytes: Buffer): { offset: number; line: number; column: number } {
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix, by bisection: decoding a prefix fails only past the bad byte
  // (a prefix cut inside a valid sequence is held back, not refused, with stream: true).
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  const before = bytes.subarray(0, low).toString('utf8');
  const lines = before.split('\n');
  return { offset: low, line: lines.length, column: lines[lines.length - 1].length + 1 };
}

export function loadParameterFile(file: string): SuppliedParameters {
  const doc = parseJsonWithPositions(readTextFile(file), file);
  const origin = `parameter file ${path.basename(file)}`;
  if (!isObject(doc.value)) {
    throw new UserError('a parameter file must be a JSON object with a "parameters" object.', {
      file,
      line: 1,
      column: 1
    });
  }
  const root = doc.value as { [key: string]: Json };
  const hasSection = isObject(root.parameters);
  if (root.parameters !== undefined && !hasSection) {
    const at = doc.positionOf('/parameters');
    throw new UserError('"parameters" must be an object of {"name": {"value": …}}.', at ?? { file });
  }
  const section = (hasSection ? root.parameters : root) as { [key: string]: Json };
  const base = hasSection ? '/parameters' : '';
  const supplied: SuppliedParameters = new Map();
  for (const [name, entry] of Object.entries(section)) {
    if (!hasSection && (name === '$schema' || name === 'contentVersion')) continue;
    const pointer = joinPointer(base, name);
    const at = doc.positionOf(pointer) ?? { file, line: 1, column: 1 };
    if (!isObject(entry) || (!('value' in entry) && !('reference' in entry))) {
      throw new UserError(
        `parameter "${name}" in ${path.basename(file)} must be an object with "value" (or a Key Vault "reference").`,
        at
      );
    }
    let value: Value;
    let position: SourcePosition | null;
    if ('value' in entry) {
      value = entry.value as Json;
      position = doc.positionOf(joinPointer(pointer, 'value')) ?? at;
    } else {
      const reference = entry.reference as { [key: string]: Json } | undefined;
      const secret = isObject(reference) && typeof reference.secretName === 'string' ? reference.secretName : name;
      value = new Unknown(`Key Vault secret '${secret}' (parameter '${name}')`, `keyvault-secret:${secret}`);
      position = at;
    }
    supplied.set(name.toLowerCase(), { name, value, position, origin });
  }
  return supplied;
}

/**
 * The parameter file that goes with a template by convention: `main.json` →
 * `main.parameters.json`, `azuredeploy.json` → `azuredeploy.parameters.json`.
 */
export function conventionalParameterFile(templateFile: string): string | null {
  const dir = path.dirname(templateFile);
  const stem = path.basename(templateFile).replace(/\.jsonc?$/i, '');
  const candidate = path.join(dir, `${stem}.parameters.json`);
  return fs.existsSync(candidate) ? candidate : null;
}

/** Values given on the command line or as action inputs. */
export function overridesToSupplied(overrides: Record<string, Json>): SuppliedParameters {
  const supplied: SuppliedParameters = new Map();
  for (const [name, value] of Object.entries(overrides)) {
    supplied.set(name.toLowerCase(), { name, value, position: null, origin: '--parameter' });
  }
  return supplied;
}

/** Later sources win: parameter files in the order given, then overrides. */
export function mergeSupplied(...sources: SuppliedParameters[]): SuppliedParameters {
  const merged: SuppliedParameters = new Map();
  for (const source of sources) for (const [key, value] of source) merged.set(key, value);
  return merged;
}
