/** `cmk-guard evaluate`: the pipeline on the command line, its findings as text, JSON or SARIF, and the exit code. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../model/errors.js';
import type { FindingsStream } from '../model/finding.js';
import { bundledPolicies } from '../paths.js';
import { parseParameterOverrides } from '../sources/overrides.js';
import { escapeTerminal } from '../report/escape.js';
import { writeFileAtomic } from '../report/files.js';
import { writeChunks, type ReportPieces } from '../report/stream.js';
import { colourWanted } from '../report/colour.js';
import { progressLine, progressWanted } from '../report/progress.js';
import { parseFormat, renderReport, reportFormats, showsErrorsToReader, type ReportFormat } from '../report/formats.js';
import { exitCodeFor, type FailurePolicy } from '../model/finding.js';
import { severities } from '../rules/selection.js';
import {
  evaluateRepositoryStreamed,
  snapshotBytes,
  type EvaluateRequest,
  type StreamedFindingsDocument
} from '../run.js';
import { runInThread, threadWanted } from './thread.js';
import {
  azureScope,
  parseDeploymentSubscriptionId,
  parseRegion,
  parseResourceGroupName,
  prepareSettings,
  resolveScopeSettings,
  resolveSettings,
  type GivenSettings
} from '../config/settings.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { azureConnectionOptions, connectionFromOptions } from './azureOptions.js';
import type { Command, CommandIO, OptionValues } from './command.js';
import { EXIT_USAGE, optionList } from './command.js';
import { foldCase } from '../model/foldCase.js';

export const thresholds = ['error', 'warning', 'note', 'never'] as const;

export function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  const wanted = typeof value === 'string' ? foldCase(value.trim()) : value;
  const found = allowed.find(a => a === wanted);
  if (found) return found;
  throw new UserError(`--${option} must be one of ${allowed.join(', ')}; got '${String(value)}'.`);
}

/** How the report is written and when the run fails: the options that do not change what is evaluated. */
export interface ReportSettings extends FailurePolicy {
  format: ReportFormat;
  /** A file to write the report to, relative to the working folder; standard output when absent. */
  output?: string;
}

/** What the evaluate flags say, for merging with the configuration file; undefined where they say nothing. */
export function givenSettings(options: OptionValues): GivenSettings {
  const text = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const policies = text('policies');
  const failOn = options['fail-on'] === undefined ? undefined : oneOf('fail-on', options['fail-on'], thresholds);
  const minSeverity = options['min-severity'];
  return {
    config: text('config'),
    root: text('root'),
    ...(policies !== undefined ? { policies: foldCase(policies) === 'none' ? null : [policies] } : {}),
    definitions: optionList(options.definitions),
    templates: optionList(options.templates),
    parameters: optionList(options.parameters),
    parameterValues: parseParameterOverrides(optionList(options.parameter)),
    ...(text('resource-group-location') !== undefined
      ? { resourceGroupLocation: parseRegion(text('resource-group-location')!, '--resource-group-location') }
      : {}),
    ...(text('deployment-location') !== undefined
      ? { deploymentLocation: parseRegion(text('deployment-location')!, '--deployment-location') }
      : {}),
    ...(text('resource-group') !== undefined
      ? { resourceGroup: parseResourceGroupName(text('resource-group')!, '--resource-group') }
      : {}),
    ...(text('deployment-subscription-id') !== undefined
      ? {
          deploymentSubscriptionId: parseDeploymentSubscriptionId(
            text('deployment-subscription-id')!,
            '--deployment-subscription-id'
          )
        }
      : {}),
    resources: optionList(options.resources),
    ...(failOn !== undefined ? { failOn } : {}),
    ...(typeof options['fail-on-indeterminate'] === 'boolean'
      ? { failOnIndeterminate: options['fail-on-indeterminate'] }
      : {}),
    rules: optionList(options.rules),
    skipRules: optionList(options['skip-rules']),
    ...(minSeverity !== undefined ? { minSeverity: oneOf('min-severity', minSeverity, severities) } : {}),
    ...(text('format') !== undefined ? { format: text('format') } : {}),
    ...(text('baseline') !== undefined ? { baseline: text('baseline') } : {})
  };
}

/**
 * The one place where `evaluate`'s options and the configuration file become an evaluation request and
 * report settings; the action door maps its inputs through the same `resolveSettings` (src/main.ts).
 */
