/** Markdown shared by the job summary and the PR comment. Every input value is escaped or in code. */
import type { Finding, FindingsDocument } from '../model/finding.js';
import type { ReportContext } from './context.js';
import { blobUrl, repositoryPath } from './context.js';
import { codeSpan, escapeMarkdown, sanitizeMarkdown } from './escape.js';
import type { RuleGroup } from './findings.js';
import {
  acceptance,
  acceptedCounts,
  acceptedFindings,
  capitalize,
  dependsOn,
  exceptionProblem,
  exceptionsToReport,
  plural
} from './findings.js';
import { encodeUri } from '../model/uriText.js';

export function statusLine(document: FindingsDocument): string {
  const { noncompliant, indeterminate } = document.summary;
  const errors = document.errors?.length ?? 0;
  const icon = noncompliant || errors ? '❌' : indeterminate ? '⚠️' : '✅';
  const accepted = acceptedCounts(document, '');
  if (!noncompliant && !indeterminate && !errors) return `${icon} all clear${accepted ? ` (${accepted})` : ''}`;
  const parts = [`${noncompliant} noncompliant`, `${indeterminate} indeterminate`];
  if (errors) parts.push(`${errors} input ${errors === 1 ? 'error' : 'errors'}`);
  return `${icon} ${parts.join(', ')}${accepted ? `; ${accepted}` : ''}`;
}

export function totalsTable(document: FindingsDocument): string[] {
  const { resources, definitions, compliant, noncompliant, indeterminate, suppressed, baselined } = document.summary;
  if (!suppressed && !baselined)
    return [
      '| Resources | Definitions | Compliant | Noncompliant | Indeterminate |',
      '| ---: | ---: | ---: | ---: | ---: |',
      `| ${resources} | ${definitions} | ${compliant} | ${noncompliant} | ${indeterminate} |`
    ];
  return [
    '| Resources | Definitions | Compliant | Noncompliant | Indeterminate | Suppressed | Baselined |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${resources} | ${definitions} | ${compliant} | ${noncompliant} | ${indeterminate} | ${suppressed ?? 0} | ${baselined ?? 0} |`
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
      ? `${cellText(finding.message)}${finding.reason ? ` ${cellText(capitalize(dependsOn(finding.reason)))}.` : ''}`
      : cellText(finding.message);
  // A live resource has no file: its id says where it is.
  const location =
    resource.file === null ? codeSpan(resource.id, true) : locationCell(resource.file, resource.line, context);
  return `| ${codeSpan(resource.name, true)} | ${codeSpan(resource.type, true)} | ${location} | ${finding.verdict} | ${details} |`;
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
      `[More about this rule](${encodeUri(group.helpUri).replace(/[()]/g, c => (c === '(' ? '%28' : '%29'))})`
    );
  }
  return lines;
}

/**
 * What is left of the room GitHub gives a text: 65,536 characters for a comment, 1 MiB
 * for a step summary. Counted in UTF-8 bytes, never fewer than characters, so one count
 * keeps both limits. A section that does not fit is left out whole or row by row, and
 * says so, rather than making GitHub refuse the whole text.
 */
export class Budget {
  constructor(private remaining: number) {}

  /** Adds the lines to `into` if they fit, and says whether they did. */
  take(into: string[], more: string[]): boolean {
    const size = more.reduce((n, line) => n + Buffer.byteLength(line, 'utf8') + 1, 0);
    if (size > this.remaining) return false;
    into.push(...more);
    this.remaining -= size;
    return true;
  }
}

/** The longest message a table cell shows; the SARIF and JSON files keep it whole. */
const CELL_LIMIT = 2_000;

/** A message cut to `CELL_LIMIT` characters, saying it was, then escaped. */
export function cellText(message: string): string {
  const cut =
    message.length > CELL_LIMIT ? `${message.slice(0, CELL_LIMIT)}… (cut: ${message.length} characters)` : message;
  return escapeMarkdown(cut);
}

