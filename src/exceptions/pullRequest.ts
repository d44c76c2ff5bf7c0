/**
 * What a change adds to what the gate accepts. The configuration file, the templates and the baseline
 * come from the pull request's own checkout, so a pull request can accept its own findings; it cannot
 * do so unseen. Compared with the same files at the base commit, an exception whose entry the base
 * does not hold is marked `new` (added or changed by this change), and the baseline's entries beyond
 * the base's are counted; every report shows both.
 */
import type { Json } from '../model/value.js';
import { isObject } from '../model/value.js';
import { parseJsonWithPositions } from '../sources/json.js';
import type { Baseline } from './baseline.js';
import { baselineFingerprints } from './baseline.js';
import { canonicalJson, declaredKey, type Exception } from './model.js';
import { INLINE_KEY } from './inline.js';
import { parseJson } from '../model/jsonText.js';
import { tooling } from '../model/tooling.js';
import { foldCase } from '../model/foldCase.js';

/**
 * The text of a file at the base commit: a string, `null` when the file did not exist there, or
 * `undefined` when it could not be read (the exception's novelty is then unknown and left unmarked).
 */
export type BaseText = (file: string) => string | null | undefined;

/**
 * Sets `new` on each exception: true when the base's version of its file lacks the same entry, or (inline)
 * holds it on some resource declaration (its `type` and `name` as written) fewer times than the file does now
 * (`head`): an entry copied onto another resource accepts that resource's findings too, and so does one moved
 * there from a resource the change fixed or removed, so every copy of it is marked.
 */
export function markNewExceptions(
  exceptions: Exception[],
  base: BaseText,
  head?: BaseText,
  baseCoverage?: InlineCoverage
): void {
  const entries = new Map<string, Map<string, number> | null | undefined>();
  const now = new Map<string, Map<string, number> | null | undefined>();
  for (const exception of exceptions) {
    const file = exception.source.file;
    if (!entries.has(file)) entries.set(file, entriesIn(base(file), exception.kind));
    const known = entries.get(file);
    if (known === undefined) continue;
    if (known === null || !known.has(exception.entryText)) {
      exception.new = true;
      continue;
    }
    if (exception.kind === 'external') {
      exception.new = false;
      continue;
    }
    if (baseCoverage !== undefined) {
      // The base's templates expanded: new when it covers a resource the same entry did not cover there.
      const covered = baseCoverage.get(exception.entryText);
      exception.new = exception.declared.some(resource => !covered?.has(declaredKey(resource)));
      continue;
    }
    if (head === undefined) {
      exception.new = false;
      continue;
    }
    if (!now.has(file)) now.set(file, entriesIn(head(file), exception.kind));
    const held = now.get(file);
    exception.new = held ? onMoreDeclarations(exception.entryText, held, known) : false;
  }
}

/** For each inline entry (canonically), the resources (`declaredKey`) it covered: what the base's templates accepted. */
export type InlineCoverage = Map<string, Set<string>>;

/** The coverage of these inline exceptions, read from expanded templates (the base's). */
export function inlineCoverage(exceptions: readonly Exception[]): InlineCoverage {
  const coverage: InlineCoverage = new Map();
  for (const exception of exceptions) {
    if (exception.kind !== 'inSource') continue;
    let covered = coverage.get(exception.entryText);
    if (!covered) coverage.set(exception.entryText, (covered = new Set()));
    for (const resource of exception.declared) covered.add(declaredKey(resource));
  }
  return coverage;
}

/** Whether the file now holds the entry on some declaration more times than the base did. */
function onMoreDeclarations(entryText: string, now: Map<string, number>, base: Map<string, number>): boolean {
  const prefix = `${entryText}${DECLARATION}`;
  for (const [key, count] of now) if (key.startsWith(prefix) && count > (base.get(key) ?? 0)) return true;
  return false;
}

/** Separates an inline entry from the declaration it sits on, in the keys `inlineEntries` counts. */
const DECLARATION = '\u0000';

/** How many times a file holds each canonical entry; null when it did not exist (or could not be parsed: all are new). */
function entriesIn(text: string | null | undefined, kind: Exception['kind']): Map<string, number> | null | undefined {
  if (text === undefined) return undefined;
  if (text === null) return null;
  try {
    return kind === 'external' ? configEntries(text) : inlineEntries(text);
  } catch {
    return null;
  }
}

function counted(entries: Json[], declarations?: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  entries.forEach((entry, i) => {
    const text = canonicalJson(entry);
    add(text);
    if (declarations) add(`${text}${DECLARATION}${declarations[i]}`);
  });
  return counts;
}

function configEntries(text: string): Map<string, number> {
  const value = tooling.get().loadYaml(text.replace(/^\uFEFF/, '')) as { exceptions?: unknown } | null;
  const list = value && typeof value === 'object' && Array.isArray(value.exceptions) ? value.exceptions : [];
  return counted(list as Json[]);
}

/**
 * Every inline entry anywhere in a template: under any object's `metadata.cmkGuard.exceptions`, counted alone and
 * with the `type` and `name` of the object that holds it (the resource declaration), as written.
 */
function inlineEntries(text: string): Map<string, number> {
  const found: Json[] = [];
  const declarations: string[] = [];
  const written = (node: { [key: string]: Json }, name: string) =>
    canonicalJson(Object.entries(node).find(([k]) => foldCase(k) === name)?.[1] ?? null);
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (foldCase(key) === 'metadata' && isObject(value)) {
        const guard = Object.entries(value).find(([k]) => foldCase(k) === foldCase(INLINE_KEY))?.[1];
        if (isObject(guard) && Array.isArray(guard.exceptions)) {
          const declaration = foldCase(`${written(node, 'type')} ${written(node, 'name')}`);
          for (const entry of guard.exceptions) {
            found.push(entry);
            declarations.push(declaration);
          }
        }
      }
      visit(value);
    }
  };
  visit(parseJsonWithPositions(text.replace(/^\uFEFF/, ''), '(base)').value as Json);
  return counted(found, declarations);
}

/** How many of the baseline's entries the base's version of the file did not hold. */
export function baselineChange(baseline: Baseline, base: BaseText): { changed: boolean; added: number } | undefined {
  const text = base(baseline.file);
  if (text === undefined) return undefined;
  let before: Pick<Baseline, 'fingerprints' | 'places'> = { fingerprints: new Map() };
  if (text !== null) {
    try {
      before = baselineFingerprints(parseJson(text.replace(/^\uFEFF/, '')), baseline.file, baseline.placement);
    } catch {
      before = { fingerprints: new Map() };
    }
  }
  let added = 0;
  if (baseline.places) {
    // By where each entry's resource is, too: an entry moved to another resource group, or stripped of its id so
    // that it accepts its finding anywhere, accepts what the base's did not.
    for (const [print, at] of baseline.places)
      for (const [place, count] of at) added += Math.max(0, count - (before.places?.get(print)?.get(place) ?? 0));
  } else {
    for (const [print, count] of baseline.fingerprints)
      added += Math.max(0, count - (before.fingerprints.get(print) ?? 0));
  }
  const changed = text === null || baseline.text !== text;
  return { changed, added };
}
