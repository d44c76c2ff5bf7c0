/** `cmk-guard evaluate`: the pipeline on the command line, its findings as text, JSON or SARIF, and the exit code. */
import path from 'node:path';
import { UserError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import { bundledPolicies } from '../paths.js';
import { parseParameterOverrides } from '../sources/overrides.js';
import { escapeTerminal } from '../report/escape.js';
import { writeFileAtomic } from '../report/files.js';
import { writeChunks } from '../report/stream.js';
import { colourWanted } from '../report/colour.js';
import { parseFormat, renderReport, reportFormats, showsErrorsToReader, type ReportFormat } from '../report/formats.js';
import { exitCodeFor, type FailurePolicy } from '../model/finding.js';
import { severities } from '../rules/selection.js';
import { evaluateRepository, type EvaluateRequest } from '../run.js';
import type { Command, CommandIO, OptionValues } from './command.js';
import { EXIT_USAGE } from './command.js';

const thresholds = ['error', 'warning', 'note', 'never'] as const;

function list(value: OptionValues[string]): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  const wanted = typeof value === 'string' ? value.trim().toLowerCase() : value;
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

/**
 * The one place where `evaluate`'s options become an evaluation request and report settings. The
 * action door maps its inputs to the same `EvaluateRequest` (src/main.ts).
 */
export function evaluateSettings(
  options: OptionValues,
  cwd: string,
  policiesDefault: string | undefined
): { request: EvaluateRequest; report: ReportSettings } {
  const format = parseFormat(options.format);
  const failOn = oneOf('fail-on', options['fail-on'], thresholds) as Severity | 'never';
  const definitions = list(options.definitions);
  const policies =
    typeof options.policies === 'string' ? options.policies : definitions.length ? undefined : policiesDefault;
  const templates = list(options.templates);
  const resources = list(options.resources);
  if (!templates.length && !resources.length) {
    throw new UserError('nothing to evaluate: give --templates PATTERN and/or --resources FILE.');
  }
  const minSeverity = options['min-severity'];
  const request: EvaluateRequest = {
    cwd,
    policies,
    definitions,
    templates,
    parameters: list(options.parameters),
    parameterOverrides: parseParameterOverrides(list(options.parameter)),
    resources,
    base: typeof options.base === 'string' ? options.base : undefined,
    baseRequired: typeof options.base === 'string',
    baseTemplates: list(options['base-templates']),
    selection: {
      rules: list(options.rules),
      skipRules: list(options['skip-rules']),
      ...(minSeverity !== undefined ? { minSeverity: oneOf('min-severity', minSeverity, severities) } : {})
    }
  };
  return {
    request,
    report: {
      format,
      failOn,
      failOnIndeterminate: options['fail-on-indeterminate'] === true,
      ...(typeof options.output === 'string' ? { output: options.output } : {})
    }
  };
}

export async function evaluateAndReport(options: OptionValues, io: CommandIO, policiesDefault: string | undefined) {
  const { request, report } = evaluateSettings(options, io.cwd, policiesDefault);
  const document = await evaluateRepository(request);
  const colour = report.output === undefined && colourWanted(io.env, io.stdoutIsTerminal === true);
  const output = renderReport(document, report.format, {
    cwd: io.cwd,
    colour,
    failOnIndeterminate: report.failOnIndeterminate
  });
  if (report.output !== undefined) {
    // Atomically: an interrupted run leaves the previous report, never half of a new one.
    const file = path.resolve(io.cwd, report.output);
    try {
      writeFileAtomic(file, output);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot write the report: ${(error as Error).message}; check --output.`, {
        file: report.output
      });
    }
  } else {
    writeChunks(output, io.stdout);
  }
  // Errors are printed once: on standard error unless the report a person reads already lists them.
  if (report.output !== undefined || !showsErrorsToReader(report.format)) {
    for (const error of document.errors ?? []) {
      const where = error.line === null ? error.file : `${error.file}:${error.line}:${error.column ?? 1}`;
      io.stderr(`cmk-guard: ${escapeTerminal(where)}: ${escapeTerminal(error.message)}\n`);
    }
  }
  return { document, report };
}

export const evaluateOptions: Command['options'] = {
  policies: {
    type: 'string',
    placeholder: 'DIR',
    description: 'a folder of cmk-guard rule files (default: the bundled pack, unless --definitions is given)'
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
    description: 'ARM templates: a glob or a folder'
  },
  parameters: {
    type: 'string',
    multiple: true,
    short: 'p',
    placeholder: 'FILE',
    description: 'a parameter file (otherwise paired by name: main.parameters.json)'
  },
  parameter: {
    type: 'string',
    multiple: true,
    placeholder: 'NAME=VALUE',
    description: 'a parameter value that wins over defaults and parameter files'
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
  format: {
    type: 'string',
    short: 'f',
    placeholder: 'FORMAT',
    description: `${reportFormats.join(', ')} (any case)`,
    default: 'text'
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
    description: 'exit 1 on noncompliant findings at or above: error, warning, note, never',
    default: 'error'
  },
  'fail-on-indeterminate': {
    type: 'boolean',
    description: 'indeterminate findings at or above --fail-on fail the run too (exit 1)',
    default: false
  }
};

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'evaluate rules and policy definitions against ARM templates and resource snapshots',
  usage: [
    'Usage: cmk-guard evaluate [--policies DIR] [--definitions PATH]... (--templates PATTERN | --resources FILE)... [options]',
    '',
    'Evaluates the rule pack (compiled to Azure Policy) and any policy definitions against the resources',
    'of ARM templates (expanded as Azure Resource Manager would) and resource snapshots, and reports',
    'one finding per applicable rule and resource: compliant, noncompliant, or indeterminate with why.'
  ].join('\n'),
  options: evaluateOptions,
  positionals: { min: 0, max: 0 },
  async run(options, _positionals, io) {
    const { document, report } = await evaluateAndReport(options, io, bundledPolicies());
    if (document.errors?.length) return EXIT_USAGE;
    return exitCodeFor(document, report);
  }
};
