/** The findings document: the single currency between evaluation and every reporter. */
import type { Resource, SourcePosition } from './resource.js';
import { raceWording } from './race.js';

export type Verdict = 'compliant' | 'noncompliant' | 'indeterminate';
export type Severity = 'error' | 'warning' | 'note';

export interface FindingResource {
  id: string;
  type: string;
  name: string;
  file: string | null;
  line: number | null;
  column: number | null;
  /** The name finding ids are made with, where it is not `name` (Resource.stableName). */
  stableName?: string;
}

export interface Finding {
  /** The definition's (or rule's) name. */
  definition: string;
  displayName: string;
  effect: string;
  severity: Severity;
  verdict: Verdict;
  resource: FindingResource;
  /** What is wrong (or right), in a sentence. */
  message: string;
  /** Why indeterminate (what the verdict depended on), or null. */
  reason: string | null;
  /** Markdown shown to reviewers, when the rule has it. */
  remediation?: string;
  /** Where Azure Policy can enforce this: `azure` (and PRs), or `pr-only` for relation and transition rules. */
  enforcement?: 'azure' | 'pr-only';
  helpUri?: string;
  /** Set when an accepted exception covers this finding: it is listed everywhere, but does not fail the run. */
  suppressed?: Suppression;
  /** Set when the baseline (a findings document from an earlier run) holds this finding: listed, not failing. */
  baselined?: true;
}

export type ExceptionCategory = 'waiver' | 'mitigated';

/**
 * The exception that accepts a finding. `kind` is SARIF's: `external` for an entry in the
 * configuration file, `inSource` for one in the template's own metadata.
 */
export interface Suppression {
  kind: 'external' | 'inSource';
  category: ExceptionCategory;
  reason: string;
  owner?: string;
  /** The last day it applies, `YYYY-MM-DD` (UTC). */
  expires?: string;
  /** Where the exception is written. */
  file: string;
  line: number | null;
  /** True when the pull request adds or changes this exception (compared with its base commit). */
  new?: boolean;
  /** The Azure Policy exemption that accepts it, by id: Azure holds it, no file of the repository does. */
  exemption?: string;
}

/** How one exception fared in a run: every exception is listed, so none hides a finding unseen. */
export interface ExceptionReport extends Omit<Suppression, 'file' | 'line'> {
  rules: string[];
  file: string;
  line: number | null;
  column: number | null;
  /** `applied`: it accepts findings; `expired`: past its date, its findings fail again; `stale`: it matches no finding. */
  status: 'applied' | 'expired' | 'stale';
  /** The findings it covers (for `expired`, the ones it no longer accepts). */
  findings: number;
  /** For a stale exception: the rule names it gives that no loaded rule or definition has, with a likely one. */
  unknownRules?: { name: string; suggestion: string | null }[];
}

/** The baseline a run was compared with. */
export interface BaselineReport {
  file: string;
  /** Findings the baseline holds. */
  entries: number;
  /** Findings of this run it accepted. */
  matched: number;
  /** True when the pull request changes the baseline file; `added` then counts the findings it added. */
  changed?: boolean;
  added?: number;
}

export interface FindingsSummary {
  resources: number;
  definitions: number;
  compliant: number;
  /** Noncompliant findings that count: not accepted by an exception or the baseline. */
  noncompliant: number;
  /** Indeterminate findings that count, likewise. */
  indeterminate: number;
  /** Noncompliant or indeterminate findings accepted by an exception. */
  suppressed?: number;
  /** Noncompliant or indeterminate findings the baseline holds. */
  baselined?: number;
}

export interface FindingsDocument {
  tool: { name: 'cmk-guard'; version: string };
  summary: FindingsSummary;
  findings: Finding[];
  /** Problems met on the way (a template that could not be expanded), reported but not fatal. */
  errors?: { file: string; line: number | null; column: number | null; message: string }[];
  /**
   * Inputs passed over and why (JSON files that are not templates, say). `atBase` marks what a pull request
   * changed in the gate's own configuration (a setting of cmk-guard.yaml, a rule or definition file) and the run
   * read as it is at the base instead, or could not compare with the base: the change applies once it is merged.
   */
  skipped?: { file: string; reason: string; atBase?: true }[];
  /**
   * What the run says on an input it checked, beside its findings: a template read by its shape alone (no template
   * `$schema`), and so checked as one deployed to a resource group.
   */
  notes?: { file: string; note: string }[];
  /**
   * Rules and definitions that did not run, and why: left out by the selection, or transition rules
   * without a base. `warning` marks what the user should act on (a base that could not be read).
   */
  notRun?: { rules: string[]; reason: string; warning?: boolean }[];
  /** Every exception the run knew, and how each fared. */
  exceptions?: ExceptionReport[];
  baseline?: BaselineReport;
}

/**
 * A findings document as reports read it: its findings are iterated (perhaps read back from disk as they
 * are reported), never indexed or counted; the summary holds the counts.
 */
export interface FindingsStream extends Omit<FindingsDocument, 'findings'> {
  findings: Iterable<Finding>;
}

export const severityRank: Record<Severity, number> = { note: 1, warning: 2, error: 3 };

