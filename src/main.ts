/**
 * The GitHub Action door: read the inputs once, evaluate, then report everywhere a
 * reviewer looks. The one try/catch and the only `core.setFailed` are here; the logic
 * lives in run.ts and src/report/.
 */
import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunContext } from './action/context.js';
import { readEventPayload, readRunContext } from './action/context.js';
import type { ActionInputs } from './action/inputs.js';
import { readInputs } from './action/inputs.js';
import { UserError, UserErrors, isUserError } from './model/errors.js';
import type { FindingsDocument } from './model/finding.js';
import { severityRank } from './model/finding.js';
import { bundledPolicies } from './paths.js';
import {
  ANNOTATIONS_PER_LEVEL,
  buildAnnotations,
  planAnnotations,
  renderAnnotationCommand
} from './report/annotations.js';
import { planCheckRun } from './report/checks.js';
import { needsAttention, renderComment } from './report/comment.js';
import { checkOutputPath, writeFileAtomic } from './report/files.js';
import { GitHubClient } from './report/github.js';
import { renderJson } from './report/json.js';
import type { Logger } from './report/logger.js';
import { renderSarif } from './report/sarif.js';
import { renderSummary } from './report/summary.js';
import { renderText } from './report/text.js';
import { buildDocument, evaluateRepository, exitCodeFor } from './run.js';

const logger: Logger = {
  info: message => core.info(message),
  warning: message => core.warning(message),
  debug: message => core.debug(message)
};

