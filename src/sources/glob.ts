import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeReason, escapeReasons, realPath } from './boundary.js';
import { LIMIT_VARIABLES, LimitError, limit } from '../model/limits.js';
import { inputToken, UserError } from '../model/errors.js';
import { foldCase } from '../model/foldCase.js';

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

/**
 * One step of a glob compiled for a Pike machine (Thompson's construction): a character (`char`), one
 * character but `/` (`segment`), any one character (`any`), a fork into two places (`split`), a jump
 * (`jump`), or the end of a match (`match`).
 */
interface Split {
  kind: 'split';
  to: number;
  or: number;
}
interface Jump {
  kind: 'jump';
  to: number;
}
type Step = { kind: 'char'; char: string } | { kind: 'segment' | 'any' | 'match' } | Split | Jump;

/** Alternatives nested deeper than this are read as the characters they are (no glob nests so deep). */
const MAX_BRACE_DEPTH = 32;

/** For each `{`, the index of the `}` that closes it (one pass; a `{` never closed and a stray `}` are themselves). */
function bracePairs(pattern: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '{') open.push(i);
    else if (pattern[i] === '}' && open.length) pairs.set(open.pop() as number, i);
  }
  return pairs;
}

/** Steps that repeat `kind` any number of times: `[^/]*` or `.*`. */
function emitRun(steps: Step[], kind: 'segment' | 'any'): void {
  const at = steps.length;
  steps.push({ kind: 'split', to: at + 1, or: at + 3 }, { kind }, { kind: 'jump', to: at });
}

/**
 * The steps of `pattern[start, end)`: `*` is `[^/]*`; `**` is `.*` at the end, `(.*\/)?` as a segment of its own
 * (`**` `/`), and `[^/]*` inside a segment; `?` is `[^/]`; `{a,b}` is either alternative, each read as a
 * pattern of its own (nestable; a `{` never closed is itself); anything else is itself.
 */
function emitGlob(
  pattern: string,
  start: number,
  end: number,
  pairs: Map<number, number>,
  steps: Step[],
  depth: number
): void {
  for (let i = start; i < end; i++) {
    const ch = pattern[i];
    const close = ch === '{' && depth < MAX_BRACE_DEPTH ? pairs.get(i) : undefined;
    if (ch === '*' && i + 1 < end && pattern[i + 1] === '*') {
      const atSegmentStart = i === start || pattern[i - 1] === '/';
      if (atSegmentStart && i + 2 < end && pattern[i + 2] === '/') {
        const skip: Split = { kind: 'split', to: steps.length + 1, or: -1 };
        steps.push(skip);
        emitRun(steps, 'any');
        steps.push({ kind: 'char', char: '/' });
        skip.or = steps.length;
        i += 2;
      } else if (atSegmentStart && i + 2 === end) {
        emitRun(steps, 'any');
        i += 1;
      } else {
        emitRun(steps, 'segment');
        i += 1;
      }
    } else if (ch === '*') {
      emitRun(steps, 'segment');
    } else if (ch === '?') {
      steps.push({ kind: 'segment' });
    } else if (close !== undefined) {
      // The alternatives end at the commas not inside a nested pair.
      const bounds: number[] = [i];
      for (let j = i + 1; j < close; j++) {
        const nested = pattern[j] === '{' ? pairs.get(j) : undefined;
        if (nested !== undefined) j = nested;
        else if (pattern[j] === ',') bounds.push(j);
      }
      bounds.push(close);
      const ends: Jump[] = [];
      for (let n = 0; n + 1 < bounds.length; n++) {
        if (n + 2 === bounds.length) {
          emitGlob(pattern, bounds[n] + 1, bounds[n + 1], pairs, steps, depth + 1);
          break;
        }
        const fork: Split = { kind: 'split', to: steps.length + 1, or: -1 };
        steps.push(fork);
        emitGlob(pattern, bounds[n] + 1, bounds[n + 1], pairs, steps, depth + 1);
        const jump: Jump = { kind: 'jump', to: -1 };
        ends.push(jump);
        steps.push(jump);
        fork.or = steps.length;
      }
      for (const jump of ends) jump.to = steps.length;
      i = close;
    } else {
      steps.push({ kind: 'char', char: ch });
    }
  }
}

