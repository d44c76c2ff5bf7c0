#!/usr/bin/env node
/** The command-line door: parse argv, hand over to the command, exit with its code. */
import { runCli } from './commands/index.js';

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text)
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
