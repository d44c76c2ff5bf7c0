/** Which findings a report shows and in what order, grouped by rule, and the wording every report shares. */
import type { Finding, FindingsDocument, Severity } from '../model/finding.js';
import { severityRank } from '../model/finding.js';

/** Findings a reviewer has to look at: noncompliant and indeterminate, never compliant ones. */
export function findingsToReport(document: FindingsDocument): Finding[] {
  return document.findings.filter(f => f.verdict !== 'compliant').sort(compareFindings);
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

/** `3 noncompliant, 1 indeterminate, 8 compliant`. */
export function verdictCounts(document: FindingsDocument): string {
  const { noncompliant, indeterminate, compliant } = document.summary;
  return `${noncompliant} noncompliant, ${indeterminate} indeterminate, ${compliant} compliant`;
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
