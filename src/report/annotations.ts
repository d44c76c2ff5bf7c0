import type { Finding, FindingsDocument } from '../model/finding.js';
import { severityRank } from '../model/finding.js';
import type { ReportContext } from './context.js';
import { repositoryPath } from './context.js';
import { escapeCommandData, escapeCommandProperty, revealInvisible } from './escape.js';
import { capitalize, dependsOn, exceptionProblem, exceptionsToReport, findingsToReport } from './findings.js';

/**
 * Annotations on the line at fault, as workflow commands
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands).
 * A step shows only the first few of each level, so the rest go to a check run and the
 * summary says how many were not shown.
 */

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  /** Relative to the repository root; absent for findings that have no file. */
  file?: string;
  line?: number;
  column?: number;
  title: string;
  message: string;
}

/** Annotations of one level that GitHub shows for a step. */
export const ANNOTATIONS_PER_LEVEL = 10;

const levelOf: Record<Finding['severity'], AnnotationLevel> = { error: 'error', warning: 'warning', note: 'notice' };
const levelRank: Record<AnnotationLevel, number> = { error: 3, warning: 2, notice: 1 };

/**
 * Every annotation the document calls for: input errors first, then findings, most severe first, then
 * exceptions that need attention. Findings an exception or the baseline accepts are not annotated: the
 * summary, the comment, SARIF, JSON and the text report list them.
 */
export function buildAnnotations(document: FindingsDocument, context: Pick<ReportContext, 'workspace'>): Annotation[] {
  const errors: Annotation[] = (document.errors ?? []).map(error => ({
    level: 'error',
    ...(error.file ? { file: repositoryPath(error.file, context) } : {}),
    ...(error.file && error.line ? { line: error.line } : {}),
    ...(error.file && error.line && error.column ? { column: error.column } : {}),
    title: 'cmk-guard could not read this input',
    message: revealInvisible(error.message)
  }));
  const findings = findingsToReport(document)
    .map(finding => ({ finding, annotation: annotationFor(finding, context) }))
    .sort(
      (a, b) =>
        levelRank[b.annotation.level] - levelRank[a.annotation.level] ||
        severityRank[b.finding.severity] - severityRank[a.finding.severity]
    )
    .map(entry => entry.annotation);
  // An exception past its date or matching nothing is a warning on its own line (the config file or
  // the template), so whoever wrote it sees it there.
  const exceptions: Annotation[] = exceptionsToReport(document).map(report => ({
    level: 'warning',
    ...(report.file ? { file: repositoryPath(report.file, context) } : {}),
    ...(report.file && report.line ? { line: report.line } : {}),
    title: report.status === 'expired' ? 'cmk-guard exception expired' : 'cmk-guard exception matches nothing',
    message: capitalize(exceptionProblem(report) ?? '')
  }));
  return [...errors, ...findings, ...exceptions];
}

function annotationFor(finding: Finding, context: Pick<ReportContext, 'workspace'>): Annotation {
  const { resource } = finding;
  const indeterminate = finding.verdict === 'indeterminate';
  const lines = [`${resource.type} '${resource.name}': ${finding.message}`];
  if (indeterminate && finding.reason) lines.push(capitalize(dependsOn(finding.reason)));
  if (finding.enforcement === 'pr-only')
    lines.push('Checked in pull requests only: Azure Policy cannot enforce this rule.');
  if (finding.remediation?.trim()) lines.push('', finding.remediation.trim());
  if (finding.helpUri) lines.push('', finding.helpUri);
  return {
    // Indeterminate findings ask the reviewer a question; they never take an error's place.
    level: indeterminate ? 'notice' : levelOf[finding.severity],
    ...(resource.file !== null ? { file: repositoryPath(resource.file, context) } : {}),
    ...(resource.file !== null && resource.line ? { line: resource.line } : {}),
    ...(resource.file !== null && resource.line && resource.column ? { column: resource.column } : {}),
    title: revealInvisible(indeterminate ? `${finding.displayName} (indeterminate)` : finding.displayName),
    message: revealInvisible(lines.join('\n'))
  };
}

/** `::error file=…,line=…,col=…,title=…::message`, escaped so no input can end a property or the command. */
export function renderAnnotationCommand(annotation: Annotation): string {
  const properties: [string, string | number | undefined][] = [
    ['file', annotation.file],
    ['line', annotation.line],
    ['col', annotation.column],
    ['title', annotation.title]
  ];
  const rendered = properties
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${escapeCommandProperty(String(value))}`)
    .join(',');
  return `::${annotation.level}${rendered ? ` ${rendered}` : ''}::${escapeCommandData(annotation.message)}`;
}

export interface AnnotationPlan {
  all: Annotation[];
  /** The ones printed as workflow commands: at most `perLevel` of each level. */
  shown: Annotation[];
  /** How many GitHub would not show for this step. */
  hidden: number;
}

export function planAnnotations(annotations: Annotation[], perLevel = ANNOTATIONS_PER_LEVEL): AnnotationPlan {
  const used: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const shown = annotations.filter(annotation => used[annotation.level]++ < perLevel);
  return { all: annotations, shown, hidden: annotations.length - shown.length };
}
