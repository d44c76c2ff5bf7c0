/**
 * Shared by the Azure tests and the contract suite: a copy of the pack in a temporary
 * repository, the CLI run in this process as a user runs it, against the loopback ARM
 * through `--arm-endpoint` and `CMK_GUARD_AZURE_TOKEN`, and the connection the stores take.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectArm, type ArmConnection, type ConnectionSettings } from '../../src/azure/connection.js';
import { runCli } from '../../src/commands/index.js';
import { startArmServer, type ArmServer, type ArmServerOptions } from '../support/arm-server.js';
import { policyModule, seedPolicyResource } from '../support/arm-policy.js';
import { exemptionsModule, seedExemptionGroup } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';

export const MG = '/providers/Microsoft.Management/managementGroups/contoso';
export const SUB = '/subscriptions/00000000-0000-0000-0000-0000000000aa';
export const RG = `${SUB}/resourceGroups/ai-prod`;
export const OWNER = 'github.com/contoso/policies';
/** The bundled pack's name (policies/pack.yaml), which its initiative and its assignment take. */
export const PACK = 'cmk-guard-foundry-tools';

export interface Repository {
  root: string;
  policies: string;
  dispose(): void;
}

/** The bundled pack, copied into a fresh repository (a folder with `.git`). */
export function packRepository(): Repository {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-publish-'));
  mkdirSync(path.join(root, '.git'));
  const policies = path.join(root, 'policies');
  cpSync(path.resolve('policies'), policies, {
    recursive: true,
    filter: source => !source.includes(`${path.sep}compiled`)
  });
  return { root, policies, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** Drops a rule from the pack manifest (and its file, unless `keepFile`). */
export function dropRule(repo: Repository, rule: string, keepFile = false): void {
  const manifest = path.join(repo.policies, 'pack.yaml');
  writeFileSync(
    manifest,
    readFileSync(manifest, 'utf8')
      .split('\n')
      .filter(line => line.trim() !== `- ${rule}`)
      .join('\n')
  );
  if (!keepFile) rmSync(path.join(repo.policies, `${rule}.yaml`));
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(
  server: ArmServer,
  repo: Repository,
  args: string[],
  env: NodeJS.ProcessEnv = {}
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...args, '--arm-endpoint', server.url], {
    cwd: repo.root,
    env: { CMK_GUARD_AZURE_TOKEN: server.token, CMK_GUARD_AZURE_RETRY_DELAY_MS: '1', ...env },
    stdout: text => out.push(text),
    stderr: text => err.push(text)
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** plan/deploy with the pack of `repo` at `scope`, owner OWNER, and more options. */
export function publish(
  server: ArmServer,
  repo: Repository,
  command: 'plan' | 'deploy',
  scope: string,
  more: string[] = [],
  env: NodeJS.ProcessEnv = {}
): Promise<CliRun> {
  return cli(server, repo, [command, '--scope', scope, '--policies', repo.policies, '--owner', OWNER, ...more], env);
}

/**
 * A loopback ARM for plan and deploy, with what Azure always has beside the policy endpoints
 * (exemptions, Resource Graph), and the management group MG holding the subscription SUB.
 */
export async function publishServer(options: Omit<ArmServerOptions, 'modules'> = {}): Promise<ArmServer> {
  const server = await startArmServer({
    modules: [policyModule, exemptionsModule, resourceGraphModule],
    pageSize: 3,
    ...options
  });
  const subscription = SUB.split('/')[2];
  seedManagementGroup(server, 'contoso', { subscriptions: [subscription] });
  seedExemptionGroup(server, 'contoso', [subscription]);
  return server;
}

/** A definition `someone-elses` at MG that another owner wrote: deploy and prune never touch it. */
export function seedSomeoneElsesDefinition(server: ArmServer): void {
  seedPolicyResource(server, MG, 'policyDefinitions', 'someone-elses', {
    displayName: 'Not ours',
    policyType: 'Custom',
    mode: 'All',
    metadata: { cmkGuard: { owner: 'github.com/someone/else' } },
    policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
  });
}

export interface PackAndServer {
  server: ArmServer;
  repo: Repository;
}

/**
 * Called in a describe block: before each of its tests, a fresh loopback ARM (publishServer() unless
 * `start` makes another) and the pack in a fresh repository, handed to `take` (which keeps them, and
 * may seed more); after each test, the server is closed and the repository removed.
 */
export function eachTestPackAndServer(
  take: (made: PackAndServer) => void,
  start: () => Promise<ArmServer> = publishServer
): void {
  let made: PackAndServer | undefined;
  beforeEach(async () => {
    made = { server: await start(), repo: packRepository() };
    take(made);
  });
  afterEach(async () => {
    await made?.server.close();
    made?.repo.dispose();
    made = undefined;
  });
}

/**
 * The real connection (the SDKs' clients and the REST client) to the loopback `server`, with its
 * token; `settings` (retries, time-outs, another token or endpoint) replace what they name.
 */
export function connect(server: ArmServer, settings: Partial<ConnectionSettings> = {}): ArmConnection {
  return connectArm({ env: { CMK_GUARD_AZURE_TOKEN: server.token }, armEndpoint: server.url, ...settings });
}

/** `connect` with a test file's own settings (its retries), which a call's settings replace by name. */
export function connectWith(
  defaults: Partial<ConnectionSettings>
): (server: ArmServer, settings?: Partial<ConnectionSettings>) => ArmConnection {
  return (server, settings = {}) => connect(server, { ...defaults, ...settings });
}

/**
 * The Cognitive Services accounts `ids` as Resource Graph indexes them: an exception that names a resource by id is
 * written as an exemption only where Resource Graph lists the resource (Azure refuses one on a resource that is gone).
 */
export function indexAccounts(server: ArmServer, ids: readonly string[]): void {
  seedResources(
    server,
    ids.map(id => ({
      id,
      name: id.split('/').pop(),
      type: 'Microsoft.CognitiveServices/accounts',
      kind: 'OpenAI',
      location: 'westeurope',
      properties: {}
    }))
  );
}
