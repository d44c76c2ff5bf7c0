/** Which findings a report shows and in what order, grouped by rule, and the wording every report shares. */
import type { ExceptionReport, Finding, FindingsStream, Severity } from '../model/finding.js';
import { isAccepted, severityRank } from '../model/finding.js';

/** Findings a reviewer has to look at: noncompliant and indeterminate, not accepted, never compliant ones. */
export function findingsToReport(document: FindingsStream): Finding[] {
  return only(document.findings, toReport).sort(compareFindings);
}

/** Whether a finding is one a reviewer has to look at (`findingsToReport`). */
export function toReport(finding: Finding): boolean {
  return finding.verdict !== 'compliant' && !isAccepted(finding);
}

/** Whether a finding is listed as accepted (`acceptedFindings`). */
export function acceptedToList(finding: Finding): boolean {
  return finding.verdict !== 'compliant' && isAccepted(finding);
}

/** Noncompliant and indeterminate findings an exception or the baseline accepts: listed, but not failing. */
export function acceptedFindings(document: FindingsStream): Finding[] {
  return only(document.findings, acceptedToList).sort(compareFindings);
}

/** The findings that pass `keep`, read one at a time: the others (most of a big run's) are never held. */
function only(findings: Iterable<Finding>, keep: (finding: Finding) => boolean): Finding[] {
  const kept: Finding[] = [];
  for (const finding of findings) if (keep(finding)) kept.push(finding);
  return kept;
}

/** Exceptions that need attention: past their date, or matching nothing. */
export function exceptionsToReport(document: FindingsStream): ExceptionReport[] {
  return (document.exceptions ?? []).filter(e => e.status !== 'applied');
}

/** How a finding is accepted, in a phrase: `waiver by exception (cmk-guard.yaml:12), owner …, until …: reason`. */
export function acceptance(finding: Finding): string {
  const s = finding.suppressed;
  if (!s) return finding.baselined ? 'in the baseline' : '';
  const where = s.kind === 'inSource' ? 'inline exception' : 'exception';
  const parts = [
    s.exemption !== undefined
      ? `${s.category} by Azure Policy exemption ${s.exemption}`
      : `${s.category} by ${where} (${s.line === null ? s.file : `${s.file}:${s.line}`})`
  ];
  if (s.new) parts.push('added by this pull request');
  if (s.owner) parts.push(`owner ${s.owner}`);
  if (s.expires) parts.push(`until ${s.expires}`);
  return `${parts.join(', ')}: ${s.reason}`;
}

/** By file (findings without a file last), line, column, then rule and resource: a stable order. */
export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.resource.file;
  const fb = b.resource.file;
  if (fa !== fb) {
    if (fa === null) return 1;
    if (fb === null) return -1;
    return fa < fb ? -1 : 1;
  }
  return (
    (a.resource.line ?? 0) - (b.resource.line ?? 0) ||
    (a.resource.column ?? 0) - (b.resource.column ?? 0) ||
    compareText(a.definition, b.definition) ||
    compareText(a.resource.name, b.resource.name)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RuleGroup {
  definition: string;
  displayName: string;
  /** The highest severity among its findings. */
  severity: Severity;
  remediation?: string;
  helpUri?: string;
  enforcement?: 'azure' | 'pr-only';
  findings: Finding[];
}

/** Reported findings by rule, most severe rules first, then by display name. */
export function groupByRule(findings: Finding[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const finding of findings) {
    let group = groups.get(finding.definition);
    if (!group) {
      group = {
        definition: finding.definition,
        displayName: finding.displayName,
        severity: finding.severity,
        remediation: finding.remediation,
        helpUri: finding.helpUri,
        enforcement: finding.enforcement,
        findings: []
      };
      groups.set(finding.definition, group);
    }
    if (severityRank[finding.severity] > severityRank[group.severity]) group.severity = finding.severity;
    group.findings.push(finding);
  }
  return [...groups.values()].sort(
    (a, b) =>
      severityRank[b.severity] - severityRank[a.severity] ||
      compareText(a.displayName, b.displayName) ||
      compareText(a.definition, b.definition)
  );
}

/** `3 noncompliant, 1 indeterminate, 8 compliant` (and `, 2 suppressed, 5 baselined` when there are). */
export function verdictCounts(document: FindingsStream): string {
  const { noncompliant, indeterminate, compliant } = document.summary;
  return `${noncompliant} noncompliant, ${indeterminate} indeterminate, ${compliant} compliant${acceptedCounts(document, ', ')}`;
}

/** `2 suppressed, 5 baselined`, each only when there are, after `separator`; empty when there are none. */
export function acceptedCounts(document: FindingsStream, separator: string): string {
  const parts: string[] = [];
  if (document.summary.suppressed) parts.push(`${document.summary.suppressed} suppressed`);
  if (document.summary.baselined) parts.push(`${document.summary.baselined} baselined`);
  return parts.length ? `${separator}${parts.join(', ')}` : '';
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** An indeterminate finding's reason as a phrase that starts "depends on …", however the engine worded it. */
export function dependsOn(reason: string): string {
  return /^depends on\b/i.test(reason) ? reason : `depends on ${reason}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Rule names for a sentence: all of them up to ten, then how many more. */
export function notRunNames(rules: string[], limit = 10): string {
  if (rules.length === 0) return 'no rules';
  const shown = rules.slice(0, limit).join(', ');
  return rules.length > limit ? `${shown} and ${rules.length - limit} more` : shown;
}

/** The message without the rule's title in front, for reports whose line already names the rule. */
export function withoutTitle(finding: Finding): string {
  const prefix = `${finding.displayName}: `;
  return finding.message.startsWith(prefix) && finding.message.length > prefix.length
    ? finding.message.slice(prefix.length)
    : finding.message;
}

/** What to tell the reader about an exception that needs attention, or null when it applies. */
export function exceptionProblem(report: ExceptionReport): string | null {
  const rules = report.rules.join(', ');
  if (report.status === 'expired') {
    const what =
      report.findings === 0
        ? 'it covers no finding now'
        : `${report.findings === 1 ? 'the finding it covered fails' : `the ${report.findings} findings it covered fail`} again`;
    return `the exception for ${rules} expired after its last day, ${report.expires}: ${what}. Fix the resources, or give it a later expires date if the reason still holds.`;
  }
  if (report.status === 'stale' && report.unknownRules?.length) {
    const names = report.unknownRules
      .map(u => `${u.name}${u.suggestion ? ` (did you mean ${u.suggestion}?)` : ''}`)
      .join(', ');
    return `the exception names ${names}, which no loaded rule or definition is called, so it matches nothing; correct the rule name or remove the exception.`;
  }
  if (report.status === 'stale')
    return `the exception for ${rules} matches no noncompliant or indeterminate finding; remove it, or correct its rule or resources.`;
  return null;
}
