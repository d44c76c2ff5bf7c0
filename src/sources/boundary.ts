import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputLocation } from '../model/errors.js';
import { UserError } from '../model/errors.js';

/**
 * Where a pull request's files may lead the reader. A template, its parameter file or a
 * linked template (`relativePath`) inside the repository can be a symbolic link, or name a
 * path, that leads out of it: to `/proc/self/environ`, the runner's credentials, or `/`.
 * Reading one would quote its text in an error shown on the pull request, or walk the
 * whole disk, so such a path is refused with what to change.
 */

/** Whether `file` lies under `root` (or is it), comparing names only. */
export function isWithin(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return !path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`);
}

/** The path with every symbolic link followed; a path that does not exist is only resolved. */
export function realPath(file: string): string {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * The folder reads of a template stay in: the workspace when the template is in it. A
 * template named outside the workspace (the CLI, on an explicit path) is the user's own
 * choice and is not confined.
 */
export function boundaryFor(templateFile: string, workspace: string | undefined): string | undefined {
  if (workspace === undefined) return undefined;
  return isWithin(path.resolve(workspace), path.resolve(templateFile)) ? path.resolve(workspace) : undefined;
}

/** Why `file` may not be read from inside `boundary`, or null when it may. */
export function escapeReason(file: string, boundary: string | undefined): string | null {
  if (boundary === undefined) return null;
  const target = path.resolve(file);
  if (!isWithin(boundary, target)) return `it is outside the repository (${boundary})`;
  const real = realPath(target);
  if (!isWithin(realPath(boundary), real)) return `it is a symbolic link to ${real}, outside the repository`;
  return null;
}

/** Throws a UserError when `file` leads outside `boundary`; `what` names it ("the linked template"). */
export function confine(file: string, boundary: string | undefined, what: string, at?: InputLocation): void {
  const reason = escapeReason(file, boundary);
  if (reason) {
    throw new UserError(
      `cmk-guard does not read ${what} ${file}: ${reason}; keep the files a template uses inside the repository.`,
      at ?? { file }
    );
  }
}
