import type { Finding, FindingsStream } from '../model/finding.js';
import { plain, type Paint } from './colour.js';
import { escapeTerminal, neutralizeCommandLines } from './escape.js';
import { dependsOn, notRunNames, plural, toReport, verdictCounts, withoutTitle } from './findings.js';
import { sortFindings } from './sorted.js';
import { joinPieces, type ReportPieces } from './stream.js';

/**
 * One line per finding, `file:line:col: severity rule: message`, the shape editors, `grep` and
 * problem matchers read (the action ships one, `.github/cmk-guard-matcher.json`). Noncompliant
 * findings carry the rule's severity (`error`, `warning`, `note`); indeterminate ones are `note`s
 * whose message starts with `indeterminate`. Input errors are `error`s of the rule `input`. The
 * file and the rule are the fields a reader splits on: a `: ` inside them is shown as `:\x20`, so
 * a file name cannot pose as a finding; every value is on one line (`escapeTerminal`).
 */
export function* compactReport(document: FindingsStream, options: { paint?: Paint } = {}): ReportPieces {
  const paint = options.paint ?? plain;
  const line = (text: string) => neutralizeCommandLines(`${text}\n`);
  for (const error of document.errors ?? []) {
    const where = location(error.file || '(input)', error.line, error.column);
    yield line(`${where} ${paint('error', 'error')} input: ${escapeTerminal(error.message)}`);
  }
  for (const finding of sortFindings(document.findings, toReport).findings) yield line(findingLine(finding, paint));
  for (const entry of document.skipped ?? [])
    yield line(`${location(entry.file, null, null)} ${paint('note', 'note')} skipped: ${escapeTerminal(entry.reason)}`);
  for (const entry of document.notes ?? [])
    yield line(`${location(entry.file, null, null)} ${paint('note', 'note')} ${escapeTerminal(entry.note)}`);
  for (const entry of document.notRun ?? []) {
    const level = entry.warning ? 'warning' : 'note';
    yield line(
      `cmk-guard: ${paint(level, level)} not-run: ${escapeTerminal(notRunNames(entry.rules))}: ${escapeTerminal(entry.reason)}`
    );
  }
  const { resources, definitions } = document.summary;
  yield line(`${verdictCounts(document)} (${plural(resources, 'resource')}, ${plural(definitions, 'definition')})`);
}

/** The compact report as one string. */
export function renderCompact(document: FindingsStream, options: { paint?: Paint } = {}): string {
  return joinPieces(compactReport(document, options));
}

function findingLine(finding: Finding, paint: Paint): string {
  const { resource } = finding;
  const where =
    resource.file === null ? `${field(resource.id)}:` : location(resource.file, resource.line, resource.column);
  const indeterminate = finding.verdict === 'indeterminate';
  const level = indeterminate ? 'note' : finding.severity;
  const parts = [`${resource.type} '${resource.name}': ${withoutTitle(finding)}`];
  if (indeterminate && finding.reason && !finding.message.includes(finding.reason))
    parts.push(`(${dependsOn(finding.reason)})`);
  const message = `${indeterminate ? 'indeterminate: ' : ''}${escapeTerminal(parts.join(' '))}`;
  return `${where} ${paint(indeterminate ? 'indeterminate' : level, level)} ${field(finding.definition)}: ${message}`;
}

function location(file: string, line: number | null, column: number | null): string {
  if (line === null) return `${field(file)}:`;
  return `${field(file)}:${line}:${column ?? 1}:`;
}

/** A field a reader splits on `: `: on one line, with `: ` shown as `:\x20`. */
function field(value: string): string {
  return escapeTerminal(value).replace(/: /g, ':\\x20');
}