export function evaluateSettings(
  options: OptionValues,
  io: Pick<CommandIO, 'cwd' | 'now'> & Partial<Pick<CommandIO, 'env' | 'stderr'>>,
  policiesDefault: string
): { request: EvaluateRequest; report: ReportSettings } {
  // Checked against a base (a pull request's), the base's configuration decides whether the run fails.
  const gateBase = typeof options.base === 'string' ? { gateBase: options.base } : {};
  const resolved = resolveSettings({ ...givenSettings(options), ...gateBase }, io.cwd, {
    bundledPolicies: policiesDefault,
    packWithDefinitions: false,
    spelling: { rules: '--rules', skipRules: '--skip-rules', minSeverity: '--min-severity' }
  });
  const { templates, resources } = resolved.request;
  const live = liveScope(options, io.cwd);
  const scope = live?.scope;
  if (!templates.length && !resources.length && scope === undefined) {
    throw new UserError(
      'nothing to evaluate: give --templates PATTERN, --resources FILE and/or --scope SCOPE (or `templates:` in cmk-guard.yaml).'
    );
  }
  const request: EvaluateRequest = {
    ...resolved.request,
    ...(live?.pinned ? { pinned: [...(resolved.request.pinned ?? []), ...live.pinned] } : {}),
    ...(io.env ? { env: io.env } : {}),
    base: typeof options.base === 'string' ? options.base : undefined,
    baseRequired: typeof options.base === 'string',
    baseTemplates: optionList(options['base-templates']),
    ...(io.now ? { now: io.now } : {}),
    root: typeof options.root === 'string' ? options.root : undefined,
    ...(scope !== undefined
      ? {
          live: {
            env: io.env ?? {},
            scope,
            connection: connectionFromOptions(options),
            log: (line: string) => io.stderr?.(`cmk-guard: ${escapeTerminal(line)}\n`)
          }
        }
      : {})
  };
  return {
    request,
    report: {
      format: parseFormat(
        resolved.format ?? 'text',
        resolved.format && options.format === undefined ? '`format` in cmk-guard.yaml' : '--format'
      ),
      failOn: resolved.failOn,
      failOnIndeterminate: resolved.failOnIndeterminate,
      ...(typeof options.output === 'string' ? { output: options.output } : {})
    }
  };
}

/**
 * The live scope `evaluate` reads: --scope, or with --live what `compliance` and `plan` take (cmk-guard.yaml's
 * `azure.scope`, else its `azure.subscription-id`; the base's with --base where the change sets them otherwise).
 */
function liveScope(
  options: OptionValues,
  cwd: string
): { scope: string; pinned?: { file: string; reason: string }[] } | undefined {
  const given = typeof options.scope === 'string' ? options.scope : undefined;
  if (given !== undefined) return { scope: given };
  if (options.live !== true) return undefined;
  const named = typeof options.config === 'string' ? options.config : undefined;
  const root = path.resolve(cwd, typeof options.root === 'string' ? options.root : '.');
  const file = findConfigFile(cwd, named, root);
  const config = file === null ? null : loadConfig(file, cwd, root);
  const base = typeof options.base === 'string' ? options.base : undefined;
  const settings = resolveScopeSettings(
    {},
    config,
    base !== undefined ? { base, file, ...(named !== undefined ? { named } : {}), cwd, root } : undefined,
    false
  );
  const scope = azureScope(settings, {
    door: 'cli',
    command: 'evaluate --live',
    kinds: 'a management group, subscription or resource group'
  });
  return { scope, ...(settings.pinned ? { pinned: settings.pinned } : {}) };
}

