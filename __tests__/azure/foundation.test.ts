/**
 * The connection to Resource Manager, against the loopback ARM: the real @azure/arm-policy
 * client and the raw REST pipeline, with the token, retries, deadlines and limits a user
 * gets. Nothing here is mocked; the server answers as Azure does.
 */
import type { ServerResponse } from 'node:http';
import { ArmError } from '../../src/azure/errors.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { parseScope } from '../../src/azure/scope.js';
import { resolveArmEndpoint } from '../../src/azure/clouds.js';
import { tokenFromEnvironment } from '../../src/azure/credential.js';
import { UserError } from '../../src/model/errors.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule, POLICY_API_VERSION, storedAt } from '../support/arm-policy.js';
import { connectWith } from './support.js';

const MG = parseScope('/providers/Microsoft.Management/managementGroups/contoso', '--scope');
const SUB = parseScope('/subscriptions/00000000-0000-0000-0000-000000000001', '--scope');

const connect = connectWith({ retry: { retryDelayInMs: 1, maxRetryDelayInMs: 5 } });

const definition = (effect = 'Audit') => ({
  properties: {
    displayName: 'Key vaults keep soft delete',
    policyType: 'Custom',
    mode: 'Indexed',
    metadata: { category: 'Key Vault' },
    parameters: {
      effect: {
        type: 'String',
        allowedValues: ['Audit', 'Deny', 'Disabled'],
        defaultValue: effect,
        metadata: { displayName: 'Effect', description: 'The effect', portalReview: true }
      }
    },
    policyRule: {
      if: { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
      then: { effect: "[parameters('effect')]" }
    }
  }
});

describe('the Azure connection against the loopback Resource Manager', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule], pageSize: 2 });
  });
  afterEach(() => server.close());

  it('creates (201) and updates (200) a definition with the SDK, though the SDK expects only 201', async () => {
    const store = new PolicyStore(connect(server));
    expect((await store.putDefinition(MG, 'kv-soft-delete', definition())).status).toBe(201);
    expect((await store.putDefinition(MG, 'kv-soft-delete', definition('Deny'))).status).toBe(200);
    const [stored] = storedAt(server, MG.id, 'policyDefinitions');
    expect((stored.body.properties.parameters as { effect: { defaultValue: string } }).effect.defaultValue).toBe(
      'Deny'
    );
    // Parameter metadata the SDK's model does not know survives the round trip.
    expect(server.requests.filter(r => r.method === 'PUT')[0].body).toMatchObject({
      properties: { parameters: { effect: { metadata: { portalReview: true } } } }
    });
  });

  it('reads every page (nextLink) back in the REST shape, without the SDK’s additionalProperties', async () => {
    const store = new PolicyStore(connect(server));
    for (const name of ['a', 'b', 'c', 'd', 'e']) await store.putDefinition(MG, name, definition());
    const listed = await store.listDefinitions(MG);
    expect(listed.map(d => d.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(server.requests.filter(r => r.method === 'GET').length).toBe(3);
    expect(listed[0].properties.parameters).toEqual({
      effect: {
        type: 'String',
        allowedValues: ['Audit', 'Deny', 'Disabled'],
        defaultValue: 'Audit',
        metadata: { displayName: 'Effect', description: 'The effect', portalReview: true }
      }
    });
    // ARM spells the scope `managementgroups`; the ids still match the scope asked for.
    expect(listed[0].id).toContain('/managementgroups/contoso/');
  });

  it('treats an assignment already gone (204, no body) as deleted, where the SDK throws a TypeError', async () => {
    const store = new PolicyStore(connect(server));
    await store.putDefinition(SUB, 'kv', definition());
    await store.putAssignment(SUB, 'kv', {
      properties: { policyDefinitionId: `${SUB.id}/providers/Microsoft.Authorization/policyDefinitions/kv` }
    });
    expect((await store.deleteAssignment(SUB, 'kv')).status).toBe(200);
    expect((await store.deleteAssignment(SUB, 'kv')).status).toBe(204);
    expect((await store.deleteDefinition(SUB, 'kv')).status).toBe(200);
    expect((await store.deleteDefinition(SUB, 'kv')).status).toBe(204);
  });

  it('reports ARM’s refusal with its code and message', async () => {
    const store = new PolicyStore(connect(server));
    const broken = definition();
    delete (broken.properties.policyRule as { then?: unknown }).then;
    const error = await store.putDefinition(MG, 'broken', broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArmError);
    expect((error as ArmError).status).toBe(400);
    expect((error as ArmError).code).toBe('InvalidPolicyRule');
    expect((error as ArmError).message).toMatch(
      /^Azure answered 400 InvalidPolicyRule while writing the policy definition broken at management group contoso: Failed to parse policy rule/
    );
  });

  it('says a refused token is expired or for another audience, and never prints it', async () => {
    const store = new PolicyStore(connect(server, { env: { CMK_GUARD_AZURE_TOKEN: 'not-the-token' } }));
    const error = (await store.listDefinitions(MG).catch((e: unknown) => e)) as ArmError;
    expect(error.status).toBe(401);
    expect(error.message).toContain('InvalidAuthenticationToken');
    expect(error.message).toContain('expired');
    expect(error.message).not.toContain('not-the-token');
  });

  it('retries 429 (Retry-After), 500 and dropped connections through the SDK, and reaches the same state', async () => {
    server.setFaults({ rate: 0.5, seed: 7, retryAfterSeconds: 0 });
    const store = new PolicyStore(
      connect(server, { retry: { maxRetries: 12, retryDelayInMs: 1, maxRetryDelayInMs: 2 } })
    );
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const name of names) await store.putDefinition(MG, name, definition());
    expect((await store.listDefinitions(MG)).map(d => d.name)).toEqual(names);
    const faults = server.requests.filter(r => r.fault).map(r => r.fault);
    expect(new Set(faults)).toEqual(new Set(['throttle', 'server-error', 'reset', 'reset-after-write']));
  });

  it('gives up after the retries with a sentence saying what it was doing', async () => {
    server.setFaults({ rate: 1, seed: 1, kinds: ['server-error'] });
    const store = new PolicyStore(
      connect(server, { retry: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 2 } })
    );
    const error = (await store.listDefinitions(SUB).catch((e: unknown) => e)) as ArmError;
    expect(error.message).toMatch(
      /^Azure answered 500 InternalServerError while listing the policy definitions at subscription/
    );
    expect(server.requests.length).toBe(3);
  });
});