/** The resource part of a finding: what it is, and where to point (the value at fault, or the declaration). */
export function findingResource(resource: Resource, position: SourcePosition | null): FindingResource {
  return {
    id: resource.id,
    type: resource.type,
    name: resource.name,
    file: position?.file ?? null,
    line: position?.line ?? null,
    column: position?.column ?? null,
    ...(resource.stableName !== undefined ? { stableName: resource.stableName } : {})
  };
}

/** Whether a finding counts: neither an exception nor the baseline accepts it. */
export function isAccepted(finding: Finding): boolean {
  return finding.suppressed !== undefined || finding.baselined === true;
}

/** When a run fails: noncompliant findings at or above `failOn`, and indeterminate ones too when asked. */
export interface FailurePolicy {
  failOn: Severity | 'never';
  /** Indeterminate findings at or above `failOn` fail the run as noncompliant ones do. */
  failOnIndeterminate?: boolean;
}

/** The findings that make the run fail under the policy: never those an exception or the baseline accepts. */
export function failingFindings(document: FindingsDocument, policy: FailurePolicy): Finding[] {
  return document.findings.filter(f => fails(f, policy));
}

/** What the summary's counts and the exit code read of a finding. */
export interface FindingKind {
  verdict: Verdict;
  severity: Severity;
  /** An exception accepts it. */
  suppressed: boolean;
  /** The baseline accepts it (and no exception does). */
  baselined: boolean;
}

/**
 * Findings counted by what the summary's counts and the exit code read of them: a document that
 * keeps one answers both without reading its findings again (each reading of a big run's findings
 * parses them back from disk).
 */
export class FindingTally {
  private readonly kinds = new Map<string, Map<string, { kind: FindingKind; count: number }[]>>();
  /** The kinds in the order first counted. */
  private readonly order: { kind: FindingKind; count: number }[] = [];

  /** Counts `finding` `times` times (a negative number takes findings back). */
  add(finding: Finding, times = 1): void {
    this.addKind(
      {
        verdict: finding.verdict,
        severity: finding.severity,
        suppressed: finding.suppressed !== undefined,
        baselined: finding.suppressed === undefined && finding.baselined === true
      },
      times
    );
  }

  addTally(other: FindingTally, sign: 1 | -1 = 1): void {
    for (const { kind, count } of other) this.addKind(kind, sign * count);
  }

  /** Each kind of finding counted, with how many there are: none with a count of 0. */
  *[Symbol.iterator](): Iterator<{ kind: FindingKind; count: number }> {
    for (const entry of this.order) if (entry.count !== 0) yield entry;
  }

  private addKind(kind: FindingKind, times: number): void {
    // By verdict, then severity, then the two marks: no key to build for each finding counted.
    let bySeverity = this.kinds.get(kind.verdict);
    if (!bySeverity) this.kinds.set(kind.verdict, (bySeverity = new Map()));
    let marks = bySeverity.get(kind.severity);
    if (!marks) bySeverity.set(kind.severity, (marks = []));
    const at = (kind.suppressed ? 2 : 0) + (kind.baselined ? 1 : 0);
    const entry = marks[at];
    if (entry) entry.count += times;
    else {
      marks[at] = { kind, count: times };
      this.order.push(marks[at]);
    }
  }
}

/** Findings that are counted as they are kept: `tally()` says what reading them all would count. */
export interface TalliedFindings extends Iterable<Finding> {
  tally(): FindingTally;
}

function isTallied(findings: Iterable<Finding>): findings is TalliedFindings {
  return typeof (findings as Partial<TalliedFindings>).tally === 'function';
}

/** 1 when a finding fails the run under the policy, else 0. Input errors are the doors' to judge. */
export function exitCodeFor(document: FindingsStream, policy: FailurePolicy): 0 | 1 {
  if (policy.failOn === 'never') return 0;
  if (isTallied(document.findings)) {
    for (const { kind } of document.findings.tally()) if (kindFails(kind, policy)) return 1;
    return 0;
  }
  for (const finding of document.findings) if (fails(finding, policy)) return 1;
  return 0;
}

function fails(finding: Finding, policy: FailurePolicy): boolean {
  return (
    kindFails({ verdict: finding.verdict, severity: finding.severity, suppressed: false, baselined: false }, policy) &&
    !isAccepted(finding)
  );
}

function kindFails(kind: FindingKind, policy: FailurePolicy): boolean {
  if (policy.failOn === 'never') return false;
  return (
    (kind.verdict === 'noncompliant' || (policy.failOnIndeterminate === true && kind.verdict === 'indeterminate')) &&
    severityRank[kind.severity] >= severityRank[policy.failOn] &&
    !kind.suppressed &&
    !kind.baselined
  );
}

/**
 * The verdict on one of the states a resource may end in when deployments that no dependsOn orders write it
 * (Resource.race): a finding that is not compliant says so, and where the writes are; past the states evaluated
 * one by one, one that complies is not sure.
 */
export function raceVerdict(
  race: NonNullable<Resource['race']>,
  verdict: Verdict,
  reason: string | null,
  message: string
): { verdict: Verdict; reason: string | null; message: string } {
  if (race.capped && verdict === 'compliant') {
    verdict = 'indeterminate';
    reason = raceWording({ kind: 'capped verdict' });
  }
  return { verdict, reason, message: verdict === 'compliant' ? message : `${message} ${race.note}` };
}
