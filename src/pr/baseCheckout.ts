/**
 * The PR's base, read from git without touching the working tree: the files under the
 * folders that hold the head's templates are written, as they were at the base commit, into a
 * temporary folder with the same layout, so templates, parameter files and linked templates
 * (`relativePath`) expand there exactly as in the head. git runs with an argument list, never
 * through a shell, and the ref is checked before use.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../model/errors.js';

export interface BaseCheckout {
  /** The folder that mirrors the repository at the base commit. */
  root: string;
  /** The repository's top folder in the working tree. */
  repository: string;
  files: number;
  dispose(): void;
}

const SAFE_REF = /^[A-Za-z0-9_][A-Za-z0-9._/@{}~^-]*$/;

function git(args: string[], cwd: string, input?: string): Buffer {
  return execFileSync('git', args, { cwd, input, maxBuffer: 512 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function readBaseCheckout(ref: string, folders: string[], cwd: string): BaseCheckout {
  if (!SAFE_REF.test(ref) || ref.includes('..')) {
    throw new UserError(`the base '${ref}' is not a git revision cmk-guard accepts (a branch, tag or commit).`);
  }
  let repository: string;
  try {
    repository = git(['rev-parse', '--show-toplevel'], cwd).toString().trim();
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  } catch {
    throw new UserError(
      `cannot read the base '${ref}' from git in ${cwd}: is it a git checkout with that commit fetched (actions/checkout with fetch-depth: 0)?`
    );
  }
  const relativeFolders = [...new Set(folders.map(f => path.relative(repository, path.resolve(cwd, f)) || '.'))];
  const listing = git(['ls-tree', '-r', '-z', '--name-only', ref, '--', ...relativeFolders], repository)
    .toString()
    .split('\0')
    // `cat-file --batch` reads one name per line, so a name with a line break cannot be asked
    // for (and could ask for another object); a name that climbs out of the tree is not written.
    .filter(
      name => /\.(json|jsonc|bicep|bicepparam)$/i.test(name) && !/[\r\n]/.test(name) && !name.split('/').includes('..')
    );
  const root = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-base-'));
  const dispose = () => rmSync(root, { recursive: true, force: true });
  try {
    if (listing.length) {
      // One git process for every file: `cat-file --batch` answers "<sha> blob <size>\n<bytes>\n" per line asked.
      const output = git(['cat-file', '--batch'], repository, listing.map(name => `${ref}:${name}\n`).join(''));
      let offset = 0;
      for (const name of listing) {
        const headerEnd = output.indexOf(0x0a, offset);
        const header = output.subarray(offset, headerEnd).toString();
        const size = Number(header.split(' ')[2]);
        if (!header.includes(' blob ') || !Number.isFinite(size))
          throw new Error(`git cat-file answered '${header}' for ${name}`);
        const body = output.subarray(headerEnd + 1, headerEnd + 1 + size);
        offset = headerEnd + 1 + size + 1;
        const target = path.join(root, name);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, body);
      }
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return { root, repository, files: listing.length, dispose };
}

/** A path in the working tree, as it stands in the base checkout. */
export function inBaseCheckout(checkout: BaseCheckout, file: string, cwd: string): string {
  return path.join(checkout.root, path.relative(checkout.repository, path.resolve(cwd, file)));
}