describe('raw REST through the same pipeline', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule], pageSize: 2 });
  });
  afterEach(() => server.close());

  it('sends the token, requires api-version as ARM does, and pages with nextLink', async () => {
    const { rest } = connect(server);
    const missing = await rest
      .send({
        method: 'GET',
        path: '/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/policyDefinitions'
      })
      .catch((e: unknown) => e);
    expect((missing as ArmError).code).toBe('MissingApiVersionParameter');
    const store = new PolicyStore(connect(server));
    for (const name of ['a', 'b', 'c']) await store.putDefinition(SUB, name, definition());
    const names = (
      await rest.listAll<{ name: string }>({
        path: `${SUB.id}/providers/Microsoft.Authorization/policyDefinitions`,
        apiVersion: POLICY_API_VERSION,
        query: { $filter: 'atExactScope()' }
      })
    ).map(d => d.name);
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('follows a long-running operation (202, Azure-AsyncOperation) to its end', async () => {
    server.route({
      method: 'POST',
      pattern: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Test\/scans$/i,
      handle: ctx => ctx.server.longRunning(ctx, 2, () => ({ status: 200, body: { done: true } }))
    });
    const { rest } = connect(server);
    const started = await rest.send({
      method: 'POST',
      path: `${SUB.id}/providers/Microsoft.Test/scans`,
      apiVersion: '2024-10-01'
    });
    expect(started.status).toBe(202);
    const done = await rest.waitForOperation(started, { timeoutMs: 10_000, doing: 'scanning' });
    expect(done.body).toEqual({ done: true });
  });

  it('never sends the token to another origin: a nextLink elsewhere stops the list', async () => {
    server.route({
      method: 'GET',
      pattern: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Test\/things$/i,
      handle: () => ({ status: 200, body: { value: [1], nextLink: 'http://127.0.0.2:9/steal?api-version=1' } })
    });
    const { rest } = connect(server);
    const error = (await rest
      .listAll({ path: `${SUB.id}/providers/Microsoft.Test/things`, apiVersion: '1' })
      .catch((e: unknown) => e)) as ArmError;
    expect(error.code).toBe('ForeignOrigin');
    expect(error.message).toContain('only sends its token to the endpoint it was given');
  });

  it('stops a list whose nextLink points to itself', async () => {
    server.route({
      method: 'GET',
      pattern: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Test\/loop$/i,
      handle: ctx => ({ status: 200, body: { value: [1], nextLink: `${server.url}${ctx.path}?api-version=1` } })
    });
    const error = (await connect(server)
      .rest.listAll({ path: `${SUB.id}/providers/Microsoft.Test/loop`, apiVersion: '1' })
      .catch((e: unknown) => e)) as ArmError;
    expect(error.message).toMatch(/kept sending more pages \(or the same page again\)/);
  });

  const rawRoute = (name: string, raw: (res: ServerResponse) => void) =>
    server.route({
      method: 'GET',
      pattern: new RegExp(`^/subscriptions/[^/]+/providers/Microsoft\\.Test/${name}$`, 'i'),
      handle: () => ({ status: 200, raw })
    });

  it('reports a body that is not JSON without echoing it', async () => {
    rawRoute('garbage', res => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>secret-looking proxy page</html>');
    });
    const error = (await connect(server)
      .rest.send({ method: 'GET', path: `${SUB.id}/providers/Microsoft.Test/garbage`, apiVersion: '1' })
      .catch((e: unknown) => e)) as ArmError;
    expect(error.message).toMatch(/answered 200 with a body that is not JSON/);
    expect(error.message).not.toContain('proxy page');
  });

  it('stops reading a body larger than the limit, and does not retry it', async () => {
    rawRoute('huge', res => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"value":["');
      res.end(`${'x'.repeat(256 * 1024)}"]}`);
    });
    const error = (await connect(server, { maxResponseBytes: 64 * 1024 })
      .rest.send({ method: 'GET', path: `${SUB.id}/providers/Microsoft.Test/huge`, apiVersion: '1' })
      .catch((e: unknown) => e)) as ArmError;
    expect(error.code).toBe('ResponseTooLarge');
    expect(server.requests.length).toBe(1);
  });

  it('retries a body cut short by a dropped connection, as a reset', async () => {
    let calls = 0;
    rawRoute('truncated', res => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      if (calls === 1) {
        res.write('{"value":[');
        res.socket?.destroy();
      } else res.end(JSON.stringify({ ok: true }).padEnd(100, ' '));
    });
    const response = await connect(server).rest.send({
      method: 'GET',
      path: `${SUB.id}/providers/Microsoft.Test/truncated`,
      apiVersion: '1'
    });
    expect(response.body).toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('retries a request that misses its deadline', async () => {
    let calls = 0;
    rawRoute('slow-once', res => {
      calls++;
      // The first answer never comes; the retry's does.
      if (calls > 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      }
    });
    const response = await connect(server, {
      timeoutMs: 300,
      retry: { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 2 }
    }).rest.send({
      method: 'GET',
      path: `${SUB.id}/providers/Microsoft.Test/slow-once`,
      apiVersion: '1'
    });
    expect(response.body).toEqual({ ok: true });
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('says no answer came in time when the retries are spent', async () => {
    rawRoute('slow', () => {
      // never answers
    });
    const error = (await connect(server, { timeoutMs: 50, retry: { maxRetries: 0 } })
      .rest.send({ method: 'GET', path: `${SUB.id}/providers/Microsoft.Test/slow`, apiVersion: '1' })
      .catch((e: unknown) => e)) as ArmError;
    expect(error.message).toMatch(/^Resource Manager gave no answer within 50 ms, after retries, while GET/);
  });
});

describe('endpoints and tokens', () => {
  it('accepts plain http only on loopback', () => {
    expect(resolveArmEndpoint(undefined, 'http://127.0.0.1:8080').loopbackHttp).toBe(true);
    expect(resolveArmEndpoint(undefined, 'http://[::1]:8080').loopbackHttp).toBe(true);
    expect(() => resolveArmEndpoint(undefined, 'http://10.0.0.4')).toThrow(/plain http is accepted only for loopback/);
    expect(() => resolveArmEndpoint(undefined, 'http://localhost.evil.example')).toThrow(UserError);
    expect(resolveArmEndpoint('azureusgovernment', undefined).url).toBe('https://management.usgovcloudapi.net');
    expect(() => resolveArmEndpoint('Mars', undefined)).toThrow(
      /use one of AzureCloud, AzureUSGovernment, AzureChinaCloud/
    );
  });

  it('refuses a token that could split the header', () => {
    expect(tokenFromEnvironment({ CMK_GUARD_AZURE_TOKEN: 'Bearer abc.def' })).toBe('abc.def');
    expect(() => tokenFromEnvironment({ CMK_GUARD_AZURE_TOKEN: 'abc\r\nX-Evil: 1' })).toThrow(
      /characters a bearer token cannot have/
    );
  });
});
