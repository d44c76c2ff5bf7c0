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
import {
  azureScope,
  prepareSettings,
  resolveAzureSettings,
  resolveScopeSettings,
  resolveSettings
} from './config/settings.js';
import { loadRuleTooling } from './rules/tooling.js';
import { findConfigFile, loadConfig } from './config/load.js';
import { UserError, UserErrors, isUserError } from './model/errors.js';
import type { FailurePolicy, FindingsDocument } from './model/finding.js';
import { bundledPolicies } from './paths.js';
import { GitHubClient } from './report/github.js';
import type { Logger } from './report/logger.js';
import { failureReason, oneLine, planFailureReason, publishPlanReports, publishReports } from './report/publish.js';
import { logText } from './report/escape.js';
import { RunDeadline } from './azure/deadline.js';
import { buildDocument, complianceReport, evaluateRepository, inputError, publishPack } from './run.js';

// Everything the action says goes through logText: it carries names and messages from the pull request.
const logger: Logger = {
  info: message => core.info(logText(message)),
  warning: message => core.warning(logText(message)),
  debug: message => core.debug(logText(message))
};
const fail = (message: string) => core.setFailed(logText(message));

export async function run(): Promise<void> {
  const started = Date.now();
  try {
    // The runner masks secrets it knows; a token passed some other way is masked here before
    // anything is logged, even before another input turns out to be wrong.
    const token = core.getInput('github-token').trim();
    if (token) core.setSecret(token);
    const azureToken = process.env.CMK_GUARD_AZURE_TOKEN?.trim().replace(/^bearer\s+/i, '');
    if (azureToken) core.setSecret(azureToken);
    const inputs = readInputs(name => core.getInput(name));
    const context = readRunContext(
      process.env,
      readEventPayload(process.env, file => readFileSync(file, 'utf8')),
      process.cwd()
    );
    core.debug(`Inputs: ${JSON.stringify({ ...inputs, githubToken: inputs.githubToken ? '***' : '' })}`);
    // The time limit of the whole run, from when the step started (src/azure/deadline.ts).
    const limit = inputs.azure.runTimeoutMs;
    const deadline =
      limit === undefined ? undefined : new RunDeadline(limit, `\`run-timeout\` ${limit / 1000} s`, started);
    if (inputs.command === 'compile') {
      throw new UserError(
        "the input `command` is 'compile', which is a command of the CLI: run `npx cmk-guard compile --policies DIR --out OUT` in a step, or use `plan` and `deploy` to publish."
      );
    }
    const github =
      inputs.githubToken && context.repository
        ? GitHubClient.create(inputs.githubToken, splitRepository(context.repository), logger, context.apiUrl)
        : undefined;
    // Only `evaluate` loads ajv, js-yaml and RE2 where it needs them (not at all with the bundled pack alone).
    if (inputs.command !== 'evaluate') await loadRuleTooling();
    if (inputs.command === 'plan' || inputs.command === 'deploy') {
      await publishToAzure(inputs, context, github, deadline);
      return;
    }

    const { document, failure, policy } =
      inputs.command === 'compliance'
        ? await core.group('Compliance', () => compliance(inputs, context, deadline))
        : await core.group('Evaluate', () => evaluate(inputs, context, github, deadline));
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
    if (verdict) fail(verdict);
    core.debug(`Reported: ${JSON.stringify(result)}`);
  } catch (error) {
    core.setOutput('result', 'fail');
    if (isUserError(error)) fail(error.describe());
    else
      fail(
        `cmk-guard stopped on an internal error; please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      );
  }
}

/** `plan` and `deploy`: the pack against the Azure scope, reported in the log, the summary and the comment. */
async function publishToAzure(
  inputs: ActionInputs,
  context: RunContext,
  github: GitHubClient | undefined,
  deadline: RunDeadline | undefined
) {
  const pr = context.pullRequest;
  if (inputs.command === 'deploy' && (pr || isPullRequestEvent(context.eventName)))
    throw new UserError(
      `the input \`command\` is 'deploy' on a pull request (the event is ${context.eventName ?? 'a pull request'}), which would publish rules and settings no one has merged; run \`plan\` on pull requests, and \`deploy\` on a push to the default branch or a workflow_dispatch.`
    );
  // The inputs over the configuration file's `azure` section over the defaults; on a pull request, where to connect
  // and what to act on as the base's file says wherever the change says otherwise (config/settings.ts).
  const configFile = findConfigFile(context.workspace, inputs.config);
  const config = configFile === null ? null : loadConfig(configFile, context.workspace);
  const azure = resolveAzureSettings(
    inputs.azure,
    config,
    pr ? { base: inputs.base ?? pr.baseSha, file: configFile, named: inputs.config, cwd: context.workspace } : undefined
  );
  const scope = azureScope(azure, { door: 'action', asked: `the input \`command\` is '${inputs.command}'` });
  if (inputs.policies === null)
    throw new UserError(`the input \`policies\` is 'none', but ${inputs.command} publishes a pack.`);
  const { plan, stoppedForConflicts } = await core.group(inputs.command === 'plan' ? 'Plan' : 'Deploy', () =>
    publishPack({
      cwd: context.workspace,
      env: process.env,
      policies: inputs.policies ?? undefined,
      scope,
      assignmentScope: azure.assignmentScope,
      owner: azure.owner,
      enforcementMode: azure.enforcementMode,
      effects: azure.effects ?? {},
      effectOverrides: azure.effectOverrides,
      location: azure.location,
      prune: azure.prune,
      apply: inputs.command === 'deploy',
      connection: {
        cloud: azure.cloud,
        armEndpoint: azure.armEndpoint,
        tenantId: azure.tenantId,
        clientId: azure.clientId,
        idToken: audience => core.getIDToken(audience),
        ...tokenEndpoints(inputs, context),
        ...(deadline ? { deadline } : {})
      },
      // With a configuration file, its exceptions are kept in Azure as exemptions for the assignment.
      ...(config ? { exceptions: config.exceptions } : {}),
      log: logger.info
    })
  );
  const pinned = (azure.pinned ?? []).map(entry => ({ ...entry, atBase: true as const }));
  const shown = pinned.length ? { ...plan, skipped: pinned } : plan;
  const result = await core.group('Report', () => publishPlanReports(shown, inputs, context, github, logger));
  core.setOutput('plan-file', result.planFile);
  const verdict = planFailureReason(plan) ?? result.outputErrors[0];
  if (stoppedForConflicts) core.error('deploy stopped before writing anything: resolve the conflicts the plan lists.');
  core.setOutput('result', verdict ? 'fail' : 'pass');
  if (verdict) fail(verdict);
}

/**
 * Runs the evaluation. A broken rule file or template does not end the run here: it
 * becomes the document's errors, so it is annotated, summarised and in SARIF like any
 * finding, and the step then fails with its file and line.
 */
async function evaluate(
  inputs: ActionInputs,
  context: RunContext,
  github: GitHubClient | undefined,
  deadline: RunDeadline | undefined
): Promise<{ document: FindingsDocument; failure?: string; policy: FailurePolicy }> {
  const pr = context.pullRequest;
  let changedFiles: string[] | null = null;
  if (inputs.changedFilesOnly !== false && pr) {
    changedFiles = github ? await github.changedFiles(pr.number) : null;
    if (changedFiles) logger.info(`Reporting on the ${changedFiles.length} files this pull request changes.`);
    else logger.info('Reporting on every file: the files this pull request changes could not be listed.');
  } else if (inputs.changedFilesOnly === true) {
    logger.info('changed-files-only applies to pull requests; reporting on every file.');
  }
  // Until the configuration file is read, the inputs' policy stands (a broken file fails the step anyway).
  let policy: FailurePolicy = {
    failOn: inputs.failOn ?? 'error',
    failOnIndeterminate: inputs.failOnIndeterminate ?? false
  };
  try {
    await prepareSettings(givenSettings(inputs), context.workspace);
    // A live scope: the input, or with `live`, what compliance and plan would take (config/settings.ts azureScope).
    const live = inputs.azure.scope !== undefined || inputs.live ? liveScope(inputs, context) : undefined;
    const scope = live?.scope;
    // On a pull request, the base's configuration decides whether the run fails (config/settings.ts gateAtBase).
    const gateBase = pr ? { gateBase: inputs.base ?? pr.baseSha } : {};
    const resolved = resolveSettings({ ...givenSettings(inputs), ...gateBase }, context.workspace, {
      bundledPolicies: bundledPolicies(),
      packWithDefinitions: true,
      // With a live scope, templates are checked only when the input or the file names some.
      templates: scope === undefined ? ['**/*.json'] : [],
      spelling: inputSpelling
    });
    policy = { failOn: resolved.failOn, failOnIndeterminate: resolved.failOnIndeterminate };
    if (resolved.config) logger.info(`Configuration: ${resolved.config.file}`);
    const document = await evaluateRepository({
      ...resolved.request,
      pinned: [...(resolved.request.pinned ?? []), ...(live?.pinned ?? [])],
      base: inputs.base ?? context.baseSha,
      baseRequired: inputs.base !== undefined,
      changedFiles,
      ...(scope !== undefined
        ? {
            live: {
              env: process.env,
              scope,
              connection: azureConnection(inputs, context, deadline),
              log: logger.info
            }
          }
        : {})
    });
    const { resources, definitions, noncompliant, indeterminate, compliant } = document.summary;
    logger.info(
      `Evaluated ${resources} resources against ${definitions} definitions: ${noncompliant} noncompliant, ${indeterminate} indeterminate, ${compliant} compliant.`
    );
    return { document, policy };
  } catch (error) {
    return { ...failedDocument(error, context.workspace), policy };
  }
}

/** `compliance`: Azure Policy's states for the pack's initiative, reported like findings. */
async function compliance(
  inputs: ActionInputs,
  context: RunContext,
  deadline: RunDeadline | undefined
): Promise<{ document: FindingsDocument; failure?: string; policy: FailurePolicy }> {
  let policy: FailurePolicy = {
    failOn: inputs.failOn ?? 'error',
    failOnIndeterminate: inputs.failOnIndeterminate ?? false
  };
  try {
    const { scope, assignmentScope, pinned: scopePinned } = liveScope(inputs, context);
    // On a pull request, the base's configuration decides whether the step fails, as for `evaluate`.
    const pr = context.pullRequest;
    const gateBase = pr ? { gateBase: inputs.base ?? pr.baseSha } : {};
    const resolved = resolveSettings({ ...givenSettings(inputs), ...gateBase }, context.workspace, {
      bundledPolicies: bundledPolicies(),
      packWithDefinitions: true,
      templates: [],
      spelling: inputSpelling
    });
    policy = { failOn: resolved.failOn, failOnIndeterminate: resolved.failOnIndeterminate };
    const report = await complianceReport({
      cwd: context.workspace,
      policies: resolved.request.policies?.[0] ?? bundledPolicies(),
      env: process.env,
      scope,
      assignmentScope,
      triggerScan: inputs.azure.triggerScan,
      scanTimeoutMs: inputs.azure.scanTimeoutMs,
      connection: azureConnection(inputs, context, deadline),
      log: logger.info
    });
    const document = withPinned(report, [...(resolved.request.pinned ?? []), ...(scopePinned ?? [])]);
    const { resources, noncompliant, indeterminate, compliant } = document.summary;
    logger.info(
      `Azure Policy reports on ${resources} resources: ${noncompliant} noncompliant, ${indeterminate} indeterminate, ${compliant} compliant.`
    );
    return { document, policy };
  } catch (error) {
    return { ...failedDocument(error, context.workspace), policy };
  }
}

/**
 * The scope `compliance` and a live `evaluate` act on, and the assignment scope: the inputs over cmk-guard.yaml's
 * `azure:` section (the base's on a pull request where the change sets it otherwise), as `plan` takes them. Where
 * they connect stays the inputs' (`azureConnection`).
 */
function liveScope(
  inputs: ActionInputs,
  context: RunContext
): { scope: string; assignmentScope?: string; pinned?: { file: string; reason: string }[] } {
  const pr = context.pullRequest;
  const file = findConfigFile(context.workspace, inputs.config);
  const config = file === null ? null : loadConfig(file, context.workspace);
  const settings = resolveScopeSettings(
    inputs.azure,
    config,
    pr ? { base: inputs.base ?? pr.baseSha, file, named: inputs.config, cwd: context.workspace } : undefined,
    inputs.command === 'compliance'
  );
  const asked =
    inputs.command === 'evaluate' ? 'the input `live` is true' : `the input \`command\` is '${inputs.command}'`;
  const scope = azureScope(settings, { door: 'action', asked });
  return {
    scope,
    ...(settings.assignmentScope !== undefined ? { assignmentScope: settings.assignmentScope } : {}),
    ...(settings.pinned ? { pinned: settings.pinned } : {})
  };
}

/** A document with the settings taken from the base listed among what was set aside, as `plan`'s report lists them. */
function withPinned(
  document: FindingsDocument,
  pinned: { file: string; reason: string }[] | undefined
): FindingsDocument {
  if (!pinned?.length) return document;
  return {
    ...document,
    skipped: [...(document.skipped ?? []), ...pinned.map(entry => ({ ...entry, atBase: true as const }))]
  };
}

/** How to reach Azure, from the inputs: the cloud or endpoint, and OIDC through the runner's ID token. */
function azureConnection(inputs: ActionInputs, context: RunContext, deadline: RunDeadline | undefined) {
  return {
    cloud: inputs.azure.cloud,
    armEndpoint: inputs.azure.armEndpoint,
    tenantId: inputs.azure.tenantId,
    clientId: inputs.azure.clientId,
    idToken: (audience: string) => core.getIDToken(audience),
    ...tokenEndpoints(inputs, context),
    ...(deadline ? { deadline } : {})
  };
}

/** The events whose run is about a pull request, and may run its code or read its files. */
function isPullRequestEvent(eventName: string | undefined): boolean {
  return eventName?.startsWith('pull_request') === true;
}

/**
 * On a pull request, the token in CMK_GUARD_AZURE_TOKEN goes only to the endpoint the workflow names (or a named
 * cloud's): whatever a configuration file says, the connection refuses another (src/azure/connection.ts).
 */
function tokenEndpoints(inputs: ActionInputs, context: RunContext): { staticTokenEndpoints?: string[] } {
  if (!context.pullRequest && !isPullRequestEvent(context.eventName)) return {};
  return { staticTokenEndpoints: inputs.azure.armEndpoint ? [inputs.azure.armEndpoint] : [] };
}

/** A user error as a document that reports it everywhere, and the one-line reason the step fails. */
/** A user error as the run's document and failure line, with paths relative to the workspace. */
function failedDocument(error: unknown, workspace: string): { document: FindingsDocument; failure: string } {
  if (!isUserError(error)) throw error;
  const errors = error instanceof UserErrors ? error.errors : [error];
  const document = buildDocument(
    [],
    0,
    0,
    errors.map(e => inputError(e, workspace))
  );
  return { document, failure: oneLine(error.describe(workspace)) };
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const [owner, repo] = repository.split('/');
  return { owner, repo };
}
