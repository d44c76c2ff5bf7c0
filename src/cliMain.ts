/** The command line: parse argv, hand over to the command, exit with its code (cli.ts loads this). */
import { runCli } from './commands/index.js';
import { neutralizeCommandLines } from './report/escape.js';

// Run in a workflow step, both streams are read for workflow commands: no line of ours starts with `::`.
runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdoutIsTerminal: process.stdout.isTTY === true,
  stderrIsTerminal: process.stderr.isTTY === true,
  stdout: text => process.stdout.write(neutralizeCommandLines(text)),
  stderr: text => process.stderr.write(neutralizeCommandLines(text))
}).then(
  code => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `cmk-guard: internal error (a bug, please report it): ${String(error instanceof Error ? error.stack : error)}\n`
    );
    process.exitCode = 3;
  }
);