const CHAR = 0;
const SEGMENT = 1;
const ANY = 2;
const MATCH = 3;
const SPLIT = 4;
const JUMP = 5;
const SLASH = '/'.charCodeAt(0);

/** The steps as numbers: a kind per step, its character or first place, and its second place. */
interface Machine {
  kind: Uint8Array;
  first: Int32Array;
  second: Int32Array;
  /** Work space kept between runs (a run is synchronous): the position each place was last added at, and so on. */
  seen: Float64Array;
  pending: Int32Array;
  lists: [Int32Array, Int32Array];
  /** Positions already used by earlier runs: `seen` is never cleared. */
  clock: number;
}

function machineOf(steps: Step[]): Machine {
  const kind = new Uint8Array(steps.length);
  const first = new Int32Array(steps.length);
  const second = new Int32Array(steps.length);
  steps.forEach((step, at) => {
    if (step.kind === 'char') [kind[at], first[at]] = [CHAR, step.char.charCodeAt(0)];
    else if (step.kind === 'split') [kind[at], first[at], second[at]] = [SPLIT, step.to, step.or];
    else if (step.kind === 'jump') [kind[at], first[at]] = [JUMP, step.to];
    else kind[at] = step.kind === 'segment' ? SEGMENT : step.kind === 'any' ? ANY : MATCH;
  });
  const seen = new Float64Array(steps.length).fill(-1);
  const lists: [Int32Array, Int32Array] = [new Int32Array(steps.length), new Int32Array(steps.length)];
  return { kind, first, second, seen, pending: new Int32Array(steps.length * 2 + 2), lists, clock: 0 };
}

/**
 * Whether the machine matches the whole text: the set of places the text so far may have reached, one
 * character at a time (each place at most once per position), so the time is text × steps at most.
 */
function runMachine(machine: Machine, text: string): boolean {
  const { kind, first, second, seen, pending } = machine;
  let [current, next] = machine.lists;
  const clock = machine.clock;
  machine.clock += text.length + 1;
  let count = 0;
  let nextCount = 0;
  /** Adds `start` and every place it reaches without reading a character to `next`. */
  const add = (start: number, position: number): void => {
    let top = 0;
    pending[top++] = start;
    while (top) {
      const at = pending[--top];
      if (seen[at] === clock + position) continue;
      seen[at] = clock + position;
      const k = kind[at];
      if (k === SPLIT) {
        pending[top++] = second[at];
        pending[top++] = first[at];
      } else if (k === JUMP) pending[top++] = first[at];
      else next[nextCount++] = at;
    }
  };
  add(0, 0);
  for (let position = 0; position < text.length && nextCount; position++) {
    [current, next] = [next, current];
    count = nextCount;
    nextCount = 0;
    const ch = text.charCodeAt(position);
    for (let n = 0; n < count; n++) {
      const at = current[n];
      const k = kind[at];
      if ((k === CHAR && first[at] === ch) || (k === SEGMENT && ch !== SLASH) || k === ANY) add(at + 1, position + 1);
    }
  }
  for (let n = 0; n < nextCount; n++) if (kind[next[n]] === MATCH) return true;
  return false;
}

/** Matches a whole text against a glob; `test` takes time linear in the text whatever the pattern. */
export interface GlobMatcher {
  test(text: string): boolean;
}

/**
 * A glob as a matcher of the whole text: `**` (any number of folders), `*` (any run of characters but
 * `/`), `?` (one character but `/`) and `{a,b}` (alternatives, nestable). `ignoreCase` for names ARM
 * compares ignoring case; `orBelow` also matches what lies under a match (`/subscriptions/s` matches the ids
 * in it). Globs and the names they are matched against are both written by pull requests, so the match is a
 * Pike machine (every place in the pattern at once, one character of the text at a time): its time grows with
 * text × pattern, never exponentially as a backtracking regular expression's does on `*a*a*a…` or `**` `/**` `/**`.
 */
