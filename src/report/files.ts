import { nodeCrypto } from '../model/builtins.js';
import { closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../model/errors.js';
import { CHUNK_SIZE, type ReportPieces } from './stream.js';

/**
 * Writing report files so that nothing is lost or half-written: the content goes to a new
 * file beside the target and is renamed over it, so a crash or a full disk leaves the old
 * file or the new one, never part of one.
 */

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Writes `content` (a string, or a report's pieces, written in chunks as they come) to `file`
 * atomically. A symbolic link is written through to the file it names (the CLI's `--output`
 * may be one); a device or pipe (`/dev/stdout`) cannot be renamed over and is written directly.
 */
export function writeFileAtomic(file: string, content: string | ReportPieces): void {
  const write = (fd: number) => (typeof content === 'string' ? writeAll(fd, content) : writePieces(fd, content));
  let target = path.resolve(file);
  let stat = lstatOrNull(target);
  if (stat?.isSymbolicLink()) {
    target = realpathSync(target);
    stat = lstatOrNull(target);
  }
  if (stat && !stat.isFile()) {
    if (stat.isDirectory()) throw new UserError('is a folder; give a file name to write the report to.', { file });
    const fd = openSync(target, 'w');
    try {
      write(fd);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`
  );
  // 'wx' fails rather than follow anything already at the temporary name.
  const fd = openSync(temporary, 'wx', stat ? stat.mode & 0o777 : 0o644);
  try {
    try {
      write(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Writes a report's pieces as they come: text gathered into chunks, bytes as they are. */
function writePieces(fd: number, pieces: ReportPieces): void {
  let parts: string[] = [];
  let length = 0;
  const flush = () => {
    if (length > 0) writeAll(fd, parts.join(''));
    parts = [];
    length = 0;
  };
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      parts.push(piece);
      length += piece.length;
      if (length >= CHUNK_SIZE) flush();
    } else {
      flush();
      for (let offset = 0; offset < piece.length;) offset += writeSync(fd, piece, offset);
    }
  }
  flush();
}

/** `writeSync` may write less than it was given (a pipe, a signal): write until all of it is out. */
function writeAll(fd: number, text: string): void {
  const written = writeSync(fd, text);
  const total = Buffer.byteLength(text, 'utf8');
  if (written === total) return;
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = written; offset < total;) offset += writeSync(fd, bytes, offset);
}

function inside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`));
}

/** The path with symbolic links resolved as far as it exists, and the rest appended. */
function realPathSoFar(file: string): string {
  const missing: string[] = [];
  let current = file;
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = path.dirname(current);
      if (parent === current) return file;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Where the action may write a file an input names: inside the repository or the runner's
 * temporary folder, after symbolic links are followed, and not onto a link, a folder or a
 * device. A pull request can commit a symbolic link where a report is written; without
 * this check the report would overwrite whatever file the link names.
 */
export function checkOutputPath(input: string, requested: string, file: string, roots: string[]): void {
  const where = `the input \`${input}\` is '${requested}'`;
  const outside = new UserError(
    `${where}, which is outside the repository and the runner's temporary folder; give a path inside the repository.`
  );
  if (!roots.some(root => inside(path.resolve(root), file))) throw outside;
  const stat = lstatOrNull(file);
  if (stat && !stat.isFile()) {
    const what = stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a folder' : 'not a regular file';
    throw new UserError(`${where}, which is ${what}; give the path of a file to write, or leave the input empty.`);
  }
  // A folder on the way may be a link out of the repository.
  const allowed = roots.map(root => realPathSoFar(path.resolve(root)));
  if (!allowed.some(root => inside(root, realPathSoFar(file)))) throw outside;
}
