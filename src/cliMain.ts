/** The command line: parse argv, hand over to the command, exit with its code (cli.ts loads this). */
import { runCli } from './commands/index.js';
import { neutralizeCommandLines } from './report/escape.js';

/** Runs the command line; `entry` is the CLI's entry module, from which a large evaluation starts a worker. */
export async function main(entry: URL): Promise<void> {
  // Run in a workflow step, both streams are read for workflow commands: no line of ours starts with `::`.
  process.exitCode = await runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTerminal: process.stdout.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
    threadEntry: entry,
    stdout: text => process.stdout.write(neutralizeCommandLines(text)),
    stderr: text => process.stderr.write(neutralizeCommandLines(text))
  });
}
