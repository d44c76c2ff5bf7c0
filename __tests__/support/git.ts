/** Git for tests that build a repository with a base commit, as a pull request's checkout has. */
import { execFileSync } from 'node:child_process';

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
