/** The sticky pull request comment, rendered to fit GitHub's limit on comment bodies. */
import type { FindingsDocument } from '../model/finding.js';
import type { ReportContext } from './context.js';
import { exceptionsToReport, findingsToReport, groupByRule, plural } from './findings.js';
import {
  acceptedSections,
  addedAcceptanceSection,
  baseSettingsSection,
  Budget,
  inputErrorsSection,
  ruleSections,
  statusLine,
  totalsTable
} from './markdown.js';

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
 * The plan's part of the sticky comment: `plan` steps write it, `evaluate` steps keep it, so
 * one comment holds the findings and what publishing the rules would change.
 */
export const PLAN_START = '<!-- cmk-guard:plan -->';
export const PLAN_END = '<!-- cmk-guard:plan-end -->';

function splitPlan(body: string): { findings: string; plan?: string } {
  const start = body.indexOf(PLAN_START);
  const end = body.indexOf(PLAN_END, start);
  if (start < 0 || end < 0) return { findings: body };
  return {
    findings: (body.slice(0, start) + body.slice(end + PLAN_END.length)).replace(/\n{3,}$/, '\n\n'),
    plan: body.slice(start, end + PLAN_END.length)
  };
}

function joinParts(findings: string, plan: string | undefined): string {
  if (!plan) return findings;
  const joined = `${findings.replace(/\s+$/, '')}\n\n${plan}\n`;
  // A plan too long for what the findings leave is replaced by a pointer to the job summary.
  if (joined.length <= COMMENT_LIMIT) return joined;
  return `${findings.replace(/\s+$/, '')}\n\n${PLAN_START}\nThe plan is too long for this comment; it is in the job summary.\n${PLAN_END}\n`;
}

/** The comment with new findings, keeping the plan a `plan` step wrote into it. */
export function withFindings(existing: string | undefined, findings: string): string {
  return joinParts(findings, existing ? splitPlan(existing).plan : undefined);
}

/** The comment with a new plan section, keeping the findings an `evaluate` step wrote into it. */
export function withPlan(existing: string | undefined, planMarkdown: string): string {
  const findings = existing ? splitPlan(existing).findings : `${COMMENT_MARKER}\n`;
  return joinParts(findings, `${PLAN_START}\n${planMarkdown.replace(/\s+$/, '')}\n${PLAN_END}`);
}

/**
 * Whether there is anything for a reviewer to read: findings to look at, inputs that failed, exceptions
 * past their date or matching nothing, or findings accepted by what this pull request adds (an
 * exception, or entries in the baseline): a pull request never passes by accepting its own findings
 * without a comment saying so. Nor by changing the gate's own configuration: what the run took from the base
 * instead is shown too.
 */
export function needsAttention(document: FindingsDocument): boolean {
  return (
    document.summary.noncompliant > 0 ||
    document.summary.indeterminate > 0 ||
    (document.errors?.length ?? 0) > 0 ||
    exceptionsToReport(document).length > 0 ||
    document.findings.some(f => f.suppressed?.new) ||
    (document.baseline?.added ?? 0) > 0 ||
    (document.skipped ?? []).some(entry => entry.atBase)
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
  lines.push(...baseSettingsSection(document, '####', budget));
  const added = addedAcceptanceSection(document, context, '####', budget);
  lines.push(...added.lines);
  const sections = ruleSections(groupByRule(findingsToReport(document)), context, '####', budget);
  sections.omitted += added.omitted;
  lines.push(...sections.lines);
  const accepted = acceptedSections(document, context, '####', budget, true);
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
