/**
 * Choosing what runs: rules and definitions named (or matched by a glob) with `rules`, left out with
 * `skipRules`, and those below `minSeverity` not run. A pattern that matches nothing is an error: a
 * misspelt name must not quietly run everything, or skip nothing.
 */
import { wildcardMatches } from '../model/wildcard.js';
import { UserError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import { severityRank } from '../model/finding.js';
import { foldCase } from '../model/foldCase.js';

export const severities = ['error', 'warning', 'note'] as const;

export interface RuleSelection {
  /** Names or globs (`*`, `?`) of the rules and definitions to run; empty or absent runs them all. */
  rules?: string[];
  /** Names or globs of rules and definitions not to run. */
  skipRules?: string[];
  /** Rules below this severity are not run, and findings below it are not reported. */
  minSeverity?: Severity;
  /** How the user spelt each setting, for messages: `--rules`, "the `rules` input". */
  spelling?: Partial<Record<'rules' | 'skipRules' | 'minSeverity', string>>;
}

/** One candidate: a rule's or definition's name and, when known before evaluation, its severity. */
export interface Selectable {
  name: string;
  severity?: Severity;
}

const defaultSpelling = { rules: '--rules', skipRules: '--skip-rules', minSeverity: '--min-severity' };

/** `a, b` or `a` per entry: a list may come one per line, repeated, or comma-separated. */
export function splitNames(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap(value => value.split(','))
    .map(value => value.trim())
    .filter(Boolean);
}

/**
 * A name glob: `*` any run of characters, `?` one; the rest literal; case-insensitive, as Azure names are.
 * Matched without backtracking (a regular expression takes time to the power of the stars on a long name, and a
 * pull request can add a definition with any name).
 */
export function namePattern(pattern: string): { test(name: string): boolean } {
  const lower = foldCase(pattern);
  return { test: name => wildcardMatches(foldCase(name), lower, '?') };
}

export interface SelectionResult<T> {
  selected: T[];
  /** Names left out, and why, for the report. */
  leftOut: { names: string[]; reason: string }[];
}

/** Whether a selection chooses anything at all (no patterns, no threshold: everything runs). */
export function selectsAll(selection: RuleSelection | undefined): boolean {
  return !splitNames(selection?.rules).length && !splitNames(selection?.skipRules).length && !selection?.minSeverity;
}

/**
 * Applies the selection to every candidate at once (rules and definitions together, so a pattern
 * may name either). Throws a UserError for a pattern that matches no candidate, and when nothing is
 * left to run.
 */
export function applySelection<T extends Selectable>(
  candidates: T[],
  selection: RuleSelection | undefined
): SelectionResult<T> {
  const spelling = { ...defaultSpelling, ...selection?.spelling };
  const include = splitNames(selection?.rules).map(p => ({ pattern: p, regex: namePattern(p), used: false }));
  const exclude = splitNames(selection?.skipRules).map(p => ({ pattern: p, regex: namePattern(p), used: false }));
  const min = selection?.minSeverity;
  const notNamed: string[] = [];
  const skipped: string[] = [];
  const below: string[] = [];
  const selected: T[] = [];
  for (const candidate of candidates) {
    const included = include.filter(p => p.regex.test(candidate.name));
    included.forEach(p => (p.used = true));
    const excluded = exclude.filter(p => p.regex.test(candidate.name));
    excluded.forEach(p => (p.used = true));
    if (include.length && !included.length) notNamed.push(candidate.name);
    else if (excluded.length) skipped.push(candidate.name);
    else if (min && candidate.severity && severityRank[candidate.severity] < severityRank[min])
      below.push(candidate.name);
    else selected.push(candidate);
  }
  const unused = [
    ...include.filter(p => !p.used).map(p => ({ ...p, option: spelling.rules })),
    ...exclude.filter(p => !p.used).map(p => ({ ...p, option: spelling.skipRules }))
  ];
  if (unused.length) {
    const { pattern, option } = unused[0];
    const more =
      unused.length > 1
        ? ` (and ${unused
            .slice(1)
            .map(u => `'${u.pattern}'`)
            .join(', ')})`
        : '';
    throw new UserError(
      `${option} '${pattern}'${more} matches no rule or definition; run 'cmk-guard rules' for the names, or fix the pattern.`
    );
  }
  if (candidates.length && !selected.length) {
    const why = below.length
      ? `${spelling.minSeverity} ${min} leaves no rule to run`
      : `${include.length ? spelling.rules : spelling.skipRules} leaves no rule or definition to run`;
    throw new UserError(`${why}; choose at least one rule (run 'cmk-guard rules' for the list).`);
  }
  const leftOut: SelectionResult<T>['leftOut'] = [];
  if (notNamed.length) leftOut.push({ names: notNamed, reason: `not named by ${spelling.rules}` });
  if (skipped.length) leftOut.push({ names: skipped, reason: `left out by ${spelling.skipRules}` });
  if (below.length) leftOut.push({ names: below, reason: `below ${spelling.minSeverity} ${min}` });
  return { selected, leftOut };
}

/** Whether a finding of this severity is reported under the selection's threshold. */
export function atOrAboveMinimum(severity: Severity, selection: RuleSelection | undefined): boolean {
  return !selection?.minSeverity || severityRank[severity] >= severityRank[selection.minSeverity];
}
