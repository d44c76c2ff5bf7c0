/**
 * The worker thread's side of src/commands/thread.ts: the CLI's entry (cli.ts) loads this instead of the command
 * line when it is started as cmk-guard's worker. It runs the command it was given, sends its output back a
 * chunk at a time (waiting while the backlog is long), then its exit code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCommand } from './commands/index.js';
import { commands } from './commands/registry.js';
import type { CommandIO } from './commands/command.js';
import { THREAD_BACKLOG_CHARS, type ThreadData, type ThreadMessage } from './commands/threadData.js';

export async function serveThread(): Promise<void> {
  const port = parentPort!;
  const data = workerData as ThreadData;
  const send = (message: ThreadMessage) => port.postMessage(message);
  const pending = new Int32Array(data.backlog);
  const write = (stream: 'stdout' | 'stderr') => (text: string) => {
    if (!text) return;
    Atomics.add(pending, 0, text.length);
    send({ stream, text });
    for (let waiting = Atomics.load(pending, 0); waiting > THREAD_BACKLOG_CHARS; waiting = Atomics.load(pending, 0))
      Atomics.wait(pending, 0, waiting, 1000);
  };
  const io: CommandIO = {
    cwd: data.cwd,
    env: data.env,
    stdoutIsTerminal: data.stdoutIsTerminal,
    stderrIsTerminal: data.stderrIsTerminal,
    stdout: write('stdout'),
    stderr: write('stderr')
  };
  try {
    const command = commands.find(c => c.name === data.command);
    if (!command) throw new Error(`no command named ${data.command}`);
    send({ code: await runCommand(command, data.values, data.positionals, io) });
  } catch (error) {
    send({ internalError: String(error instanceof Error ? error.stack : error) });
  }
}