export function linearGlobMatcher(pattern: string, options: GlobOptions = {}): GlobMatcher {
  const fold = (text: string) => (options.ignoreCase ? foldCase(text) : text);
  const steps: Step[] = [];
  const posix = fold(toPosix(pattern));
  emitGlob(posix, 0, posix.length, bracePairs(posix), steps, 0);
  if (options.orBelow) {
    const fork: Split = { kind: 'split', to: steps.length + 1, or: -1 };
    steps.push(fork, { kind: 'char', char: '/' });
    emitRun(steps, 'any');
    fork.or = steps.length;
  }
  steps.push({ kind: 'match' });
  const machine = machineOf(steps);
  return { test: text => runMachine(machine, fold(text)) };
}

export interface GlobOptions {
  ignoreCase?: boolean;
  orBelow?: boolean;
}

/**
 * The longest glob cmk-guard matches: no path is longer (Linux's PATH_MAX), and the time a match takes grows
 * with the pattern, so a glob of megabytes from cmk-guard.yaml against every file is refused instead.
 */
export const MAX_GLOB_LENGTH = 4096;

/** Texts up to this long may be matched by a regular expression, when the glob's shape keeps it from backtracking far. */
const SHORT_TEXT = 1024;

/**
 * The regular expression of a glob without alternatives whose every segment holds at most one `*` run and
 * which has at most one `**` segment (`**` `/*.json`, `infra/*`, `/subscriptions/*`): such an expression
 * backtracks at most text × folders, which on a text of up to SHORT_TEXT characters is less than a
 * millisecond; it is several times faster than the machine on the paths a repository holds. Other globs: null.
 */
function shortTextRegExp(pattern: string, options: GlobOptions): RegExp | null {
  const segments = pattern.split('/');
  if (pattern.includes('{') || segments.filter(s => s === '**').length > 1) return null;
  if (segments.some(s => s !== '**' && (s.match(/\*+/g) ?? []).length > 1)) return null;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      const atSegmentStart = i === 0 || pattern[i - 1] === '/';
      if (atSegmentStart && pattern[i + 2] === '/') {
        source += '(?:[^/]*(?:/[^/]*)*/)?';
        i += 2;
      } else if (atSegmentStart && i + 2 === pattern.length) {
        source += '.*';
        i += 1;
      } else {
        source += '[^/]*';
        i += 1;
      }
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += /[\\^$.*+?()[\]{}|]/.test(ch) ? '\\' + ch : ch;
  }
  return new RegExp(`^${source}${options.orBelow ? '(?:/.*)?' : ''}$`, options.ignoreCase ? 'i' : '');
}

/**
 * `linearGlobMatcher`, with a regular expression for short texts when the glob's shape cannot make it
 * backtrack far (what most globs are: `**` `/*.json`); the machine for every other glob and every longer text.
 */
export function globMatcher(pattern: string, options: GlobOptions = {}): GlobMatcher {
  const linear = linearGlobMatcher(pattern, options);
  const regExp = shortTextRegExp(toPosix(pattern), options);
  if (!regExp) return linear;
  return { test: text => (text.length <= SHORT_TEXT ? regExp.test(text) : linear.test(text)) };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Every file under `dir`, depth first in name order, skipping node_modules (put in `skippedFolders`) and .git. A symbolic link to a
 * file is listed (the caller refuses one that leads out of the repository). With a `boundary`, a symbolic
 * link to a folder is walked as a folder when it stays inside it, under the link's name (a pipeline that
 * deploys `infra/sub/main.json` deploys what the link leads to), except a loop back to a folder being walked,
 * whose files are listed under their own names; a link to a folder outside is put in `outside` unwalked,
 * for the caller to refuse. Past `CMK_GUARD_MAX_WALKED_ENTRIES` files and folders (links can multiply the
 * paths to one folder) the walk ends in a LimitError at `dir`.
 */
