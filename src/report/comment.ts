/** The sticky pull request comment, rendered to fit GitHub's limit on comment bodies. */
import type { FindingsDocument } from '../model/finding.js';
import type { ReportContext } from './context.js';
import { exceptionsToReport, findingsToReport, groupByRule, plural } from './findings.js';
import { acceptedSections, Budget, inputErrorsSection, ruleSections, statusLine, totalsTable } from './markdown.js';

/** The hidden marker the sticky comment is found by on the next push. */
export const COMMENT_MARKER = '<!-- cmk-guard:sticky-comment -->';

/**
 * GitHub refuses comment bodies over 65,536 characters; an over-long body would leave the
 * previous comment standing. The fixed lines around the sections take well under 1,536.
 */
export const COMMENT_LIMIT = 65_536;
const COMMENT_BUDGET = COMMENT_LIMIT - 1_536;

export interface CommentContext extends ReportContext {
  /** The workflow run, where the job summary has every finding. */
  runUrl?: string;
}

/**
 * Whether there is anything for a reviewer to read: findings to look at, inputs that failed, exceptions
 * past their date or matching nothing, or findings accepted by what this pull request adds (an
 * exception, or entries in the baseline): a pull request never passes by accepting its own findings
 * without a comment saying so.
 */
export function needsAttention(document: FindingsDocument): boolean {
  return (
    document.summary.noncompliant > 0 ||
    document.summary.indeterminate > 0 ||
    (document.errors?.length ?? 0) > 0 ||
    exceptionsToReport(document).length > 0 ||
    document.findings.some(f => f.suppressed?.new) ||
    (document.baseline?.added ?? 0) > 0
  );
}

/**
 * The sticky PR comment: the marker, the verdict, per rule the findings with links to their
 * lines, and the findings exceptions or the baseline accept. When there is nothing of these it
 * says "all clear", so an old comment never keeps showing findings that are gone.
 */
export function renderComment(document: FindingsDocument, context: CommentContext): string {
  const commit = context.sha ? ` at ${context.sha.slice(0, 7)}` : '';
  const lines = [COMMENT_MARKER, `### cmk-guard: ${statusLine(document)}`, ''];
  const acceptedCount = (document.summary.suppressed ?? 0) + (document.summary.baselined ?? 0);
  if (!needsAttention(document) && acceptedCount === 0) {
    const { resources, definitions } = document.summary;
    lines.push(
      `${plural(resources, 'resource')} checked against ${plural(definitions, 'definition')}${commit}: nothing noncompliant, nothing indeterminate.`
    );
    return lines.join('\n') + '\n';
  }
  lines.push(...totalsTable(document));
  const budget = new Budget(COMMENT_BUDGET);
  lines.push(...inputErrorsSection(document, context, '####', budget));
  const sections = ruleSections(groupByRule(findingsToReport(document)), context, '####', budget);
  lines.push(...sections.lines);
  const accepted = acceptedSections(document, context, '####', budget);
  lines.push(...accepted.lines);
  sections.omitted += accepted.omitted;
  if (sections.omitted) {
    const where = context.runUrl ? `the [job summary](${context.runUrl})` : 'the job summary';
    lines.push('', `${plural(sections.omitted, 'more finding is', 'more findings are')} in ${where}.`);
  }
  lines.push(
    '',
    `<sub>Checked${commit} by cmk-guard ${document.tool.version}. This comment is updated on every push.</sub>`
  );
  return lines.join('\n') + '\n';
}