/**
 * What the pull request changed in the gate's own configuration that the run read as it is at the base (or could
 * not compare with it): a reviewer sees on the pull request that its change to the gate applies once merged.
 */
export function baseSettingsSection(
  document: Pick<FindingsDocument, 'skipped'>,
  level: '###' | '####',
  budget: Budget,
  what = 'how cmk-guard judges it'
): string[] {
  const entries = (document.skipped ?? []).filter(entry => entry.atBase);
  if (!entries.length) return [];
  const lines: string[] = [];
  const head = [
    '',
    `${level} Taken from the base`,
    '',
    `This pull request changes ${what}; until it is merged, the base's configuration applies.`,
    '',
    '| File | What |',
    '| --- | --- |'
  ];
  if (!budget.take(lines, head)) return [];
  let shown = 0;
  for (const entry of entries) {
    if (!budget.take(lines, [`| ${codeSpan(entry.file, true)} | ${cellText(entry.reason)} |`])) break;
    shown++;
  }
  if (shown < entries.length)
    lines.push('', `${plural(entries.length - shown, 'more is', 'more are')} in the JSON file.`);
  return lines;
}

/** The inputs that could not be read, as many as fit in the budget, and how many were left out. */
export function inputErrorsSection(
  document: FindingsDocument,
  context: ReportContext,
  level: '###' | '####',
  budget: Budget
): string[] {
  const errors = document.errors ?? [];
  if (!errors.length) return [];
  const lines: string[] = [];
  if (
    !budget.take(lines, [
      '',
      `${level} ❌ Inputs cmk-guard could not read`,
      '',
      '| Location | Problem |',
      '| --- | --- |'
    ])
  )
    return [];
  let shown = 0;
  for (const e of errors) {
    if (!budget.take(lines, [`| ${locationCell(e.file || null, e.line, context)} | ${cellText(e.message)} |`])) break;
    shown++;
  }
  if (shown < errors.length) {
    const more = errors.length - shown;
    lines.push(
      '',
      `${more === 1 ? '1 more input error is' : `${more} more input errors are`} in the SARIF and JSON files.`
    );
  }
  return lines;
}

/**
 * One section per rule, stopping before the text runs out of budget; returns how many
 * findings were left out.
 */
export function ruleSections(
  groups: RuleGroup[],
  context: ReportContext,
  level: '###' | '####',
  budget: Budget
): { lines: string[]; omitted: number } {
  const lines: string[] = [];
  let omitted = 0;
  for (const group of groups) {
    if (omitted || !budget.take(lines, ['', ...ruleHeading(group, level), '', ...FINDINGS_TABLE_HEAD])) {
      omitted += group.findings.length;
      continue;
    }
    let shown = 0;
    for (const finding of group.findings) {
      if (!budget.take(lines, [findingRow(finding, context)])) break;
      shown++;
    }
    omitted += group.findings.length - shown;
    budget.take(lines, ruleHelp(group));
  }
  return { lines, omitted };
}

/**
 * Exceptions past their date or matching nothing, then the findings exceptions accept (each with its
 * reason, owner, date and where it is written; those the pull request adds say so), then the findings
 * the baseline holds, folded. Nothing accepted is left unlisted except for lack of room, and that is
 * counted.
 */
/**
 * What the pull request itself makes the gate accept: the findings that exceptions it adds or changes accept, and
 * a baseline it changes. Rendered before the findings, so that no number of findings (indeterminate ones that do
 * not fail the run, say) can push it out of the comment or the summary; `acceptedSections` then leaves those
 * findings out (`addedShown`).
 */