/** Writes a report atomically: an interrupted run leaves the previous file, never half of a new one. */
export function writeReport(cwd: string, file: string, content: string | ReportPieces, flag: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(cwd, file)), { recursive: true });
    writeFileAtomic(path.resolve(cwd, file), content);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write ${file}: ${(error as Error).message}; check ${flag}.`, { file });
  }
}

/** Input errors on standard error, where the report a person reads does not list them already. */
export function printInputErrors(document: Pick<FindingsStream, 'errors'>, io: CommandIO): void {
  for (const error of document.errors ?? []) {
    const where = error.line === null ? error.file : `${error.file}:${error.line}:${error.column ?? 1}`;
    io.stderr(`cmk-guard: ${escapeTerminal(where)}: ${escapeTerminal(error.message)}\n`);
  }
}

/**
 * A command's run handed to a worker thread when its snapshots are large (src/commands/thread.ts): its exit code
 * to come, or undefined to run it in this thread (small snapshots, CMK_GUARD_WORKER=off, or no entry to start a
 * worker from, as in tests and the action).
 */
export function runInWorkerWhenLarge(
  command: string,
  options: OptionValues,
  positionals: string[],
  request: EvaluateRequest,
  io: CommandIO
): Promise<number> | undefined {
  if (!io.threadEntry || !threadWanted(io.env, snapshotBytes(request))) return undefined;
  return runInThread(io.threadEntry, command, options, positionals, io);
}

/**
 * Evaluates, with a progress line on standard error when it is a terminal and the run lasts; the line is
 * erased before anything else is written. The findings are read back as they are reported: call
 * `findings.dispose()` when done with them.
 */
export async function evaluateWithProgress(request: EvaluateRequest, io: CommandIO): Promise<StreamedFindingsDocument> {
  if (!progressWanted(io.env, io.stderrIsTerminal === true)) return evaluateRepositoryStreamed(request);
  const line = progressLine(io.stderr, io.clock);
  try {
    return await evaluateRepositoryStreamed({ ...request, progress: line.report });
  } finally {
    line.end();
  }
}

/** The report in the format asked for, to --output (atomically) or standard output; input errors on standard error. */
export function writeEvaluationReport(document: FindingsStream, report: ReportSettings, io: CommandIO): void {
  const colour = report.output === undefined && colourWanted(io.env, io.stdoutIsTerminal === true);
  const output = renderReport(document, report.format, {
    cwd: io.cwd,
    colour,
    failOnIndeterminate: report.failOnIndeterminate
  });
  if (report.output !== undefined) writeReport(io.cwd, report.output, output, '--output');
  else writeChunks(output, io.stdout);
  // Errors are printed once: on standard error unless the report a person reads already lists them.
  if (report.output !== undefined || !showsErrorsToReader(report.format)) printInputErrors(document, io);
}

export const evaluateOptions: Command['options'] = {
  policies: {
    type: 'string',
    placeholder: 'DIR',
    description:
      'a folder of cmk-guard rule files, or none for no rules (default: the bundled pack, unless --definitions is given)'
  },
  definitions: {
    type: 'string',
    multiple: true,
    placeholder: 'PATH',
    description: 'Azure Policy definition files or folders to evaluate as well'
  },
  templates: {
    type: 'string',
    multiple: true,
    short: 't',
    placeholder: 'PATTERN',
    description: 'ARM templates and Bicep files: a glob, a folder or a file'
  },
  parameters: {
    type: 'string',
    multiple: true,
    short: 'p',
    placeholder: 'FILE',
    description:
      'a parameter file, .json or .bicepparam (otherwise paired by name: main.parameters.json, main.bicepparam)'
  },
  parameter: {
    type: 'string',
    multiple: true,
    placeholder: 'NAME=VALUE',
    description: 'a parameter value that wins over defaults and parameter files'
  },
  'resource-group-location': {
    type: 'string',
    placeholder: 'REGION',
    description:
      'where the resource group the templates deploy to is: what resourceGroup().location gives (default: unknown)'
  },
  'deployment-location': {
    type: 'string',
    placeholder: 'REGION',
    description:
      'where a subscription, management group or tenant deployment is: what deployment().location gives (default: unknown)'
  },
  'resource-group': {
    type: 'string',
    placeholder: 'NAME',
    description:
      "the resource group the templates deploy to: what resourceGroup().name gives, and their ids' group (default: unknown)"
  },
  'deployment-subscription-id': {
    type: 'string',
    placeholder: 'ID',
    description:
      "the subscription the templates deploy to: what subscription().subscriptionId gives, and their ids' (default: unknown)"
  },
  resources: {
    type: 'string',
    multiple: true,
    short: 'r',
    placeholder: 'FILE',
    description: 'a resource snapshot: a JSON array, or {"value": [...]} as az resource list returns'
  },
  base: {
    type: 'string',
    placeholder: 'REF',
    description:
      "the PR's base commit: the same templates are read from git there, for rules that compare before and after"
  },
  'base-templates': {
    type: 'string',
    multiple: true,
    placeholder: 'PATTERN',
    description: 'or the templates as they were before the change, as files (a glob or a folder)'
  },
  rules: {
    type: 'string',
    multiple: true,
    placeholder: 'NAME',
    description: "run only these rules and definitions: names or globs ('key-vault-*'), comma-separated or repeated"
  },
  'skip-rules': {
    type: 'string',
    multiple: true,
    placeholder: 'NAME',
    description: 'do not run these rules and definitions: names or globs, comma-separated or repeated'
  },
  'min-severity': {
    type: 'string',
    placeholder: 'SEVERITY',
    description: 'run only rules at or above error, warning or note, and report only findings at or above it'
  },
  root: {
    type: 'string',
    placeholder: 'DIR',
    description:
      'the repository: every file read (templates, parameter files, linked templates, rules, definitions, snapshots) must be inside it (default: the current folder)'
  },
  scope: {
    type: 'string',
    placeholder: 'SCOPE',
    description:
      'a live scope (management group, subscription or resource group): its resources, read from Azure Resource Graph'
  },
  live: {
    type: 'boolean',
    description:
      "the live resources of cmk-guard.yaml's azure.scope, else of the subscription its azure.subscription-id names (what compliance and plan take), without --scope"
  },
  ...azureConnectionOptions,
  format: {
    type: 'string',
    short: 'f',
    placeholder: 'FORMAT',
    description: `${reportFormats.join(', ')} (any case; default: text)`
  },
  output: {
    type: 'string',
    short: 'o',
    placeholder: 'FILE',
    description: 'write the report here instead of standard output'
  },
  'fail-on': {
    type: 'string',
    placeholder: 'SEVERITY',
    description: 'exit 1 on noncompliant findings at or above: error (the default), warning, note, never'
  },
  'fail-on-indeterminate': {
    type: 'boolean',
    description: 'indeterminate findings at or above --fail-on fail the run too (exit 1)'
  },
  config: {
    type: 'string',
    placeholder: 'FILE',
    description: 'the configuration file (default: cmk-guard.yaml here, if there is one); none for no file'
  },
  baseline: {
    type: 'string',
    placeholder: 'FILE',
    description: 'a findings document from an earlier run (cmk-guard baseline): only findings not in it fail'
  }
};

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'evaluate rules and policy definitions against ARM templates and resource snapshots',
  usage: [
    'Usage: cmk-guard evaluate [--policies DIR] [--definitions PATH]... (--templates PATTERN | --resources FILE | --scope SCOPE | --live)... [options]',
    '',
    'Evaluates the rule pack (compiled to Azure Policy) and any policy definitions (files, folders, the',
    'output of az policy definition list and az policy set-definition list) against the resources of ARM',
    'templates and Bicep files (expanded as Azure Resource Manager would; .bicep compiled with the Bicep',
    'CLI on PATH) and resource snapshots, and reports one finding per applicable rule and resource:',
    'compliant, noncompliant, or indeterminate with why. A pattern that matches no template, or a named',
    'file that is not one, is an error; files a glob happens to match that are not templates are skipped',
    'and listed. With --scope, the live resources of an Azure scope are read with Resource Graph (what the',
    'pack would find if it were assigned); sign in with `az login` or set CMK_GUARD_AZURE_TOKEN (Reader).',
    'With --live and no --scope, the scope is the one compliance and plan take from cmk-guard.yaml:',
    '`azure.scope`, else the subscription `azure.subscription-id` names.',
    '',
    'Examples:',
    "  cmk-guard evaluate --templates 'infra/**/*.bicep' --base origin/main",
    "  cmk-guard evaluate -t infra --rules 'key-vault-*' --format compact",
    '  cmk-guard evaluate --definitions builtin/ --resources snapshot.json --format sarif -o results.sarif',
    '  cmk-guard evaluate --scope /providers/Microsoft.Management/managementGroups/platform'
  ].join('\n'),
  options: evaluateOptions,
  positionals: { min: 0, max: 0 },
  loadsToolingItself: true,
  async run(options, positionals, io) {
    await prepareSettings(givenSettings(options), io.cwd);
    const { request, report } = evaluateSettings(options, io, bundledPolicies());
    const handedOver = runInWorkerWhenLarge('evaluate', options, positionals, request, io);
    if (handedOver) return handedOver;
    const document = await evaluateWithProgress(request, io);
    try {
      writeEvaluationReport(document, report, io);
      if (document.errors?.length) return EXIT_USAGE;
      return exitCodeFor(document, report);
    } finally {
      document.findings.dispose();
    }
  }
};
