import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeReason } from './boundary.js';

/**
 * A small glob matcher: `**` (any number of folders), `*` (any run of characters but `/`),
 * `?` (one character but `/`) and `{a,b}` (alternatives, nestable). Paths are compared
 * with forward slashes on every platform.
 */

const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

function isGlobChar(ch: string): boolean {
  return ch === '*' || ch === '?' || ch === '{';
}

export function hasGlob(pattern: string): boolean {
  return [...pattern].some(isGlobChar);
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(ch) ? '\\' + ch : ch;
}

/** The index of the `}` closing the `{` at `open`, or -1. */
function closingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits `a,{b,c},d` at top-level commas. */
function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      const atSegmentStart = i === 0 || pattern[i - 1] === '/';
      if (atSegmentStart && pattern[i + 2] === '/') {
        out += '(?:[^/]*(?:/[^/]*)*/)?';
        i += 2;
      } else if (atSegmentStart && i + 2 === pattern.length) {
        out += '.*';
        i += 1;
      } else {
        out += '[^/]*';
        i += 1;
      }
    } else if (ch === '*') {
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '{') {
      const close = closingBrace(pattern, i);
      if (close < 0) {
        out += '\\{';
        continue;
      }
      out +=
        '(?:' +
        splitAlternatives(pattern.slice(i + 1, close))
          .map(translate)
          .join('|') +
        ')';
      i = close;
    } else {
      out += escapeRegExp(ch);
    }
  }
  return out;
}

/**
 * A glob as a regular expression over the whole text. `ignoreCase` for names ARM compares ignoring
 * case; `orBelow` also matches what lies under a match (`/subscriptions/s` matches the ids in it).
 */
export function globToRegExp(pattern: string, options: { ignoreCase?: boolean; orBelow?: boolean } = {}): RegExp {
  return new RegExp(
    '^' + translate(toPosix(pattern)) + (options.orBelow ? '(?:/.*)?$' : '$'),
    options.ignoreCase ? 'i' : ''
  );
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Every file under `dir`, depth first in name order, skipping node_modules and .git. A symbolic
 * link to a file is listed (the caller refuses one that leads out of the repository); a link to
 * a folder is not walked, so a link to `/` or a loop costs nothing.
 */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (current: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) visit(full);
      } else if (entry.isFile() || (entry.isSymbolicLink() && isFileBehindLink(full))) {
        out.push(full);
      }
    }
  };
  visit(dir);
  return out;
}

function isFileBehindLink(link: string): boolean {
  try {
    return fs.statSync(link).isFile();
  } catch {
    return false;
  }
}

/** A folder outside the boundary, by its name or through a symbolic link. */
function leadsOut(folder: string, boundary: string | undefined): boolean {
  return boundary !== undefined && escapeReason(folder, boundary) !== null;
}

/**
 * The files a pattern names, as absolute paths in a stable order: a glob is matched
 * against paths relative to `cwd` (or absolute, when the pattern is); a folder gives
 * every `.json` and `.bicep` file under it; a plain file gives itself. With a boundary, a folder to
 * walk that leads outside it is given back as it is, unwalked, for the caller to refuse.
 */
export function expandPattern(pattern: string, cwd: string, boundary?: string): string[] {
  const posixPattern = toPosix(pattern);
  if (!hasGlob(posixPattern)) {
    const full = path.resolve(cwd, pattern);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      return [];
    }
    // A folder that leads out of the boundary (a link to `/`) is not walked; the caller refuses it by name.
    if (stat.isDirectory() && leadsOut(full, boundary)) return [full];
    if (stat.isDirectory()) return walkFiles(full).filter(f => /\.(json|bicep)$/i.test(f));
    return [full];
  }
  // The folders before the first glob are a path like any other (`../infra`, `./x`, absolute); the rest is
  // matched against the paths below that folder.
  const segments = posixPattern.split('/');
  const firstGlob = segments.findIndex(s => hasGlob(s));
  const base = path.resolve(cwd, segments.slice(0, firstGlob).join('/') || (path.isAbsolute(pattern) ? '/' : '.'));
  const regex = globToRegExp(segments.slice(firstGlob).join('/'));
  if (leadsOut(base, boundary) && fs.existsSync(base)) return [base];
  return walkFiles(base).filter(file => regex.test(toPosix(path.relative(base, file))));
}
