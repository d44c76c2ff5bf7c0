import type { FindingsDocument } from '../model/finding.js';
import type { ReportContext } from './context.js';
import { codeSpan } from './escape.js';
import { findingsToReport, groupByRule, notRunNames, plural } from './findings.js';
import {
  acceptedSections,
  addedAcceptanceSection,
  baseSettingsSection,
  Budget,
  cellText,
  inputErrorsSection,
  ruleSections,
  statusLine,
  totalsTable
} from './markdown.js';

/**
 * GitHub takes up to 1 MiB of summary per step and drops a larger one whole
 * (https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary);
 * the fixed lines around the sections take well under the 24 KiB held back.
 */
export const SUMMARY_LIMIT = 1024 * 1024;
const SUMMARY_BUDGET = SUMMARY_LIMIT - 24 * 1024;

export interface SummaryNotes {
  /** Annotations GitHub did not show for this step. */
  hiddenAnnotations: number;
  /** How many of each level a step shows. */
  annotationsPerLevel: number;
  /** The check run that carries every annotation, when one was published. */
  checkRunUrl?: string;
  /** Things the reader should know: a comment that could not be posted, say. Plain text. */
  notes?: string[];
}

/**
 * The job summary (`GITHUB_STEP_SUMMARY`): totals, one table per rule with each finding
 * linked to its line at the commit, what indeterminate findings depend on, input errors,
 * and how many findings are not shown as annotations.
 */
export function renderSummary(document: FindingsDocument, context: ReportContext, notes: SummaryNotes): string {
  const lines = [`## cmk-guard: ${statusLine(document)}`, '', ...totalsTable(document)];
  if (notes.hiddenAnnotations > 0) {
    const where = notes.checkRunUrl
      ? `The check run [cmk-guard](${notes.checkRunUrl}) lists them all; every finding is also in the tables below.`
      : 'Every finding is in the tables below.';
    lines.push(
      '',
      `> ${plural(notes.hiddenAnnotations, 'finding is', 'findings are')} not shown as annotations: GitHub shows ${notes.annotationsPerLevel} errors, ${notes.annotationsPerLevel} warnings and ${notes.annotationsPerLevel} notices per step. ${where}`
    );
  }
  for (const note of notes.notes ?? []) lines.push('', `> ${cellText(note)}`);
  for (const entry of document.notRun ?? [])
    lines.push(
      '',
      `> ${entry.warning ? '⚠️ ' : ''}Not run: ${entry.rules.length > 10 ? cellText(notRunNames(entry.rules)) : entry.rules.map(r => codeSpan(r)).join(', ')}: ${cellText(entry.reason)}`
    );
  const budget = new Budget(SUMMARY_BUDGET);
  lines.push(...inputErrorsSection(document, context, '###', budget));
  lines.push(...baseSettingsSection(document, '###', budget));
  const added = addedAcceptanceSection(document, context, '###', budget);
  lines.push(...added.lines);
  const sections = ruleSections(groupByRule(findingsToReport(document)), context, '###', budget);
  sections.omitted += added.omitted;
  lines.push(...sections.lines);
  const accepted = acceptedSections(document, context, '###', budget, true);
  lines.push(...accepted.lines);
  if (accepted.omitted) sections.omitted += accepted.omitted;
  if (sections.omitted) {
    lines.push(
      '',
      `> ${plural(sections.omitted, 'more finding is', 'more findings are')} left out: the summary is full. The SARIF and JSON files have them all.`
    );
  }
  const fileNotes = document.notes ?? [];
  if (fileNotes.length) {
    lines.push(
      '',
      `### Notes on ${plural(fileNotes.length, 'file')} checked`,
      ...fileTable(
        budget,
        fileNotes.map(entry => [entry.file, entry.note]),
        'Note',
        ['more note is', 'more notes are']
      )
    );
  }
  const skipped = (document.skipped ?? []).filter(entry => !entry.atBase);
  if (skipped.length) {
    lines.push(
      '',
      `<details><summary>${plural(skipped.length, 'file')} passed over</summary>`,
      ...fileTable(
        budget,
        skipped.map(entry => [entry.file, entry.reason]),
        'Why',
        ['more file is', 'more files are']
      ),
      '',
      '</details>'
    );
  }
  return lines.join('\n') + '\n';
}

/** A table of files and a text on each, as many rows as the budget takes, then how many more the JSON file holds. */
function fileTable(budget: Budget, entries: [string, string][], column: string, more: [string, string]): string[] {
  const rows: string[] = [];
  for (const [file, text] of entries)
    if (!budget.take(rows, [`| ${codeSpan(file, true)} | ${cellText(text)} |`])) break;
  const lines = ['', `| File | ${column} |`, '| --- | --- |', ...rows];
  if (rows.length < entries.length)
    lines.push('', `${plural(entries.length - rows.length, more[0], more[1])} in the JSON file.`);
  return lines;
}
