/** Git for tests that build a repository with a base commit, as a pull request's checkout has. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Runs git in `cwd` and gives its standard output, trimmed. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
}

/** Makes `dir` a repository on branch main with a committer, so that commits need nothing of the machine's settings. */
export function initRepository(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
}

/** Writes `files` (path to text) into the repository `dir`, removes `removed`, and commits all; the commit's hash. */
export function commitFiles(
  dir: string,
  message: string,
  files: Record<string, string>,
  removed: string[] = []
): string {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  for (const file of removed) git(dir, 'rm', '-q', file);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}
