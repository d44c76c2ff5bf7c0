import path from 'node:path';
import { UserError, UserErrors } from '../model/errors.js';
import { escapeTerminal } from '../report/escape.js';
import { writeFileAtomic } from '../report/files.js';
import { writeChunks, type ReportPieces } from '../report/stream.js';

/**
 * A CLI command: its help, its options (parsed strictly by node:util parseArgs, so an
 * unknown flag is an error), and what it does. The action door builds the same option
 * values from its inputs and calls the same `run`.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in --help, e.g. `DIR` or `PATTERN`. */
  placeholder?: string;
  description: string;
  default?: string | boolean | string[];
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** A repeatable option's values: none, one, or the list given. */
export function optionList(value: OptionValues[string]): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}

export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether standard output is a terminal (colour is used only then). */
  stdoutIsTerminal?: boolean;
  /** Whether standard error is a terminal (the progress line is drawn only then). */
  stderrIsTerminal?: boolean;
  /** Milliseconds, for the progress line; `Date.now` unless a test gives its own clock. */
  clock?: () => number;
  /** The Node.js version running (`process.versions.node` unless a test gives another). */
  nodeVersion?: string;
  /** The clock exceptions' dates are read against; the process's own unless a test fixes it. */
  now?: Date;
  /**
   * The CLI's entry module (dist/cli/index.js): a large evaluation runs in a worker thread started from it
   * (src/commands/thread.ts). Absent, every command runs in this thread.
   */
  threadEntry?: URL;
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface Command {
  name: string;
  /** One line for the tool's --help. */
  summary: string;
  /** Usage line(s) and a paragraph for the command's --help. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number; placeholder?: string };
  /**
   * Whether the command loads ajv, js-yaml and RE2 (src/rules/tooling.ts) itself where it needs them (evaluate:
   * not at all with the bundled pack); every other command has them loaded before it runs.
   */
  loadsToolingItself?: boolean;
  /** Returns the exit code: 0 nothing at or above the threshold, 1 findings at or above it, 2 bad usage or input. */
  run(options: OptionValues, positionals: string[], io: CommandIO): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/**
 * Prints a user error on standard error, once, one line per mistake: `cmk-guard: file:line:col:
 * message`, paths relative to the working folder, and nothing the input wrote can move the cursor.
 */
export function printUserError(io: CommandIO, error: UserError): void {
  const errors = error instanceof UserErrors ? error.errors : [error];
  for (const e of errors) io.stderr(`cmk-guard: ${escapeTerminal(e.describe(io.cwd))}\n`);
}

/**
 * Prints a report, or writes it to `--output` atomically: an interrupted run leaves the
 * previous file, never half of a new one.
 */
export function printOrWrite(text: string | ReportPieces, output: OptionValues[string], io: CommandIO): void {
  if (typeof output !== 'string') {
    if (typeof text === 'string') io.stdout(text);
    else writeChunks(text, io.stdout);
    return;
  }
  try {
    writeFileAtomic(path.resolve(io.cwd, output), text);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write the report: ${(error as Error).message}; check --output.`, { file: output });
  }
}
