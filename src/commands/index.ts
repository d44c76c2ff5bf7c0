/** The CLI's entry: parses the arguments, prints help and the version, and runs the command named. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundledPolicies } from '../paths.js';
import { loadPackFile } from '../rules/index.js';
import { isUserError } from '../model/errors.js';
import { VERSION } from '../version.js';
import type { Command, CommandIO, OptionSpec, OptionValues } from './command.js';
import { EXIT_USAGE, printUserError } from './command.js';
import { azureSdkNodeWarning, cliNodeError, commands } from './registry.js';
import { loadRuleTooling } from '../rules/tooling.js';

function toolHelp(): string {
  const width = Math.max(...commands.map(c => c.name.length));
  const lines = commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'cmk-guard: keep Azure AI services (Foundry Tools) encrypted with customer-managed keys.',
    '',
    'Usage: cmk-guard <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also: cmk-guard <command> --help)',
    '  -v, --version  print the version',
    '',
    'Exit codes: 0 nothing at or above the failure threshold, 1 findings at or above it, 2 bad usage or bad input.',
    ''
  ].join('\n');
}

/** `cmk-guard 0.1.0 (rule pack cmk-guard-foundry-tools 1.0.0)`: the tool, and the pack it checks with by default. */
export function versionLine(): string {
  const pack = loadPackFile(path.join(bundledPolicies(), 'pack.yaml'));
  return `cmk-guard ${VERSION} (rule pack ${pack.name} ${pack.version})`;
}

function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : '';
  return `${short}--${name}${value}`;
}

export function commandHelp(command: Command): string {
  const entries = Object.entries(command.options).map(([name, spec]) => [optionLabel(name, spec), spec] as const);
  entries.push(['-h, --help', { type: 'boolean', description: 'show this help' }]);
  const width = Math.max(...entries.map(([label]) => label.length));
  const lines = entries.map(([label, spec]) => {
    const extra: string[] = [];
    if (spec.multiple) extra.push('repeatable');
    if (spec.default !== undefined && spec.default !== false) extra.push(`default: ${String(spec.default)}`);
    return `  ${label.padEnd(width)}  ${spec.description}${extra.length ? ` (${extra.join('; ')})` : ''}`;
  });
  return [command.usage.trimEnd(), '', 'Options:', ...lines, ''].join('\n');
}

/** Runs the CLI with argv (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const tooOld = cliNodeError(io.nodeVersion ?? process.versions.node);
  if (tooOld) {
    io.stderr(`${tooOld}\n`);
    return EXIT_USAGE;
  }
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const named = first === 'help' ? rest[0] : undefined;
    if (named !== undefined) {
      const command = commands.find(c => c.name === named);
      if (!command) return usageError(io, `unknown command '${named}'.`);
      io.stdout(commandHelp(command));
      return 0;
    }
    io.stdout(toolHelp());
    return first === undefined ? EXIT_USAGE : 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout(`${versionLine()}\n`);
    return 0;
  }
  const command = commands.find(c => c.name === first);
  if (!command) return usageError(io, `unknown command '${first}'. Run 'cmk-guard --help' for the list.`);

  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          Object.entries(command.options).map(([name, spec]) => [
            name,
            { type: spec.type, multiple: spec.multiple ?? false, ...(spec.short ? { short: spec.short } : {}) }
          ])
        )
      }
    });
  } catch (error) {
    return usageError(io, `${(error as Error).message.replace(/\. To specify.*$/s, '.')}`, command);
  }
  if (parsed.values.help) {
    io.stdout(commandHelp(command));
    return 0;
  }
  const { min, max, placeholder } = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    const what = placeholder ? ` (${placeholder})` : '';
    return usageError(
      io,
      `'${command.name}' takes ${want} argument${want === '1' ? '' : 's'}${what}, got ${parsed.positionals.length}.`,
      command
    );
  }
  const values: OptionValues = {};
  for (const [name, spec] of Object.entries(command.options)) {
    const given = (parsed.values as Record<string, string | boolean | string[] | undefined>)[name];
    values[name] = given ?? spec.default;
  }
  const nodeWarning = azureSdkNodeWarning(command.name, values, io.nodeVersion ?? process.versions.node);
  if (nodeWarning) io.stderr(`cmk-guard: warning: ${nodeWarning}\n`);
  return runCommand(command, values, parsed.positionals, io);
}

/**
 * Runs a command with its options parsed: a user error is printed and is exit code 2. A worker thread
 * (src/cliThread.ts) runs its command through this too.
 */
export async function runCommand(
  command: Command,
  values: OptionValues,
  positionals: string[],
  io: CommandIO
): Promise<number> {
  try {
    if (!command.loadsToolingItself) await loadRuleTooling();
    return await command.run(values, positionals, io);
  } catch (error) {
    if (isUserError(error)) {
      printUserError(io, error);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function usageError(io: CommandIO, message: string, command?: Command): number {
  io.stderr(`cmk-guard: ${message}\n`);
  io.stderr(command ? `Run 'cmk-guard ${command.name} --help' for usage.\n` : `Run 'cmk-guard --help' for usage.\n`);
  return EXIT_USAGE;
}
