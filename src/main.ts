/**
 * The GitHub Action door: read the inputs once, evaluate, then report everywhere a
 * reviewer looks. The one try/catch and the only `core.setFailed` are here; the logic
 * lives in run.ts and src/report/.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import type { RunContext } from './action/context.js';
import { readEventPayload, readRunContext } from './action/context.js';
import type { ActionInputs } from './action/inputs.js';
import { givenSettings, inputSpelling, readInputs } from './action/inputs.js';
import { resolveSettings } from './config/settings.js';
import { UserError, UserErrors, isUserError } from './model/errors.js';
import type { FailurePolicy, FindingsDocument } from './model/finding.js';
import { bundledPolicies } from './paths.js';
import { GitHubClient } from './report/github.js';
import type { Logger } from './report/logger.js';
import { failureReason, oneLine, publishReports } from './report/publish.js';
import { buildDocument, evaluateRepository } from './run.js';

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

    const { document, failure, policy } = await core.group('Evaluate', () => evaluate(inputs, context, github));
    const reporting = { ...inputs, ...policy };
    const result = await core.group('Report', () => publishReports(document, reporting, context, github, logger));
    core.setOutput('compliant', document.summary.compliant);
    core.setOutput('noncompliant', document.summary.noncompliant);
    core.setOutput('indeterminate', document.summary.indeterminate);
    core.setOutput('suppressed', document.summary.suppressed ?? 0);
    core.setOutput('baselined', document.summary.baselined ?? 0);
    core.setOutput('sarif-file', result.sarifFile);
    core.setOutput('findings-file', result.findingsFile);

    const verdict = failure ?? result.outputErrors[0] ?? failureReason(document, reporting);
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
): Promise<{ document: FindingsDocument; failure?: string; policy: FailurePolicy }> {
  const pr = context.pullRequest;
  let changedFiles: string[] | null = null;
  if (inputs.changedFilesOnly !== false && pr) {
    changedFiles = github ? await github.changedFiles(pr.number) : null;
    if (changedFiles) core.info(`Reporting on the ${changedFiles.length} files this pull request changes.`);
    else core.info('Reporting on every file: the files this pull request changes could not be listed.');
  } else if (inputs.changedFilesOnly === true) {
    core.info('changed-files-only applies to pull requests; reporting on every file.');
  }
  // Until the configuration file is read, the inputs' policy stands (a broken file fails the step anyway).
  let policy: FailurePolicy = {
    failOn: inputs.failOn ?? 'error',
    failOnIndeterminate: inputs.failOnIndeterminate ?? false
  };
  try {
    const resolved = resolveSettings(givenSettings(inputs), context.workspace, {
      bundledPolicies: bundledPolicies(),
      packWithDefinitions: true,
      templates: ['**/*.json'],
      spelling: inputSpelling
    });
    policy = { failOn: resolved.failOn, failOnIndeterminate: resolved.failOnIndeterminate };
    if (resolved.config) core.info(`Configuration: ${resolved.config.file}`);
    const document = await evaluateRepository({
      ...resolved.request,
      base: inputs.base ?? context.baseSha,
      baseRequired: inputs.base !== undefined,
      changedFiles
    });
    const { resources, definitions, noncompliant, indeterminate, compliant } = document.summary;
    core.info(
      `Evaluated ${resources} resources against ${definitions} definitions: ${noncompliant} noncompliant, ${indeterminate} indeterminate, ${compliant} compliant.`
    );
    return { document, policy };
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
    return { document, failure: oneLine(error.describe()), policy };
  }
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const [owner, repo] = repository.split('/');
  return { owner, repo };
}
