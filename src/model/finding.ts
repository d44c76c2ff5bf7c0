/** The findings document: the single currency between evaluation and every reporter. */
import type { Resource, SourcePosition } from './resource.js';

export type Verdict = 'compliant' | 'noncompliant' | 'indeterminate';
export type Severity = 'error' | 'warning' | 'note';

export interface FindingResource {
  id: string;
  type: string;
  name: string;
  file: string | null;
  line: number | null;
  column: number | null;
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
}

export interface FindingsSummary {
  resources: number;
  definitions: number;
  compliant: number;
  noncompliant: number;
  indeterminate: number;
}

export interface FindingsDocument {
  tool: { name: 'cmk-guard'; version: string };
  summary: FindingsSummary;
  findings: Finding[];
  /** Problems met on the way (a template that could not be expanded), reported but not fatal. */
  errors?: { file: string; line: number | null; column: number | null; message: string }[];
  /** Inputs passed over and why (JSON files that are not templates, say). */
  skipped?: { file: string; reason: string }[];
  /**
   * Rules and definitions that did not run, and why: left out by the selection, or transition rules
   * without a base. `warning` marks what the user should act on (a base that could not be read).
   */
  notRun?: { rules: string[]; reason: string; warning?: boolean }[];
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
    column: position?.column ?? null
  };
}

/** When a run fails: noncompliant findings at or above `failOn`, and indeterminate ones too when asked. */
export interface FailurePolicy {
  failOn: Severity | 'never';
  /** Indeterminate findings at or above `failOn` fail the run as noncompliant ones do. */
  failOnIndeterminate?: boolean;
}

/** The findings that make the run fail under the policy. */
export function failingFindings(document: FindingsDocument, policy: FailurePolicy): Finding[] {
  if (policy.failOn === 'never') return [];
  const threshold = severityRank[policy.failOn];
  return document.findings.filter(
    f =>
      (f.verdict === 'noncompliant' || (policy.failOnIndeterminate === true && f.verdict === 'indeterminate')) &&
      severityRank[f.severity] >= threshold
  );
}

/** 1 when a finding fails the run under the policy, else 0. Input errors are the doors' to judge. */
export function exitCodeFor(document: FindingsDocument, policy: FailurePolicy): 0 | 1 {
  return failingFindings(document, policy).length ? 1 : 0;
}
