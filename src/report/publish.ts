/**
 * Everything the action reports, in the order a reviewer meets it: the text report in the log,
 * annotations, the SARIF and findings files, a check run when annotations overflow, the sticky
 * comment and the job summary. main.ts only reads the inputs and sets the outputs and the failure.
 */
import { nodeCrypto } from '../model/builtins.js';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunContext } from '../action/context.js';
import type { ActionInputs } from '../action/inputs.js';
import { UserError, isUserError } from '../model/errors.js';
import type { FindingsDocument } from '../model/finding.js';
import { failingFindings, type FailurePolicy } from '../model/finding.js';
import type { DeploymentPlan } from '../model/plan.js';
import { ANNOTATIONS_PER_LEVEL, buildAnnotations, planAnnotations, renderAnnotationCommand } from './annotations.js';
import { planCheckRun } from './checks.js';
import { needsAttention, renderComment, withFindings, withPlan } from './comment.js';
import { escapeCommandData } from './escape.js';
import { checkOutputPath, writeFileAtomic } from './files.js';
import { packageRoot } from '../paths.js';
import type { GitHubClient } from './github.js';
import { jsonReport } from './json.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from './plan.js';
import type { Logger } from './logger.js';
import { sarifReport } from './sarif.js';
import { writeChunks, type ReportPieces } from './stream.js';
import { renderSummary } from './summary.js';
import { notRunNames } from './findings.js';
import { textReport } from './text.js';

/** What of the action's inputs reporting reads, with the failure policy as resolved (input, file, default). */
export type ReportInputs = Pick<ActionInputs, 'sarifFile' | 'findingsFile' | 'comment' | 'summary'> & FailurePolicy;

export interface ReportResult {
  outputErrors: string[];
  annotations: number;
  hiddenAnnotations: number;
  sarifFile: string;
  findingsFile: string;
  checkRun?: string;
  comment?: string;
}

export async function publishReports(
  document: FindingsDocument,
  inputs: ReportInputs,
  context: RunContext,
  github: GitHubClient | undefined,
  logger: Logger
): Promise<ReportResult> {
  // Our own log lines are not for the problem matcher; it is registered again at the end.
  process.stdout.write(`::remove-matcher owner=${PROBLEM_MATCHER_OWNER}::${os.EOL}`);
  printUntrusted(textReport(document));
  // What the user must act on is a warning in the run's annotations, not only a row in the summary.
  for (const entry of document.notRun ?? [])
    if (entry.warning) logger.warning(oneLine(`cmk-guard did not run ${notRunNames(entry.rules)}: ${entry.reason}`));

  const plan = planAnnotations(buildAnnotations(document, context));
  for (const annotation of plan.shown) process.stdout.write(renderAnnotationCommand(annotation) + os.EOL);

  const outputDir = path.join(context.tempDir ?? os.tmpdir(), 'cmk-guard');
  // An output that cannot be written fails the step, after everything else is reported.
  const outputErrors: string[] = [];
  const output = (
    input: string,
    requested: string | undefined,
    fallback: string,
    render: () => ReportPieces
  ): string => {
    try {
      const file = writeOutput(input, requested, path.join(outputDir, fallback), context, render());
      logger.info(`${input === 'sarif-file' ? 'SARIF' : 'Findings'}: ${file}`);
      return file;
    } catch (error) {
      if (!isUserError(error)) throw error;
      outputErrors.push(error.describe());
      return '';
    }
  };
  const sarifFile = output('sarif-file', inputs.sarifFile, 'results.sarif', () => sarifReport(document, context));
  const findingsFile = output('findings-file', inputs.findingsFile, 'findings.json', () => jsonReport(document));

  const notes: string[] = [...outputErrors];
  const result: ReportResult = {
    outputErrors,
    annotations: plan.all.length,
    hiddenAnnotations: plan.hidden,
    sarifFile,
    findingsFile
  };
  let checkRunUrl: string | undefined;
  if (plan.hidden > 0) {
    if (github && context.sha) {
      const failed = !!failureReason(document, inputs) || (document.errors?.length ?? 0) > 0;
      const outcome = await github.publishCheckRun(
        planCheckRun(plan.all, {
          headSha: context.sha,
          conclusion: failed ? 'failure' : document.summary.indeterminate ? 'neutral' : 'success',
          title: `cmk-guard: ${document.summary.noncompliant} noncompliant, ${document.summary.indeterminate} indeterminate`,
          summary: `${plan.all.length} annotations from cmk-guard; the workflow step shows ${plan.shown.length} of them.`
        })
      );
      if (typeof outcome === 'object') checkRunUrl = outcome.url || undefined;
      result.checkRun = typeof outcome === 'object' ? 'published' : outcome;
      if (outcome === 'not-permitted')
        notes.push('The check run with every annotation could not be published: the token is read-only.');
    } else {
      result.checkRun = 'no-token';
    }
  }

  if (inputs.comment && context.pullRequest && github) {
    const findings = renderComment(document, context);
    const outcome = await github.upsertComment(
      context.pullRequest.number,
      existing => withFindings(existing, findings),
      {
        create: needsAttention(document)
      }
    );
    result.comment = outcome;
    if (outcome === 'not-permitted')
      notes.push('The pull request comment could not be posted: the token is read-only (a pull request from a fork).');
  }

  if (inputs.summary && context.summaryFile) {
    appendFileSync(
      context.summaryFile,
      renderSummary(document, context, {
        hiddenAnnotations: plan.hidden,
        annotationsPerLevel: ANNOTATIONS_PER_LEVEL,
        checkRunUrl,
        notes
      })
    );
  }

  registerProblemMatcher();
  return result;
}

