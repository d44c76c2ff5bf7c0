/**
 * `cold_start`: `cmk-guard evaluate` of one small template with the bundled pack, as a user
 * starts it (a new Node process running the CLI bundle built from these sources), against
 * `node -e 0`, the least any Node tool costs to start. Alternated, best of several runs each.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { now, round, type Benchmark } from './framework.js';

const TEMPLATE = 'examples/foundry-tools-cmk/noncompliant.json';

function run(args: string[], cwd: string): number {
  const start = now();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = now() - start;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`);
  }
  return ms;
}

export const coldStart: Benchmark = {
  name: 'cold_start',
  target: 3,
  compares: 'cmk-guard evaluate of one small template ÷ node -e 0',
  async run(options) {
    if (!fs.existsSync(options.cli)) throw new Error(`no CLI bundle at ${options.cli}; run npm run bench`);
    const template = path.join(options.root, TEMPLATE);
    if (!fs.existsSync(template)) throw new Error(`no template at ${template}`);
    const tries = options.quick ? 5 : 15;
    const evaluate = [options.cli, 'evaluate', '--templates', TEMPLATE, '--format', 'json'];
    let cliMs = Infinity;
    let nodeMs = Infinity;
    run(evaluate, options.root);
    run(['-e', '0'], options.root);
    for (let i = 0; i < tries; i++) {
      cliMs = Math.min(cliMs, run(evaluate, options.root));
      nodeMs = Math.min(nodeMs, run(['-e', '0'], options.root));
    }
    return {
      ratio: round(cliMs / nodeMs),
      detail: `cmk-guard evaluate --templates ${TEMPLATE}: ${cliMs.toFixed(0)} ms; node -e 0: ${nodeMs.toFixed(0)} ms (best of ${tries}, alternated)`
    };
  }
};
