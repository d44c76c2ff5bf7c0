/**
 * The owner id cmk-guard writes into everything it publishes (`metadata.cmkGuard.owner`), as
 * EPAC's `pacOwnerId` does: by default the repository the rules come from, so two repositories
 * publishing to one scope never change each other's definitions.
 */
import { execFileSync } from 'node:child_process';
import { UserError } from '../model/errors.js';
import { foldCase } from '../model/foldCase.js';

const MAX_OWNER = 256;

export function checkOwner(owner: string, what = '--owner'): string {
  const trimmed = owner.trim();
  // eslint-disable-next-line no-control-regex
  if (!trimmed || trimmed.length > MAX_OWNER || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new UserError(`${what} must be 1 to ${MAX_OWNER} printable characters, such as github.com/contoso/policies.`);
  }
  return trimmed;
}

/** `https://user:token@github.com/o/r.git`, `git@github.com:o/r.git` → `github.com/o/r`. */
export function ownerFromRemote(remote: string): string | undefined {
  const text = remote.trim();
  const scp = /^[^@/]+@([^:/]+):(.+)$/.exec(text);
  let host: string;
  let repoPath: string;
  if (scp) {
    host = scp[1];
    repoPath = scp[2];
  } else {
    try {
      const url = new URL(text);
      host = url.hostname;
      repoPath = url.pathname;
    } catch {
      return undefined;
    }
  }
  const cleaned = repoPath
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  return host && cleaned ? `${foldCase(host)}/${cleaned}` : undefined;
}

/** The owner id: `--owner`, else the GitHub repository of the run, else the git remote `origin`. */
export function resolveOwner(given: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (given !== undefined && given.trim() !== '') return checkOwner(given);
  if (env.GITHUB_REPOSITORY) {
    let host = 'github.com';
    try {
      host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname;
    } catch {
      // keep github.com
    }
    return checkOwner(`${host}/${env.GITHUB_REPOSITORY}`, 'the owner derived from GITHUB_REPOSITORY');
  }
  let remote = '';
  try {
    remote = execFileSync('git', ['config', '--get', 'remote.origin.url'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000
    });
  } catch {
    // not a git repository, or no remote
  }
  const derived = ownerFromRemote(remote);
  if (!derived) {
    throw new UserError(
      'cmk-guard cannot tell whose definitions these are: there is no GITHUB_REPOSITORY and no git remote `origin`; give --owner ID (the same every time you publish this pack).'
    );
  }
  return checkOwner(derived, 'the owner derived from the git remote');
}