/** The owner in `.github/cmk-guard-matcher.json`. */
export const PROBLEM_MATCHER_OWNER = 'cmk-guard';

/** The problem matcher for `--format compact` lines, shipped with the action. */
export function problemMatcherFile(): string {
  return path.join(packageRoot(), '.github', 'cmk-guard-matcher.json');
}

/**
 * Registers the problem matcher for the steps after this one, as setup actions do for their tools:
 * a later `cmk-guard evaluate --format compact` in the job then annotates without the action.
 */
function registerProblemMatcher(): void {
  const file = problemMatcherFile();
  if (existsSync(file)) process.stdout.write(`::add-matcher::${escapeCommandData(file)}${os.EOL}`);
}

export interface PlanReportResult {
  planFile: string;
  comment?: string;
  outputErrors: string[];
}

/** The plan comment's and job summary's size: well inside GitHub's limits, beside the findings. */
const PLAN_COMMENT_LIMIT = 24_000;

/**
 * Everything `plan` and `deploy` report: the plan as text in the log, the plan (JSON) in the
 * runner's temporary folder, the plan as Markdown in the job summary and, on a pull request,
 * in the sticky comment beside the findings (created when there is something to review).
 */
export async function publishPlanReports(
  plan: DeploymentPlan,
  inputs: Pick<ReportInputs, 'comment' | 'summary'>,
  context: RunContext,
  github: GitHubClient | undefined,
  logger: Logger
): Promise<PlanReportResult> {
  printUntrusted(renderPlanText(plan));
  const outputErrors: string[] = [];
  let planFile = '';
  try {
    planFile = writeOutput(
      'plan-file',
      undefined,
      path.join(context.tempDir ?? os.tmpdir(), 'cmk-guard', 'plan.json'),
      context,
      renderPlanJson(plan)
    );
    logger.info(`Plan: ${planFile}`);
  } catch (error) {
    if (!isUserError(error)) throw error;
    outputErrors.push(error.describe());
  }
  const result: PlanReportResult = { planFile, outputErrors };
  if (inputs.comment && context.pullRequest && github) {
    const markdown = renderPlanMarkdown(plan, { heading: '###', limit: PLAN_COMMENT_LIMIT });
    // What the pull request changes of where the plan is made is said on it even when nothing would change.
    const reviewable = plan.items.some(i => i.action !== 'unchanged') || !!plan.skipped?.length;
    result.comment = await github.upsertComment(context.pullRequest.number, existing => withPlan(existing, markdown), {
      create: reviewable
    });
  }
  if (inputs.summary && context.summaryFile) {
    appendFileSync(context.summaryFile, renderPlanMarkdown(plan, { heading: '###', limit: 512 * 1024 }));
  }
  return result;
}

