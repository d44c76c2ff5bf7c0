/**
 * Reading an input file someone else controls (a template, a parameter file, a rule file, a policy
 * definition): a regular file of bounded size, in UTF-8 (or UTF-16 with a byte order mark), or a
 * UserError saying what to change. Never a device, a pipe, or a file too large to hold.
 */
import * as fs from 'node:fs';
import { UserError } from './errors.js';
import { LIMIT_VARIABLES, limit } from './limits.js';

/**
 * The largest input cmk-guard reads, a file or a text a tool wrote for it (Bicep's compiled template):
 * `CMK_GUARD_MAX_FILE_BYTES`, by default four times what Azure Resource Manager accepts for a template
 * (4 MB, https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits),
 * so a real template always fits and a 50 MB file cannot exhaust memory.
 */
export function maxInputBytes(): number {
  return limit('fileBytes');
}

/** A size in bytes as messages give it. */
export function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MB` : `${bytes} bytes`;
}

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
 * `maxInputBytes()`, in UTF-8 (or UTF-16 with a byte order mark). Anything else is a
 * UserError saying what to change.
 */
export function readTextFile(file: string): string {
  let bytes: Buffer;
  const fd = openRegularFile(file);
  try {
    bytes = readBounded(fd, limit('fileBytes'));
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${String(error)}; check the path.`, { file });
  } finally {
    fs.closeSync(fd);
  }
  const most = limit('fileBytes');
  if (bytes.length > most) {
    throw new UnreadableTextError(
      `${file} is larger than ${describeBytes(most)}, the most cmk-guard reads (${LIMIT_VARIABLES.fileBytes}; Azure Resource Manager takes templates up to 4 MB); split it or leave it out of the patterns.`,
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

/**
 * Opens a file to read: a regular file (not a device, pipe or folder), or a UserError saying what
 * to change. The caller closes it.
 */
export function openRegularFile(file: string): number {
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    // A device (/dev/zero) never ends and a pipe blocks: only regular files are read.
    if (!stat.isFile()) throw new UserError(`cannot read ${file}: it is not a regular file; give a file.`, { file });
    return fs.openSync(file, 'r');
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new UserError(`cannot read ${file}: ${why}; check the path.`, { file });
  }
}

/**
 * Reads at most one byte past the limit, whatever size the file claims (`/proc` files claim 0):
 * into a buffer of the size it claims (and one byte more, to see it end), grown if it was wrong.
 */
function readBounded(fd: number, most: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(most + 1, Math.max(fs.fstatSync(fd).size + 1, 4096)));
  let total = 0;
  for (;;) {
    if (total === buffer.length) {
      const larger = Buffer.allocUnsafe(Math.min(most + 1, buffer.length * 2));
      buffer.copy(larger, 0, 0, total);
      buffer = larger;
    }
    const read = fs.readSync(fd, buffer, total, buffer.length - total, null);
    if (read === 0) break;
    total += read;
    if (total > most) break;
  }
  return buffer.subarray(0, total);
}

/** Where the first byte that is not UTF-8 is, as an offset and a line and column. */
export function firstInvalidUtf8(bytes: Buffer): { offset: number; line: number; column: number } {
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
