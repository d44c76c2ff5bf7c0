/** `cmk-guard evaluate`: the pipeline on the command line, its findings as text, JSON or SARIF, and the exit code. */
import path from 'node:path';
import { UserError } from '../model/errors.js';
import type { FindingsDocument, Severity } from '../model/finding.js';
import { bundledPolicies } from '../paths.js';
import { parseParameterOverrides } from '../sources/overrides.js';
import { escapeTerminal } from '../report/escape.js';
import { writeFileAtomic } from '../report/files.js';
import { jsonReport } from '../report/json.js';
import { sarifReport } from '../report/sarif.js';
import { writeChunks, type ReportPieces } from '../report/stream.js';
import { textReport } from '../report/text.js';
import { exitCodeFor } from '../model/finding.js';
import { evaluateRepository } from '../run.js';
import type { Command, CommandIO, OptionValues } from './command.js';
import { EXIT_USAGE } from './command.js';

const formats = ['text', 'json', 'sarif'] as const;
type Format = (typeof formats)[number];
const thresholds = ['error', 'warning', 'note', 'never'] as const;

function list(value: OptionValues[string]): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`--${option} must be one of ${allowed.join(', ')}; got '${String(value)}'.`);
}

/** The report in `format`, a piece at a time: never one string, however many findings there are. */
export function render(document: FindingsDocument, format: Format, cwd: string): ReportPieces {
  switch (format) {
    case 'json':
      return jsonReport(document);
    case 'sarif':
      return sarifReport(document, { workspace: cwd });
    default:
      return textReport(document);
  }
}

export async function evaluateAndReport(options: OptionValues, io: CommandIO, policiesDefault: string | undefined) {
  const format = oneOf('format', options.format, formats);
  const failOn = oneOf('fail-on', options['fail-on'], thresholds) as Severity | 'never';
  const definitions = list(options.definitions);
  const policies =
    typeof options.policies === 'string' ? options.policies : definitions.length ? undefined : policiesDefault;
  const templates = list(options.templates);
  const resources = list(options.resources);
  if (!templates.length && !resources.length) {
    throw new UserError('nothing to evaluate: give --templates PATTERN and/or --resources FILE.');
  }
  const document = await evaluateRepository({
    cwd: io.cwd,
    policies,
    definitions,
    templates,
    parameters: list(options.parameters),
    parameterOverrides: parseParameterOverrides(list(options.parameter)),
    resources,
    base: typeof options.base === 'string' ? options.base : undefined,
    baseRequired: typeof options.base === 'string',
    baseTemplates: list(options['base-templates'])
  });
  const output = render(document, format, io.cwd);
  if (typeof options.output === 'string') {
    // Atomically: an interrupted run leaves the previous report, never half of a new one.
    const file = path.resolve(io.cwd, options.output);
    try {
      writeFileAtomic(file, output);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot write the report: ${(error as Error).message}; check --output.`, {
        file: options.output
      });
    }
  } else {
    writeChunks(output, io.stdout);
  }
  for (const error of document.errors ?? []) {
    const where = error.line === null ? error.file : `${error.file}:${error.line}:${error.column ?? 1}`;
    io.stderr(`cmk-guard: ${escapeTerminal(where)}: ${escapeTerminal(error.message)}\n`);
  }
  return { document, failOn };
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
  format: { type: 'string', short: 'f', placeholder: 'FORMAT', description: 'text, json or sarif', default: 'text' },
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
    const { document, failOn } = await evaluateAndReport(options, io, bundledPolicies());
    if (document.errors?.length) return EXIT_USAGE;
    return exitCodeFor(document, failOn);
  }
};
