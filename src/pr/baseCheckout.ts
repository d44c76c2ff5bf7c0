/**
 * The PR's base, read from git without touching the working tree: the files under the
 * folders that hold the head's templates are written, as they were at the base commit, into a
 * temporary folder with the same layout, so templates, parameter files and linked templates
 * (`relativePath`) expand there exactly as in the head. git runs with an argument list, never
 * through a shell, and the ref is checked before use.
 */
import { nodeChildProcess } from '../model/builtins.js';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  return nodeChildProcess().execFileSync('git', args, {
    cwd,
    input,
    // Paths are the repository's file names, never pathspecs: a folder a pull request names `:(exclude)x` or
    // `:!x` is that folder, not magic git refuses (an internal error) or reads as something else.
    env: { ...process.env, GIT_LITERAL_PATHSPECS: '1' },
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe']
  });
}

/** The repository's top folder, once the ref is known to be safe to pass to git and to name a commit. */
function openBase(ref: string, cwd: string): string {
  if (!SAFE_REF.test(ref) || ref.includes('..')) {
    throw new UserError(`the base '${ref}' is not a git revision cmk-guard accepts (a branch, tag or commit).`);
  }
  try {
    const repository = git(['rev-parse', '--show-toplevel'], cwd).toString().trim();
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
    return repository;
  } catch {
    throw new UserError(
      `cannot read the base '${ref}' from git in ${cwd}: is it a git checkout with that commit fetched (actions/checkout with fetch-depth: 0)?`
    );
  }
}

/**
 * The files at `ref`, by repository path, in one git process: `cat-file --batch` answers
 * "<sha> blob <size>\n<bytes>\n" per line asked, or "<name> missing\n". Null for a file the commit
 * does not have. Names with a line break cannot be asked for (they could ask for another object).
 */
function catFiles(repository: string, ref: string, names: string[], followLinks = false): (Buffer | null)[] {
  if (!names.length) return [];
  // With --follow-symlinks, git answers for a path through links inside the tree with what they lead to, and
  // "<kind> <size>\n<what>\n" (symlink, dangling, loop, notdir) for a link it cannot follow within the tree.
  const output = git(
    ['cat-file', '--batch', ...(followLinks ? ['--follow-symlinks'] : [])],
    repository,
    names.map(name => `${ref}:${name}\n`).join('')
  );
  const bodies: (Buffer | null)[] = [];
  let offset = 0;
  for (const name of names) {
    const headerEnd = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, headerEnd).toString();
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
      bodies.push(null);
      offset = headerEnd + 1;
      continue;
    }
    const parts = header.split(' ');
    const size = Number(parts.at(-1));
    if (!Number.isSafeInteger(size) || size < 0 || (parts.length !== 3 && !(followLinks && parts.length === 2)))
      throw new Error(`git cat-file answered '${header}' for ${name}`);
    // A blob is a file's bytes; a tree (a link to a folder) or a link git could not follow is no file.
    bodies.push(
      parts.length === 3 && parts[1] === 'blob' ? output.subarray(headerEnd + 1, headerEnd + 1 + size) : null
    );
    offset = headerEnd + 1 + size + 1;
  }
  return bodies;
}

/**
 * Files (relative to `cwd`) as they were at the commit `ref`: their text, or null where the commit did
 * not have the file (or it is not a file name git can be asked for). Throws a UserError when the commit
 * cannot be read.
 */
export function readFilesAtCommit(ref: string, files: string[], cwd: string): Map<string, string | null> {
  const repository = openBase(ref, cwd);
  const names = files.map(file => path.relative(repository, path.resolve(cwd, file)).split(path.sep).join('/'));
  const askable = names.map(name => !/[\r\n]/.test(name) && !name.startsWith('../') && name !== '..');
  // A file that is a link at the base is read as git reads what it leads to, inside the tree (the working tree's
  // is read through its link too); one that leads out of the tree is not read.
  const bodies = catFiles(
    repository,
    ref,
    names.filter((_, i) => askable[i]),
    true
  );
  const texts = new Map<string, string | null>();
  let next = 0;
  files.forEach((file, i) => {
    const body = askable[i] ? bodies[next++] : null;
    texts.set(file, body === null ? null : body.toString('utf8'));
  });
  return texts;
}

/** Links the base checkout follows at most (each a git call's worth of listing): far above any repository's. */
const MAX_BASE_LINKS = 1_000;

