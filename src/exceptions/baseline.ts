/**
 * The baseline: the findings of an earlier run that a team accepts while it adopts the gate. A finding
 * of this run whose fingerprint (the same one SARIF carries: rule, resource type and name, file; not
 * the line) the baseline holds is marked `baselined` and does not fail the run; a new one does. Each
 * baseline entry accepts one finding, so a second finding with the same fingerprint is new.
 */
import { UserError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { isAccepted } from '../model/finding.js';
import { FINGERPRINT_KEY, fingerprint } from '../model/fingerprint.js';
import { readTextFile } from '../model/textFile.js';
import { displayPath } from '../paths.js';
import path from 'node:path';

export interface Baseline {
  /** As reports show it. */
  file: string;
  /** How many findings each fingerprint accepts. */
  fingerprints: Map<string, number>;
  entries: number;
  /** The file as read, to compare with the base commit's. */
  text: string;
}

/** The findings a baseline file holds: a findings document (JSON) or a SARIF log from cmk-guard. */
export function readBaseline(file: string, cwd: string): Baseline {
  const shown = displayPath(file, cwd);
  const text = readTextFile(path.resolve(cwd, file)).replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `the baseline is not valid JSON (${(error as Error).message}); give a findings document written by \`cmk-guard baseline --out FILE\`.`,
      { file: shown }
    );
  }
  return { file: shown, text, ...baselineFingerprints(json, shown) };
}

/** The fingerprints a baseline document holds (a findings document or a SARIF log), with how many of each. */
export function baselineFingerprints(
  json: unknown,
  file: string
): { fingerprints: Map<string, number>; entries: number } {
  const fingerprints = new Map<string, number>();
  let entries = 0;
  const add = (print: unknown) => {
    if (typeof print !== 'string') return;
    fingerprints.set(print, (fingerprints.get(print) ?? 0) + 1);
    entries++;
  };
  const object = json as { findings?: unknown; runs?: unknown; tool?: { name?: unknown } } | null;
  if (object && typeof object === 'object' && Array.isArray(object.findings)) {
    for (const finding of object.findings as Finding[]) {
      if (!isBaselineEntry(finding)) continue;
      add(fingerprint(finding));
    }
    return { fingerprints, entries };
  }
  if (object && typeof object === 'object' && Array.isArray(object.runs)) {
    for (const run of object.runs as {
      results?: { partialFingerprints?: Record<string, unknown>; suppressions?: unknown[] }[];
    }[])
      for (const result of run.results ?? [])
        if (!result.suppressions?.length) add(result.partialFingerprints?.[FINGERPRINT_KEY]);
    return { fingerprints, entries };
  }
  throw new UserError(
    'the baseline is neither a findings document (`findings: [...]`) nor a SARIF log; write one with `cmk-guard baseline --out FILE`.',
    { file }
  );
}

/** A finding of an earlier run the baseline accepts: noncompliant or indeterminate, and not accepted by an exception. */
function isBaselineEntry(finding: Finding): boolean {
  return (
    finding !== null &&
    typeof finding === 'object' &&
    typeof finding.definition === 'string' &&
    typeof finding.resource?.type === 'string' &&
    typeof finding.resource?.name === 'string' &&
    (finding.verdict === 'noncompliant' || finding.verdict === 'indeterminate') &&
    finding.suppressed === undefined
  );
}

/** Marks the findings the baseline holds; says how many it accepted. */
export function applyBaseline(findings: Finding[], baseline: Baseline): { findings: Finding[]; matched: number } {
  const left = new Map(baseline.fingerprints);
  let matched = 0;
  const marked = findings.map(finding => {
    if (finding.verdict === 'compliant' || isAccepted(finding)) return finding;
    const print = fingerprint(finding);
    const count = left.get(print) ?? 0;
    if (count === 0) return finding;
    left.set(print, count - 1);
    matched++;
    return { ...finding, baselined: true as const };
  });
  return { findings: marked, matched };
}
