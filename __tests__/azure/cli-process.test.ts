/**
 * The built CLI (dist/cli/index.js, as a fresh clone has it, no install) in its own process,
 * as a user runs it: deploy to the loopback ARM through --arm-endpoint and
 * CMK_GUARD_AZURE_TOKEN, on the system Node (20 here) when there is one. The Azure
 * SDKs live in a chunk loaded only by plan and deploy; they declare Node 22 and work on 20.
 *
 * It needs the built CLI (`npm run bundle`) and builds nothing itself; without it, it is skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ArmServer } from '../support/arm-server.js';
import { storedAt } from '../support/arm-policy.js';
import { bundleHolds } from '../support/built.js';
import { eachTestPackAndServer, MG, OWNER, type Repository } from './support.js';

const entry = path.resolve('dist/cli/index.js');
// Landing runs the tests before it rebuilds dist/: a build older than plan and deploy counts as missing.
const built = bundleHolds(entry, 'publish the pack to an Azure scope');
const node20 = ['/usr/bin/node', '/usr/local/bin/node'].find(candidate => existsSync(candidate));
// The oldest Node the package supports when the machine has it (the in-process tests cover this one).
const nodes: [string, string][] = [node20 ? ['the system Node', node20] : ['this Node', process.execPath]];

function run(node: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
    execFile(
      node,
      [entry, ...args],
      { cwd, env: { PATH: process.env.PATH, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    );
  });
}

const describeBuilt = built ? describe : describe.skip;
if (!built)
  console.warn(
    `Skipping the CLI process test: ${entry} is missing or older than plan and deploy; run \`npm run bundle\`.`
  );

describeBuilt('the built CLI deploys in its own process', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));

  it.each(nodes)('on %s', async (_name, node) => {
    const env = { CMK_GUARD_AZURE_TOKEN: server.token };
    const args = ['--scope', MG, '--owner', OWNER, '--policies', repo.policies, '--arm-endpoint', server.url];
    const deploy = await run(node, ['deploy', ...args], env, repo.root);
    expect(deploy.stderr).not.toContain('internal error');
    expect(deploy.code).toBe(0);
    expect(storedAt(server, MG, 'policyDefinitions')).toHaveLength(7);
    const writes = server.writeRequests();
    const plan = await run(node, ['plan', ...args, '--format', 'json'], env, repo.root);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).summary.sentence).toBe(
      'No change: management group contoso already holds the pack as it is.'
    );
    expect(server.writeRequests()).toBe(writes);
    // --version loads none of it.
    const version = await run(node, ['--version'], {}, repo.root);
    expect(version.stdout).toMatch(/^cmk-guard \d+\.\d+\.\d+ /);
  });
});