export function readBaseCheckout(ref: string, folders: string[], cwd: string): BaseCheckout {
  const repository = openBase(ref, cwd);
  const relativeFolders = [...new Set(folders.map(f => path.relative(repository, path.resolve(cwd, f)) || '.'))];
  // `cat-file --batch` reads one name per line, so a name with a line break cannot be asked for (and could ask
  // for another object); a name that climbs out of the tree is not written.
  const safe = (name: string) => !/[\r\n]/.test(name) && !name.split('/').includes('..');
  const files: string[] = [];
  const links: { name: string; target: string }[] = [];
  // The working tree's templates are read through symbolic links that stay inside the repository, so the
  // base's are too: each link is made again in the checkout, and what it leads to is listed as well.
  const listed = new Set(relativeFolders);
  let pending = relativeFolders;
  while (pending.length) {
    const found = listTree(repository, ref, pending);
    pending = [];
    files.push(...found.files.filter(name => /\.(json|jsonc|bicep|bicepparam)$/i.test(name) && safe(name)));
    const linkNames = found.links.filter(safe);
    catFiles(repository, ref, linkNames).forEach((body, i) => {
      const target = body?.toString('utf8') ?? '';
      const name = linkNames[i];
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(name), target));
      // A link that leads out of the repository is not made: the working tree's is refused by name.
      if (target === '' || path.posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) return;
      links.push({ name, target });
      if (!listed.has(resolved) && listed.size < MAX_BASE_LINKS) {
        listed.add(resolved);
        pending.push(resolved);
      }
    });
  }
  const listing = [...new Set(files)];
  const root = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-base-'));
  const dispose = () => rmSync(root, { recursive: true, force: true });
  try {
    const bodies = catFiles(repository, ref, listing);
    listing.forEach((name, i) => {
      const target = path.join(root, name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, bodies[i] ?? '');
    });
    for (const { name, target } of links) {
      const at = path.join(root, name);
      mkdirSync(path.dirname(at), { recursive: true });
      if (!existsSync(at)) symlinkSync(target, at);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return { root, repository, files: listing.length, dispose };
}

/** The blobs under the paths at `ref` (recursively), split into regular files and symbolic links. */
function listTree(repository: string, ref: string, paths: string[]): { files: string[]; links: string[] } {
  const files: string[] = [];
  const links: string[] = [];
  // "<mode> <type> <object>\t<path>\0" for each blob.
  for (const line of git(['ls-tree', '-r', '-z', ref, '--', ...paths], repository)
    .toString()
    .split('\0')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type] = line.slice(0, tab).split(' ');
    const name = line.slice(tab + 1);
    if (type !== 'blob') continue;
    if (mode === '120000') links.push(name);
    else files.push(name);
  }
  return { files, links };
}

/** A path in the working tree, as it stands in the base checkout. */
export function inBaseCheckout(checkout: BaseCheckout, file: string, cwd: string): string {
  return path.join(checkout.root, path.relative(checkout.repository, path.resolve(cwd, file)));
}

/**
 * The files directly in `folder` whose names `wanted` accepts, as they were at the commit `ref`: their
 * names (in the folder), with their texts (a symbolic link's, what it leads to inside the tree). Throws a UserError when the commit cannot be read; an empty map when the
 * folder is not in it.
 */
export function readFolderAtCommit(
  ref: string,
  folder: string,
  cwd: string,
  wanted: (name: string) => boolean
): Map<string, string> {
  const texts = new Map<string, string>();
  const direct = (inside: string) => inside !== '' && !inside.includes('/') && wanted(inside);
  for (const [file, text] of readTreeAtCommit(ref, folder, cwd, direct)) texts.set(path.basename(file), text);
  return texts;
}

/**
 * The files at or under `target` (a file or a folder, at any depth) whose repository paths `wanted`
 * accepts, as they were at the commit `ref`: their paths (resolved from `cwd`, as the working tree has them), with
 * their texts (a symbolic link's, what it leads to inside the tree; none for one that leads out). Throws a UserError when the commit cannot be read;
 * an empty map when the commit has nothing there.
 */
export function readTreeAtCommit(
  ref: string,
  target: string,
  cwd: string,
  wanted: (relative: string) => boolean
): Map<string, string> {
  const repository = openBase(ref, cwd);
  const full = path.resolve(cwd, target);
  const relative = path.relative(repository, full).split(path.sep).join('/');
  const texts = new Map<string, string>();
  if (relative.startsWith('../') || relative === '..') return texts;
  // A link at the base is read as what it leads to inside the tree, as the working tree's is read through it.
  const listed = listTree(repository, ref, [relative === '' ? '.' : relative]);
  const listing = [...listed.files, ...listed.links].flatMap(name => {
    const inside = relative === '' ? name : name === relative ? '' : name.slice(relative.length + 1);
    const under = relative === '' || name === relative || name.startsWith(`${relative}/`);
    return under && wanted(inside) && !/[\r\n]/.test(name) ? [{ name, inside }] : [];
  });
  const bodies = catFiles(
    repository,
    ref,
    listing.map(entry => entry.name),
    true
  );
  listing.forEach(({ inside }, i) => {
    const body = bodies[i];
    if (body !== null) texts.set(inside === '' ? full : path.join(full, ...inside.split('/')), body.toString('utf8'));
  });
  return texts;
}