/** Why a plan or deploy step fails, in one line, or undefined when it passes. */
export function planFailureReason(plan: DeploymentPlan): string | undefined {
  const conflicts = plan.items.filter(i => i.action === 'conflict');
  if (conflicts.length) {
    return oneLine(
      `${conflicts.length} ${conflicts.length === 1 ? 'item' : 'items'} at the scope ${conflicts.length === 1 ? 'has' : 'have'} the name of one in the pack but another owner (${conflicts.map(c => c.name).join(', ')}); ${plan.results ? 'deploy wrote nothing' : 'deploy would stop'}. See the plan.`
    );
  }
  const left = plan.results?.filter(r => r.outcome !== 'applied') ?? [];
  if (left.length) {
    return oneLine(
      `deploy could not finish: ${left.length} of ${plan.results?.length} writes failed or were not attempted (${left.map(r => r.name).join(', ')}); run it again once the cause in the log is fixed.`
    );
  }
  return undefined;
}

/** Why the step fails, in one line, or undefined when it passes. */
export function failureReason(document: FindingsDocument, inputs: FailurePolicy): string | undefined {
  const errors = document.errors ?? [];
  if (errors.length) {
    const first = errors[0];
    const where = [first.file, first.line, first.line === null ? null : first.column]
      .filter(p => p !== null && p !== '')
      .join(':');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more input errors)` : '';
    return oneLine(`${where ? `${where}: ` : ''}${first.message}${more}`);
  }
  const failing = failingFindings(document, inputs);
  if (!failing.length) return undefined;
  const noncompliant = failing.filter(f => f.verdict === 'noncompliant').length;
  const indeterminate = failing.length - noncompliant;
  const counted = [
    noncompliant ? `${noncompliant} noncompliant` : '',
    indeterminate ? `${indeterminate} indeterminate (fail-on-indeterminate)` : ''
  ]
    .filter(Boolean)
    .join(' and ');
  return `cmk-guard found ${counted} ${failing.length === 1 ? 'finding' : 'findings'} at or above severity '${inputs.failOn}' (fail-on); see the annotations and the job summary.`;
}

/**
 * Writes a report file where the input says (relative to the repository), or to the
 * fallback in the runner's temporary folder: only inside those two, never through a
 * symbolic link, and atomically.
 */
function writeOutput(
  input: string,
  requested: string | undefined,
  fallback: string,
  context: RunContext,
  content: ReportPieces
): string {
  const file = requested ? path.resolve(context.workspace, requested) : fallback;
  checkOutputPath(input, requested ?? fallback, file, [context.workspace, context.tempDir ?? os.tmpdir()]);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, content);
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError(
      `the input \`${input}\` is '${requested ?? fallback}', which cannot be written (${(error as Error).message}); give a path the job can write to.`
    );
  }
  return file;
}

/** Prints text from the pull request with workflow commands off, so no line of it is taken as one. */
function printUntrusted(pieces: ReportPieces): void {
  const token = nodeCrypto().randomBytes(16).toString('hex');
  process.stdout.write(`::stop-commands::${token}${os.EOL}`);
  let last = '';
  writeChunks(pieces, chunk => {
    process.stdout.write(chunk);
    last = chunk;
  });
  process.stdout.write(`${last === '' || last.endsWith('\n') ? '' : '\n'}::${token}::${os.EOL}`);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}
