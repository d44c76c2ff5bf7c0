import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputLocation } from '../model/errors.js';
import { UserError } from '../model/errors.js';

/**
 * The repository is the boundary of what cmk-guard reads. Every input file — a template, a
 * parameter file, a linked template (`relativePath`), a rule or definition folder, a snapshot, a
 * base template — resolves, after symbolic links are followed, inside the repository root: the
 * workspace in the action, the current folder or `--root` on the command line. Anything else
 * (an absolute path, `../` climbing out, a symbolic link to `/proc/self/environ` or the runner's
 * credentials) is refused with the file and line that named it, before the target is opened, so
 * its text can never reach a message shown on a pull request.
 *
 * The API is three functions: `escapeReason` says why a path may not be read (`escapeReasons` for many), `confine` throws
 * that as a UserError at the referring location, and `resolveInside` resolves a path written
 * in a file (relative to that file's folder) and confines it.
 */

/** Whether `file` lies under `root` (or is it), comparing names only. */
export function isWithin(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return !path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`);
}

/**
 * The path with every symbolic link followed. For a path that does not exist, its deepest
 * existing folder is resolved and the rest appended, so a missing file under a folder that
 * links out is still seen to lead out.
 */
export function realPath(file: string): string {
  const absolute = path.resolve(file);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** Why `file` may not be read from inside the repository `root`, or null when it may. */
export function escapeReason(file: string, root: string): string | null {
  return escapeReasons(root)(file);
}

/**
 * `escapeReason` for the files of one repository `root`, whose real path is found once (a scan
 * asks about every file it reads, twice).
 */
export function escapeReasons(root: string): (file: string) => string | null {
  const boundary = path.resolve(root);
  let realBoundary: string | undefined;
  return file => {
    const target = path.resolve(file);
    if (!isWithin(boundary, target)) return `it is outside the repository (${boundary})`;
    // The link's target is not named: it may be a file of the runner's that the pull request should not learn about.
    const real = realPath(target);
    if (!isWithin((realBoundary ??= realPath(boundary)), real))
      return 'it leads outside the repository through a symbolic link';
    // Inside the repository but not of it: a checkout keeps its credentials there (actions/checkout writes its token
    // into .git/config), and no template, parameter file or rule lives there.
    if (inGitFolder(path.relative(boundary, target)) || inGitFolder(path.relative(realBoundary, real)))
      return "it is inside the repository's .git folder, where a checkout keeps its credentials";
    return null;
  };
}

function inGitFolder(relative: string): boolean {
  return relative.split(path.sep).some(part => part.toLowerCase() === '.git');
}

/**
 * Throws a UserError when `file` leads outside `root`. `what` names the file ("the linked
 * template"); `at` is where it was named (the referring file and line), else the file itself.
 */
export function confine(file: string, root: string, what: string, at?: InputLocation): string {
  const reason = escapeReason(file, root);
  if (reason) {
    throw new UserError(
      `cmk-guard does not read ${what} ${file}: ${reason}; keep the files it reads inside the repository.`,
      at ?? { file }
    );
  }
  return path.resolve(file);
}

/**
 * The refusal of a link by URI (`uri(deployment().properties.templateLink.uri, '../../x.json')`) that climbs above
 * the folder the repository is published as, or starts at the host's root: what ARM would fetch there is not a file
 * of the repository, and URI arithmetic, which stops at the host's root, would otherwise name one that is not what
 * ARM deploys. `shown` is the URI's path relative to the linking template's folder; `at` is where the link is written.
 */
export function aboveRepository(what: string, shown: string, at?: InputLocation): UserError {
  return new UserError(
    `cmk-guard does not read ${what} the link names (${shown} from this template): it climbs above the repository, so ARM would fetch a file that is not in it from where the templates are published, and cmk-guard never reads outside the repository. Link a file inside the repository.`,
    at
  );
}

/**
 * A path written in `referrer` (relative to its folder, or absolute), resolved and confined to
 * `root`; the error is placed at `at`, where the path is written.
 */
export function resolveInside(
  referrer: string,
  written: string,
  root: string,
  what: string,
  at: InputLocation
): string {
  return confine(path.resolve(path.dirname(referrer), written), root, what, at);
}
