import type { Finding, FindingsStream } from '../model/finding.js';
import { plain, type Paint } from './colour.js';
import { escapeTerminal, neutralizeCommandLines } from './escape.js';
import {
  acceptance,
  acceptedToList,
  dependsOn,
  exceptionProblem,
  exceptionsToReport,
  notRunNames,
  plural,
  toReport,
  verdictCounts,
  withoutTitle
} from './findings.js';
import { sortEach } from './sorted.js';
import { joinPieces, type ReportPieces } from './stream.js';

/**
 * The CLI report: findings grouped by file, each with its line, rule, resource, what is
 * wrong and how to fix it; then input errors, skipped files, notes on files checked, rules that did not run and
 * the totals. Everything from the input goes through `escapeTerminal`, so a name cannot move the
 * cursor, and no line starts with `::`, so run in a workflow step a name cannot be a workflow
 * command. `paint` colours labels (our text only, after escaping), for a terminal.
 */
export function* textReport(document: FindingsStream, options: { paint?: Paint } = {}): ReportPieces {
  const paint = options.paint ?? plain;
  // One line a piece, each neutralised alone: a piece is whole lines, so this is the same as the whole text at once.
  const line = (text: string) => neutralizeCommandLines(`${text}\n`);
  let written = false;
  // Both lists in one reading of the findings, sorted in bounded memory.
  const [reported, accepted] = sortEach(document.findings, [toReport, acceptedToList]);
  const findings = reported.findings;
  let currentFile: string | null | undefined;
  for (const finding of findings) {
    if (finding.resource.file !== currentFile) {
      if (currentFile !== undefined) yield '\n';
      currentFile = finding.resource.file;
      yield line(paint('heading', currentFile === null ? '(resources without a file)' : escapeTerminal(currentFile)));
    }
    for (const text of renderFinding(finding, paint)) yield line(text);
    written = true;
  }
  if (accepted.count) {
    if (written) yield '\n';
    yield `Accepted, not failing (${accepted.count}):\n`;
    for (const finding of accepted.findings) {
      const { resource } = finding;
      const where =
        resource.file === null ? '-' : `${resource.file}${resource.line === null ? '' : `:${resource.line}`}`;
      yield line(
        `  ${escapeTerminal(where)} ${escapeTerminal(finding.definition)} ${escapeTerminal(resource.type)} '${escapeTerminal(resource.name)}' (${finding.verdict}): ${escapeTerminal(acceptance(finding))}`
      );
    }
    written = true;
  }
  const problems = exceptionsToReport(document);
  if (problems.length) {
    if (written) yield '\n';
    yield 'Exceptions to look at:\n';
    for (const report of problems) {
      const where = report.line === null ? report.file : `${report.file}:${report.line}`;
      yield line(`  ${escapeTerminal(where)}: ${escapeTerminal(exceptionProblem(report) ?? '')}`);
    }
    written = true;
  }
  const errors = document.errors ?? [];
  if (errors.length) {
    if (written) yield '\n';
    yield `${paint('error', 'Errors:')}\n`;
    for (const error of errors) {
      const where = [error.file || '(input)', error.line, error.line === null ? null : error.column]
        .filter(part => part !== null)
        .join(':');
      yield line(`  ${escapeTerminal(where)}: ${escapeTerminal(error.message)}`);
    }
    written = true;
  }
  const skipped = document.skipped ?? [];
  if (skipped.length) {
    if (written) yield '\n';
    yield `Skipped ${skipped.length} input${skipped.length === 1 ? '' : 's'} (not deployment templates, or not evaluated):\n`;
    for (const entry of skipped) yield line(`  ${escapeTerminal(entry.file)}: ${escapeTerminal(entry.reason)}`);
    written = true;
  }
  const notes = document.notes ?? [];
  if (notes.length) {
    if (written) yield '\n';
    yield 'Notes on inputs checked:\n';
    for (const entry of notes) yield line(`  ${escapeTerminal(entry.file)}: ${escapeTerminal(entry.note)}`);
    written = true;
  }
  const notRun = document.notRun ?? [];
  if (notRun.length) {
    if (written) yield '\n';
    yield 'Not run:\n';
    for (const entry of notRun)
      yield line(
        `  ${entry.warning ? paint('warning', 'warning: ') : ''}${escapeTerminal(notRunNames(entry.rules))}: ${escapeTerminal(entry.reason)}`
      );
    written = true;
  }
  if (written) yield '\n';
  const { resources, definitions } = document.summary;
  yield line(`${verdictCounts(document)} (${plural(resources, 'resource')}, ${plural(definitions, 'definition')})`);
}

/** The text report as one string. */
export function renderText(document: FindingsStream, options: { paint?: Paint } = {}): string {
  return joinPieces(textReport(document, options));
}

function renderFinding(finding: Finding, paint: Paint): string[] {
  const { resource } = finding;
  const where =
    resource.line === null
      ? '-'
      : resource.column === null
        ? `${resource.line}`
        : `${resource.line}:${resource.column}`;
  const label = finding.verdict === 'indeterminate' ? 'indeterminate' : finding.severity;
  const lines = [
    `  ${paint('dim', where)} ${paint(label, `${label}:`)} ${escapeTerminal(finding.displayName)} (${escapeTerminal(finding.definition)})`,
    `    ${escapeTerminal(resource.type)} '${escapeTerminal(resource.name)}': ${escapeTerminal(withoutTitle(finding))}`
  ];
  // A live resource has no file: its id says where it is.
  if (resource.file === null) lines.push(`    id: ${escapeTerminal(resource.id)}`);
  if (finding.verdict === 'indeterminate' && finding.reason)
    lines.push(`    ${escapeTerminal(dependsOn(finding.reason))}`);
  if (finding.enforcement === 'pr-only')
    lines.push('    checked in pull requests only: Azure Policy cannot enforce this rule');
  if (finding.remediation?.trim()) {
    const text = finding.remediation.trim().replace(/\r\n?/g, '\n').split('\n').map(escapeTerminal);
    lines.push(`    fix: ${text[0]}`, ...text.slice(1).map(line => (line ? `         ${line}` : '')));
  }
  if (finding.helpUri) lines.push(`    see: ${escapeTerminal(finding.helpUri)}`);
  return lines;
}
