import type { Finding, FindingsDocument } from '../model/finding.js';
import { escapeTerminal, neutralizeCommandLines } from './escape.js';
import { dependsOn, findingsToReport, plural, verdictCounts } from './findings.js';
import { joinPieces, type ReportPieces } from './stream.js';

/**
 * The CLI report: findings grouped by file, each with its line, rule, resource, what is
 * wrong and how to fix it; then input errors, skipped files and the totals. Everything
 * from the input goes through `escapeTerminal`, so a name cannot move the cursor, and no
 * line starts with `::`, so run in a workflow step a name cannot be a workflow command.
 */
export function* textReport(document: FindingsDocument): ReportPieces {
  // One line a piece, each neutralised alone: a piece is whole lines, so this is the same as the whole text at once.
  const line = (text: string) => neutralizeCommandLines(`${text}\n`);
  let written = false;
  const findings = findingsToReport(document);
  let currentFile: string | null | undefined;
  for (const finding of findings) {
    if (finding.resource.file !== currentFile) {
      if (currentFile !== undefined) yield '\n';
      currentFile = finding.resource.file;
      yield line(currentFile === null ? '(resources without a file)' : escapeTerminal(currentFile));
    }
    for (const text of renderFinding(finding)) yield line(text);
    written = true;
  }
  const errors = document.errors ?? [];
  if (errors.length) {
    if (written) yield '\n';
    yield 'Errors:\n';
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
  if (written) yield '\n';
  const { resources, definitions } = document.summary;
  yield line(`${verdictCounts(document)} (${plural(resources, 'resource')}, ${plural(definitions, 'definition')})`);
}

/** The text report as one string. */
export function renderText(document: FindingsDocument): string {
  return joinPieces(textReport(document));
}

function renderFinding(finding: Finding): string[] {
  const { resource } = finding;
  const where =
    resource.line === null
      ? '-'
      : resource.column === null
        ? `${resource.line}`
        : `${resource.line}:${resource.column}`;
  const label = finding.verdict === 'indeterminate' ? 'indeterminate' : finding.severity;
  const lines = [
    `  ${where} ${label}: ${escapeTerminal(finding.displayName)} (${escapeTerminal(finding.definition)})`,
    `    ${escapeTerminal(resource.type)} '${escapeTerminal(resource.name)}': ${escapeTerminal(withoutTitle(finding))}`
  ];
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

/** The heading line already names the rule: a message that starts with its display name need not say it again. */
function withoutTitle(finding: Finding): string {
  const prefix = `${finding.displayName}: `;
  return finding.message.startsWith(prefix) && finding.message.length > prefix.length
    ? finding.message.slice(prefix.length)
    : finding.message;
}