export async function run(): Promise<void> {
  try {
    // The runner masks secrets it knows; a token passed some other way is masked here before
    // anything is logged, even before another input turns out to be wrong.
    const token = core.getInput('github-token').trim();
    if (token) core.setSecret(token);
    const inputs = readInputs(name => core.getInput(name));
    const context = readRunContext(
      process.env,
      readEventPayload(process.env, file => readFileSync(file, 'utf8')),
      process.cwd()
    );
    core.debug(`Inputs: ${JSON.stringify({ ...inputs, githubToken: inputs.githubToken ? '***' : '' })}`);
    if (inputs.command !== 'evaluate') {
      throw new UserError(
        `the input \`command\` is '${inputs.command}', which this version of the action cannot run yet; use \`evaluate\`, or run \`cmk-guard ${inputs.command}\` from the CLI.`
      );
    }
    const github =
      inputs.githubToken && context.repository
        ? GitHubClient.create(inputs.githubToken, splitRepository(context.repository), logger, context.apiUrl)
        : undefined;

    const { document, failure } = await core.group('Evaluate', () => evaluate(inputs, context, github));
    const result = await core.group('Report', () => report(document, inputs, context, github));

    const verdict = failure ?? result.outputErrors[0] ?? failureReason(document, inputs);
    core.setOutput('result', verdict ? 'fail' : 'pass');
    if (verdict) core.setFailed(verdict);
    core.debug(`Reported: ${JSON.stringify(result)}`);
  } catch (error) {
    core.setOutput('result', 'fail');
    if (isUserError(error)) core.setFailed(error.describe());
    else
      core.setFailed(
        `cmk-guard stopped on an internal error; please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      );
  }
}

/**
 * Runs the evaluation. A broken rule file or template does not end the run here: it
 * becomes the document's errors, so it is annotated, summarised and in SARIF like any
 * finding, and the step then fails with its file and line.
 */
async function evaluate(
  inputs: ActionInputs,
  context: RunContext,
  github: GitHubClient | undefined
): Promise<{ document: FindingsDocument; failure?: string }> {
  const pr = context.pullRequest;
  let changedFiles: string[] | null = null;
  if (inputs.changedFilesOnly !== false && pr) {
    changedFiles = github ? await github.changedFiles(pr.number) : null;
    if (changedFiles) core.info(`Reporting on the ${changedFiles.length} files this pull request changes.`);
    else core.info('Reporting on every file: the files this pull request changes could not be listed.');
  } else if (inputs.changedFilesOnly === true) {
    core.info('changed-files-only applies to pull requests; reporting on every file.');
  }
  const templates = inputs.templates.length || inputs.resources.length ? inputs.templates : ['**/*.json'];
  try {
    const document = await evaluateRepository({
      cwd: context.workspace,
      policies: inputs.policies === null ? undefined : (inputs.policies ?? bundledPolicies()),
      definitions: inputs.definitions,
      templates,
      parameters: inputs.parameterFiles,
      parameterOverrides: inputs.parameterOverrides,
      resources: inputs.resources,
      base: inputs.base ?? context.baseSha,
      baseRequired: inputs.base !== undefined,
      changedFiles
    });
    const { resources, definitions, noncompliant, indeterminate, compliant } = document.summary;
    core.info(
      `Evaluated ${resources} resources against ${definitions} definitions: ${noncompliant} noncompliant, ${indeterminate} indeterminate, ${compliant} compliant.`
    );
    return { document };
  } catch (error) {
    if (!isUserError(error)) throw error;
    const errors = error instanceof UserErrors ? error.errors : [error];
    const document = buildDocument(
      [],
      0,
      0,
      errors.map(e => ({
        file: e.location?.file ?? '',
        line: e.location?.line ?? null,
        column: e.location?.column ?? null,
        message: e.message
      }))
    );
    return { document, failure: oneLine(error.describe()) };
  }
}

interface ReportResult {
  outputErrors: string[];
  annotations: number;
  hiddenAnnotations: number;
  sarifFile: string;
  findingsFile: string;
  checkRun?: string;
  comment?: string;
}

async function report(
  document: FindingsDocument,
  inputs: ActionInputs,
  context: RunContext,
  github: GitHubClient | undefined
): Promise<ReportResult> {
  printUntrusted(renderText(document));

  const plan = planAnnotations(buildAnnotations(document, context));
  for (const annotation of plan.shown) process.stdout.write(renderAnnotationCommand(annotation) + os.EOL);

  const outputDir = path.join(context.tempDir ?? os.tmpdir(), 'cmk-guard');
  // An output that cannot be written fails the step, after everything else is reported.
  const outputErrors: string[] = [];
  const output = (input: string, requested: string | undefined, fallback: string, render: () => string): string => {
    try {
      const file = writeOutput(input, requested, path.join(outputDir, fallback), context, render());
      core.info(`${input === 'sarif-file' ? 'SARIF' : 'Findings'}: ${file}`);
      return file;
    } catch (error) {
      if (!isUserError(error)) throw error;
      outputErrors.push(error.describe());
      return '';
    }
  };
  const sarifFile = output(
    'sarif-file',
    inputs.sarifFile,
    'results.sarif',
    () => JSON.stringify(renderSarif(document, context), null, 2) + '\n'
  );
  const findingsFile = output('findings-file', inputs.findingsFile, 'findings.json', () => renderJson(document));

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
    const outcome = await github.upsertComment(context.pullRequest.number, renderComment(document, context), {
      create: needsAttention(document)
    });
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

  core.setOutput('compliant', document.summary.compliant);
  core.setOutput('noncompliant', document.summary.noncompliant);
  core.setOutput('indeterminate', document.summary.indeterminate);
  core.setOutput('sarif-file', sarifFile);
  core.setOutput('findings-file', findingsFile);
  return result;
}

/** Why the step fails, in one line, or undefined when it passes. */
function failureReason(document: FindingsDocument, inputs: ActionInputs): string | undefined {
  const errors = document.errors ?? [];
  if (errors.length) {
    const first = errors[0];
    const where = [first.file, first.line, first.line === null ? null : first.column]
      .filter(p => p !== null && p !== '')
      .join(':');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more input errors)` : '';
    return oneLine(`${where ? `${where}: ` : ''}${first.message}${more}`);
  }
  if (exitCodeFor(document, inputs.failOn) === 0 || inputs.failOn === 'never') return undefined;
  const threshold = severityRank[inputs.failOn];
  const count = document.findings.filter(
    f => f.verdict === 'noncompliant' && severityRank[f.severity] >= threshold
  ).length;
  return `cmk-guard found ${count} noncompliant ${count === 1 ? 'finding' : 'findings'} at or above severity '${inputs.failOn}' (the fail-on input); see the annotations and the job summary.`;
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
  content: string
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
function printUntrusted(text: string): void {
  const token = randomBytes(16).toString('hex');
  process.stdout.write(
    `::stop-commands::${token}${os.EOL}${text.endsWith('\n') ? text : `${text}\n`}::${token}::${os.EOL}`
  );
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const [owner, repo] = repository.split('/');
  return { owner, repo };
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}
