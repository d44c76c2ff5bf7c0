import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds cmk-guard's own package.json: the repository in development,
 * the action's checkout when run by a runner (dist/index.js), the package when installed
 * (dist/cli/index.js). The bundled pack and examples are found from here, so
 * `uses: owner/cmk-guard@v1` works without the pack in the user's repository.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cmk-guard') return dir;
      } catch {
        // a broken package.json above us is not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cmk-guard could not find its own package.json above its script.');
    dir = parent;
  }
}

export function bundledPolicies(): string {
  return path.join(packageRoot(), 'policies');
}

export function bundledExamples(): string {
  return path.join(packageRoot(), 'examples');
}

/** Whether `file` (absolute, or relative to `workspace`) is the workspace or lies under it, by its name. */
export function isInsideWorkspace(file: string, workspace: string): boolean {
  const relative = path.relative(path.resolve(workspace), path.resolve(workspace, file));
  return !path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`);
}

/**
 * A path as reports show it: relative to the workspace, with forward slashes; a path
 * outside the workspace stays absolute (`..foo.json` is inside, `../foo.json` is not).
 */
export function displayPath(file: string, workspace: string): string {
  const absolute = path.resolve(workspace, file);
  const shown = isInsideWorkspace(absolute, workspace) ? path.relative(path.resolve(workspace), absolute) : absolute;
  return shown.split(path.sep).join('/');
}

/**
 * The folder rule paths are recorded relative to (`metadata.cmkGuard.source`): the repository
 * holding `policies` (the nearest folder above it with `.git`, a folder or a worktree's file),
 * else the folder above `policies` (for the bundled pack as installed, cmk-guard's own folder).
 * Never the working folder: `compile --check` gives the same answer, and `compile --scope` and
 * `deploy` write the same bodies, wherever they run.
 */
export function sourceRoot(policies: string): string {
  for (let dir = path.resolve(policies); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(path.resolve(policies));
  }
}
