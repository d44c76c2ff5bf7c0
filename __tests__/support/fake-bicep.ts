import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FakeBicepCall {
  as: string;
  args: string[];
  cwd: string;
  env: string[];
}

export interface FakeBicep {
  /** PATH holds only the fake (its interpreter is named by absolute path), plus variables a runner has. */
  env: NodeJS.ProcessEnv;
  calls(): FakeBicepCall[];
  dispose(): void;
}

/**
 * Puts `__tests__/support/fake-bicep-cli.cjs` on a fresh PATH as `bicep` (or `az`). The environment also
 * holds an action input and a token, which the compile must never be given.
 */
export function installFakeBicep(as: 'bicep' | 'az' = 'bicep'): FakeBicep {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-fake-bicep-'));
  const script = readFileSync(path.resolve('__tests__/support/fake-bicep-cli.cjs'), 'utf8');
  const executable = path.join(dir, as);
  writeFileSync(executable, `#!${process.execPath}\n${script}`);
  chmodSync(executable, 0o755);
  // The script is CommonJS and has no extension: Node takes its module type from the nearest package.json, so a
  // stray one with "type": "module" in the temporary folder (a copy of this repository's) must not decide it.
  writeFileSync(path.join(dir, 'package.json'), '{"type": "commonjs"}\n');
  const log = path.join(dir, 'calls.jsonl');
  return {
    env: {
      PATH: dir,
      HOME: os.tmpdir(),
      'INPUT_GITHUB-TOKEN': 'ghs_must_not_reach_bicep',
      GITHUB_TOKEN: 'ghs_must_not_reach_bicep',
      ACTIONS_RUNTIME_TOKEN: 'must-not-reach-bicep'
    },
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map(line => JSON.parse(line) as FakeBicepCall)
        : [],
    dispose: () => rmSync(dir, { recursive: true, force: true })
  };
}