export function addedAcceptanceSection(
  document: FindingsDocument,
  context: ReportContext,
  level: '###' | '####',
  budget: Budget
): { lines: string[]; omitted: number } {
  const lines: string[] = [];
  const added = acceptedFindings(document).filter(f => f.suppressed?.new);
  const baseline = document.baseline?.changed ? document.baseline : undefined;
  if (!added.length && !baseline) return { lines, omitted: 0 };
  const head = ['', `${level} ⚠️ What this pull request accepts`];
  if (added.length)
    head.push(
      '',
      `**${plural(added.length, 'finding is', 'findings are')} accepted by exceptions this pull request adds or changes.**`
    );
  if (baseline)
    head.push(
      '',
      `**This pull request changes the baseline ${codeSpan(baseline.file, true)}${baseline.added ? `: it adds ${plural(baseline.added, 'finding')}` : ''}.**`
    );
  // The heading and its counts go in whatever the findings would take: they are what a reviewer must see.
  lines.push(...head);
  let omitted = 0;
  if (added.length && budget.take(lines, ['', ...ACCEPTED_TABLE_HEAD]))
    for (const finding of added) if (!budget.take(lines, [acceptedRow(finding, context)])) omitted++;
  return { lines, omitted };
}

export function acceptedSections(
  document: FindingsDocument,
  context: ReportContext,
  level: '###' | '####',
  budget: Budget,
  /** `addedAcceptanceSection` was rendered: the findings it lists are not listed again. */
  addedShown = false
): { lines: string[]; omitted: number } {
  const lines: string[] = [];
  let omitted = 0;
  const problems = exceptionsToReport(document);
  if (
    problems.length &&
    budget.take(lines, ['', `${level} ⚠️ Exceptions to look at`, '', '| Exception | Problem |', '| --- | --- |'])
  ) {
    for (const report of problems)
      if (
        !budget.take(lines, [
          `| ${locationCell(report.file, report.line, context)} | ${cellText(exceptionProblem(report) ?? '')} |`
        ])
      )
        omitted++;
  } else omitted += problems.length;

  const accepted = acceptedFindings(document);
  const suppressed = accepted.filter(f => f.suppressed && !(addedShown && f.suppressed.new));
  const baselined = accepted.filter(f => !f.suppressed);
  const table = (findings: Finding[]) => {
    for (const finding of findings) if (!budget.take(lines, [acceptedRow(finding, context)])) omitted++;
  };
  const newOnes = suppressed.filter(f => f.suppressed?.new).length;
  const heading = `${level} Accepted by exceptions (${suppressed.length})`;
  if (
    suppressed.length &&
    budget.take(lines, [
      '',
      heading,
      ...(newOnes
        ? [
            '',
            `**${plural(newOnes, 'finding is', 'findings are')} accepted by exceptions this pull request adds or changes.**`
          ]
        : []),
      '',
      ...ACCEPTED_TABLE_HEAD
    ])
  )
    table(suppressed);
  else omitted += suppressed.length;
  const added = document.baseline?.added ?? 0;
  const baselineNote = document.baseline
    ? `Accepted by the baseline ${codeSpan(document.baseline.file, true)}${document.baseline.changed ? `, which this pull request changes${added ? ` (it adds ${plural(added, 'finding')})` : ''}` : ''}.`
    : 'Accepted by the baseline.';
  if (
    baselined.length &&
    budget.take(lines, [
      '',
      `<details><summary>In the baseline (${baselined.length})</summary>`,
      '',
      baselineNote,
      '',
      ...ACCEPTED_TABLE_HEAD
    ])
  ) {
    table(baselined);
    lines.push('', '</details>');
  } else omitted += baselined.length;
  return { lines, omitted };
}

const ACCEPTED_TABLE_HEAD = [
  '| Resource | Rule | Location | Verdict | Accepted by |',
  '| --- | --- | --- | --- | --- |'
];

function acceptedRow(finding: Finding, context: ReportContext): string {
  const { resource } = finding;
  const by = finding.suppressed?.new ? `**new:** ${cellText(acceptance(finding))}` : cellText(acceptance(finding));
  return `| ${codeSpan(resource.name, true)} | ${codeSpan(finding.definition, true)} | ${locationCell(resource.file, resource.line, context)} | ${finding.verdict} | ${by} |`;
}
