/**
 * Where the token goes. Every request cmk-guard makes to Resource Manager carries the token, so a URL that comes
 * from an answer — a page's `nextLink`, a long-running operation's `Azure-AsyncOperation` or `Location`, a redirect
 * — is followed only on the endpoint cmk-guard was given: one on another origin (here, another port of this
 * machine, where a server records what reaches it) is refused before anything is sent. And on a pull request, the
 * static token of CMK_GUARD_AZURE_TOKEN goes only to the endpoint the workflow names or a named cloud's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ArmConnection, ConnectionSettings } from '../../src/azure/connection.js';
import { runCli } from '../../src/commands/index.js';
import { ArmError } from '../../src/azure/errors.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { parseScope } from '../../src/azure/scope.js';
import { UserError } from '../../src/model/errors.js';
import type { ArmServer } from '../support/arm-server.js';
import { eachTestArmAndElsewhere, type ElsewhereServer } from '../support/elsewhere-server.js';
import { connectWith } from './support.js';

const SUB = parseScope('/subscriptions/00000000-0000-0000-0000-000000000001', '--scope');
const MG = parseScope('/providers/Microsoft.Management/managementGroups/contoso', '--scope');

let arm: ArmServer;
let elsewhere: ElsewhereServer;
eachTestArmAndElsewhere(servers => ({ arm, elsewhere } = servers));

const connectTo = connectWith({ retry: { retryDelayInMs: 1, maxRetryDelayInMs: 5, maxRetries: 1 } });
const connect = (settings: Partial<ConnectionSettings> = {}): ArmConnection => connectTo(arm, settings);

function answer(name: string, reply: () => { status: number; body?: unknown; headers?: Record<string, string> }) {
  arm.route({
    method: 'GET',
    pattern: new RegExp(`^/subscriptions/[^/]+/providers/Microsoft\\.Test/${name}$`, 'i'),
    handle: reply
  });
  arm.route({
    method: 'POST',
    pattern: new RegExp(`^/subscriptions/[^/]+/providers/Microsoft\\.Test/${name}$`, 'i'),
    handle: reply
  });
}

async function refusal(promise: Promise<unknown>): Promise<ArmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(ArmError);
  return error as ArmError;
}

describe('a URL from an answer that leads to another origin is refused, and the token stays', () => {
  it("a page's nextLink", async () => {
    answer('things', () => ({ status: 200, body: { value: [1], nextLink: `${elsewhere.url}/steal?api-version=1` } }));
    const error = await refusal(
      connect().rest.listAll({ path: `${SUB.id}/providers/Microsoft.Test/things`, apiVersion: '1' })
    );
    expect(error.code).toBe('ForeignOrigin');
    expect(error.message).toContain(`Resource Manager pointed cmk-guard to ${elsewhere.url}`);
    expect(elsewhere.requests).toEqual([]);
  });

  it("a page's nextLink that the Azure SDK follows (the policy definitions of a management group)", async () => {
    arm.route(
      {
        method: 'GET',
        pattern:
          /^\/providers\/Microsoft\.Management\/managementGroups\/contoso\/providers\/Microsoft\.Authorization\/policyDefinitions$/i,
        handle: () => ({ status: 200, body: { value: [], nextLink: `${elsewhere.url}/steal?api-version=2023-04-01` } })
      },
      { first: true }
    );
    const error = await new PolicyStore(connect()).listDefinitions(MG).then(
      () => undefined,
      (e: unknown) => e as Error
    );
    expect(error?.message).toContain(`pointed cmk-guard to ${elsewhere.url}`);
    expect(elsewhere.requests).toEqual([]);
  });

  it.each([
    ['Azure-AsyncOperation', (url: string) => ({ 'azure-asyncoperation': url, 'retry-after': '0' })],
    ['Location', (url: string) => ({ location: url, 'retry-after': '0' })]
  ])("a long-running operation's %s", async (_, headers) => {
    answer('scans', () => ({ status: 202, headers: headers(`${elsewhere.url}/operations/1?api-version=1`) }));
    const { rest } = connect();
    const started = await rest.send({
      method: 'POST',
      path: `${SUB.id}/providers/Microsoft.Test/scans`,
      apiVersion: '1'
    });
    expect(started.status).toBe(202);
    const error = await refusal(
      rest.waitForOperation(started, { timeoutMs: 10_000, doing: 'scanning', defaultWaitMs: 1 })
    );
    expect(error.code).toBe('ForeignOrigin');
    expect(elsewhere.requests).toEqual([]);
  });

  // The SDK's redirect policy does not follow a redirect to another origin (it answers with the 307 itself); were
  // it to, the guard would refuse it as it refuses a nextLink.
  it('a redirect', async () => {
    answer('moved', () => ({ status: 307, headers: { location: `${elsewhere.url}/moved?api-version=1` } }));
    const error = await refusal(
      connect().rest.send({ method: 'GET', path: `${SUB.id}/providers/Microsoft.Test/moved`, apiVersion: '1' })
    );
    expect(error.status).toBe(307);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe('on a pull request, the static token goes only to the endpoint the workflow names', () => {
  it('refuses an endpoint the workflow does not name, before anything is sent', () => {
    const error = (() => {
      try {
        connect({ armEndpoint: elsewhere.url, staticTokenEndpoints: [] });
      } catch (e) {
        return e;
      }
    })() as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      `cmk-guard sends the token in CMK_GUARD_AZURE_TOKEN on a pull request only to the Resource Manager the workflow names (the \`arm-endpoint\` input, or --arm-endpoint) or to a named cloud's, and ${elsewhere.url} is named only by a configuration file: name it in the workflow if it is yours.`
    );
    expect(() => connect({ armEndpoint: elsewhere.url, staticTokenEndpoints: [`${arm.url}/`] })).toThrow(UserError);
    expect(elsewhere.requests).toEqual([]);
  });

  it("sends it to the endpoint the workflow names (however it is written) and to a named cloud's", async () => {
    const { rest } = connect({ staticTokenEndpoints: [`${arm.url.replace('http:', 'HTTP:')}/`] });
    answer('ok', () => ({ status: 200, body: { ok: true } }));
    expect(
      (await rest.send({ method: 'GET', path: `${SUB.id}/providers/Microsoft.Test/ok`, apiVersion: '1' })).body
    ).toEqual({ ok: true });
    expect(connect({ armEndpoint: undefined, cloud: 'AzureUSGovernment', staticTokenEndpoints: [] }).endpoint.url).toBe(
      'https://management.usgovcloudapi.net'
    );
    // Outside a pull request, or with a credential Entra ID issues for the endpoint, nothing is restricted.
    expect(connect({ armEndpoint: elsewhere.url }).endpoint.url).toBe(elsewhere.url);
    expect(
      connect({
        armEndpoint: elsewhere.url,
        staticTokenEndpoints: [],
        env: {},
        credential: { getToken: () => Promise.resolve({ token: 'issued', expiresOnTimestamp: Date.now() + 3_600_000 }) }
      }).endpoint.url
    ).toBe(elsewhere.url);
  });
  it("the CLI's plan in a pull request's job: an endpoint only cmk-guard.yaml names is refused, the flag's is used", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-token-cli-'));
    try {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), `azure:\n  arm-endpoint: ${elsewhere.url}\n`);
      const plan = async (env: NodeJS.ProcessEnv, ...flags: string[]) => {
        let stderr = '';
        const code = await runCli(['plan', '--scope', SUB.id, '--owner', 'platform', ...flags], {
          cwd: dir,
          env: { CMK_GUARD_AZURE_TOKEN: arm.token, CMK_GUARD_AZURE_RETRY_DELAY_MS: '1', ...env },
          stdout: () => undefined,
          stderr: text => (stderr += text)
        });
        return { code, stderr };
      };
      const refused = await plan({ GITHUB_EVENT_NAME: 'pull_request_target' });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`and ${elsewhere.url} is named only by a configuration file`);
      expect(elsewhere.requests).toEqual([]);
      // The flag wins over the file, and is the workflow's to give.
      const named = await plan({ GITHUB_EVENT_NAME: 'pull_request' }, '--arm-endpoint', arm.url);
      expect(named.code).toBe(0);
      expect(elsewhere.requests).toEqual([]);
      // Outside a pull request the file is trusted as it is: the token goes where it says.
      await plan({ GITHUB_EVENT_NAME: 'push' });
      expect(elsewhere.requests.length).toBeGreaterThan(0);
      expect(elsewhere.requests[0].authorization).toBe(`Bearer ${arm.token}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
