import type { Finding, FindingsDocument } from '../model/finding.js';
import type { ReportContext } from './context.js';
import { blobUrl, repositoryPath } from './context.js';
import { codeSpan, escapeMarkdown, sanitizeMarkdown } from './escape.js';
import type { RuleGroup } from './findings.js';
import { capitalize, dependsOn } from './findings.js';

/** Markdown shared by the job summary and the PR comment. Every input value is escaped or in code. */

export function statusLine(document: FindingsDocument): string {
  const { noncompliant, indeterminate } = document.summary;
  const errors = document.errors?.length ?? 0;
  const icon = noncompliant || errors ? '❌' : indeterminate ? '⚠️' : '✅';
  if (!noncompliant && !indeterminate && !errors) return `${icon} all clear`;
  const parts = [`${noncompliant} noncompliant`, `${indeterminate} indeterminate`];
  if (errors) parts.push(`${errors} input ${errors === 1 ? 'error' : 'errors'}`);
  return `${icon} ${parts.join(', ')}`;
}

export function totalsTable(document: FindingsDocument): string[] {
  const { resources, definitions, compliant, noncompliant, indeterminate } = document.summary;
  return [
    '| Resources | Definitions | Compliant | Noncompliant | Indeterminate |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${resources} | ${definitions} | ${compliant} | ${noncompliant} | ${indeterminate} |`
  ];
}

/** `file:line`, linked to the line at the commit when the context knows repository and commit. */
export function locationCell(file: string | null, line: number | null, context: ReportContext): string {
  if (file === null) return '—';
  const shown = codeSpan(line ? `${repositoryPath(file, context)}:${line}` : repositoryPath(file, context), true);
  const url = blobUrl(file, line, context);
  return url ? `[${shown}](${url})` : shown;
}

export function findingRow(finding: Finding, context: ReportContext): string {
  const { resource } = finding;
  const details =
    finding.verdict === 'indeterminate'
      ? `${escapeMarkdown(finding.message)}${finding.reason ? ` ${escapeMarkdown(capitalize(dependsOn(finding.reason)))}.` : ''}`
      : escapeMarkdown(finding.message);
  return `| ${codeSpan(resource.name, true)} | ${codeSpan(resource.type, true)} | ${locationCell(resource.file, resource.line, context)} | ${finding.verdict} | ${details} |`;
}

export const FINDINGS_TABLE_HEAD = [
  '| Resource | Type | Location | Verdict | Details |',
  '| --- | --- | --- | --- | --- |'
];

/** The heading, the rule's id, severity and where it is enforced, and how to fix it. */
export function ruleHeading(group: RuleGroup, level: '###' | '####'): string[] {
  const icon = group.findings.some(f => f.verdict === 'noncompliant') ? '❌' : '⚠️';
  const where =
    group.enforcement === 'pr-only'
      ? 'checked in pull requests only'
      : group.enforcement === 'azure'
        ? 'enforced by Azure Policy'
        : '';
  return [
    `${level} ${icon} ${escapeMarkdown(group.displayName)}`,
    '',
    [codeSpan(group.definition), group.severity, where].filter(Boolean).join(' · ')
  ];
}

export function ruleHelp(group: RuleGroup): string[] {
  const lines: string[] = [];
  if (group.remediation?.trim()) {
    lines.push(
      '',
      '<details><summary>How to fix</summary>',
      '',
      sanitizeMarkdown(group.remediation.trim()),
      '',
      '</details>'
    );
  }
  if (group.helpUri && /^https?:\/\//i.test(group.helpUri)) {
    lines.push(
      '',
      `[More about this rule](${encodeURI(group.helpUri).replace(/[()]/g, c => (c === '(' ? '%28' : '%29'))})`
    );
  }
  return lines;
}

export function inputErrorsSection(
  document: FindingsDocument,
  context: ReportContext,
  level: '###' | '####'
): string[] {
  const errors = document.errors ?? [];
  if (!errors.length) return [];
  return [
    '',
    `${level} ❌ Inputs cmk-guard could not read`,
    '',
    '| Location | Problem |',
    '| --- | --- |',
    ...errors.map(e => `| ${locationCell(e.file || null, e.line, context)} | ${escapeMarkdown(e.message)} |`)
  ];
}

/**
 * One section per rule, stopping before the text passes `budget` characters (GitHub caps
 * a comment at 65,536 and a step summary at 1 MiB); returns how many findings were left out.
 */
export function ruleSections(
  groups: RuleGroup[],
  context: ReportContext,
  level: '###' | '####',
  budget: number
): { lines: string[]; omitted: number } {
  const lines: string[] = [];
  let used = 0;
  let omitted = 0;
  const add = (more: string[]): boolean => {
    const size = more.reduce((n, line) => n + line.length + 1, 0);
    if (used + size > budget) return false;
    lines.push(...more);
    used += size;
    return true;
  };
  for (const group of groups) {
    if (omitted || !add(['', ...ruleHeading(group, level), '', ...FINDINGS_TABLE_HEAD])) {
      omitted += group.findings.length;
      continue;
    }
    let shown = 0;
    for (const finding of group.findings) {
      if (!add([findingRow(finding, context)])) break;
      shown++;
    }
    omitted += group.findings.length - shown;
    add(ruleHelp(group));
  }
  return { lines, omitted };
}