export function walkFiles(
  dir: string,
  boundary?: string,
  outside: string[] = [],
  skippedFolders: string[] = []
): string[] {
  const out: string[] = [];
  const reasons = boundary === undefined ? null : escapeReasons(boundary);
  const most = limit('walkedEntries');
  let walked = 0;
  /** The real paths of the folders being walked, from `dir` down: a link to one of them is a loop. */
  const walking = new Set<string>();
  const visit = (current: string, real: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    walked += entries.length;
    if (walked > most) {
      throw new LimitError(
        `this pattern walks more than ${most} files and folders (symbolic links to folders are walked as folders); name the folders that hold templates, or raise ${LIMIT_VARIABLES.walkedEntries}.`,
        { file: dir }
      );
    }
    walking.add(real);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) visit(full, path.join(real, entry.name));
        // A pull request cannot commit a `.git` folder; it can commit a node_modules folder, which is said.
        else if (entry.name === 'node_modules') skippedFolders.push(full);
      } else if (entry.isFile()) {
        out.push(full);
      } else if (entry.isSymbolicLink()) {
        const target = statOrNull(full);
        if (target?.isFile()) out.push(full);
        else if (target?.isDirectory() && reasons && !SKIPPED_FOLDERS.has(entry.name)) {
          if (reasons(full)) outside.push(full);
          else {
            const realTarget = fs.realpathSync.native(full);
            if (!walking.has(realTarget)) visit(full, realTarget);
          }
        }
      }
    }
    walking.delete(real);
  };
  visit(dir, realPath(dir));
  return out;
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/** A folder outside the boundary, by its name or through a symbolic link. */
function leadsOut(folder: string, boundary: string | undefined): boolean {
  return boundary !== undefined && escapeReason(folder, boundary) !== null;
}

/**
 * A glob of files to check, as the tools that deploy them read names: ignoring case (`main.JSON` is deployed as
 * `main.json` is, and Windows and macOS checkouts name it either way), and a `.json` in the pattern covers `.jsonc`
 * (JSON with comments, which VS Code's ARM tools write and the Azure CLI deploys). A pull request that renames a
 * template so that the workflow's pattern misses it would otherwise take it out of the check.
 */
function templateFileMatcher(pattern: string): GlobMatcher {
  const matcher = globMatcher(pattern, { ignoreCase: true });
  return { test: text => matcher.test(text) || (/\.jsonc$/i.test(text) && matcher.test(text.slice(0, -1))) };
}

/** The folder a pattern's walk starts from: its path before the first glob (all of it when it has none). */
export function patternBase(pattern: string, cwd: string): string {
  const segments = toPosix(pattern).split('/');
  const firstGlob = segments.findIndex(s => hasGlob(s));
  const before = firstGlob < 0 ? segments : segments.slice(0, firstGlob);
  return path.resolve(cwd, before.join('/') || (path.isAbsolute(pattern) ? '/' : '.'));
}

/**
 * The files a pattern names, as absolute paths in a stable order: a glob is matched
 * against paths relative to `cwd` (or absolute, when the pattern is); a folder gives
 * every `.json`, `.jsonc` and `.bicep` file under it; a plain file gives itself. With a boundary, a folder to
 * walk that leads outside it is given back as it is, unwalked, for the caller to refuse. The `.bicep` files a glob
 * walks past without matching are put in `bicepPassed` (a pull request that turns `main.json` into `main.bicep`
 * takes it out of a `**` `/*.json` glob).
 */
export function expandPattern(
  pattern: string,
  cwd: string,
  boundary?: string,
  skippedFolders: string[] = [],
  bicepPassed: string[] = []
): string[] {
  if (pattern.length > MAX_GLOB_LENGTH) {
    throw new UserError(
      `this pattern is ${pattern.length} characters long; the longest cmk-guard matches is ${MAX_GLOB_LENGTH}, as no path is longer.`,
      { file: inputToken(pattern) }
    );
  }
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
    if (stat.isDirectory()) {
      const outside: string[] = [];
      return [
        ...walkFiles(full, boundary, outside, skippedFolders).filter(f => /\.(jsonc?|bicep)$/i.test(f)),
        ...outside
      ];
    }
    return [full];
  }
  // The folders before the first glob are a path like any other (`../infra`, `./x`, absolute); the rest is
  // matched against the paths below that folder.
  const segments = posixPattern.split('/');
  const firstGlob = segments.findIndex(s => hasGlob(s));
  const base = patternBase(pattern, cwd);
  const matcher = templateFileMatcher(segments.slice(firstGlob).join('/'));
  if (leadsOut(base, boundary) && fs.existsSync(base)) return [base];
  const outside: string[] = [];
  const matched = walkFiles(base, boundary, outside, skippedFolders).filter(file => {
    if (matcher.test(toPosix(path.relative(base, file)))) return true;
    if (/\.bicep$/i.test(file)) bicepPassed.push(file);
    return false;
  });
  return [...matched, ...outside];
}
