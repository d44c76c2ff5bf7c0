/**
 * Resource Manager's contract for policy resources where an endpoint strays from it, through the
 * CLI and the real clients against the loopback ARM's scripted faults: a policy resource read by
 * name (what deploy reads back after a lost answer, each assignment Resource Graph points to) that
 * is an error body answered 200; a 409 (a management lock) or 412 on a write, which are refusals,
 * not answers to wait out or read back; a next-page link too long to follow.
 */
import { ArmError } from '../../src/azure/errors.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { parseScope } from '../../src/azure/scope.js';
import type { DeploymentPlan } from '../../src/model/plan.js';
import { policyModule, policyState, seedPolicyResource } from '../support/arm-policy.js';
import { startArmServer, type ArmServer, type ScriptedFaultAction } from '../support/arm-server.js';
import {
  connectWith,
  eachTestPackAndServer,
  MG,
  packRepository,
  publish,
  publishServer,
  type Repository
} from './support.js';

const SUB = parseScope('/subscriptions/00000000-0000-0000-0000-000000000001', '--scope');
const ONE_DEFINITION = /\/policyDefinitions\/ai-hub-cmk$/i;

const json = (status: number, body: unknown): ScriptedFaultAction => ({
  kind: 'answer',
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body)
});

const connect = connectWith({ retry: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 2 } });

function results(stdout: string): NonNullable<DeploymentPlan['results']> {
  return (JSON.parse(stdout) as DeploymentPlan).results ?? [];
}

describe('a policy resource read by name', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule] });
  });
  afterEach(() => server.close());

  it.each([
    [
      'an error body answered 200',
      json(200, { error: { code: 'InternalError', message: 'x' } }),
      'the answer.id is missing'
    ],
    [
      'a proxy’s HTML page',
      { kind: 'answer', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>' },
      'the answer is not JSON'
    ],
    [
      'another kind of resource',
      json(200, { id: `${SUB.id}/providers/Microsoft.Authorization/policyDefinitions/a`, name: 'a', properties: {} }),
      'the answer.id is not the id of one of the policyAssignments asked for'
    ]
  ] as [string, ScriptedFaultAction, string][])(
    '%s is refused, not read as a resource without properties',
    async (_name, action, where) => {
      seedPolicyResource(server, SUB.id, 'policyAssignments', 'a', { policyDefinitionId: '/x', displayName: 'a' });
      server.scriptFaults([{ method: 'GET', action }]);
      const id = `${SUB.id}/providers/Microsoft.Authorization/policyAssignments/a`;
      const error = (await new PolicyStore(connect(server)).getAssignment(id).catch((e: unknown) => e)) as ArmError;
      expect(error).toBeInstanceOf(ArmError);
      expect(error.message).toBe(
        `Resource Manager's answer while reading the policy assignment ${id} is not in the shape its API documents (${where}); cmk-guard stopped before acting on it. Check that the endpoint is Resource Manager, or retry later.`
      );
    }
  );

  it('in the documented shape, is read as before; 404 is "not there"', async () => {
    seedPolicyResource(server, SUB.id, 'policyAssignments', 'a', { policyDefinitionId: '/x', displayName: 'a' });
    const store = new PolicyStore(connect(server));
    const id = `${SUB.id}/providers/Microsoft.Authorization/policyAssignments/a`;
    expect((await store.getAssignment(id))?.properties.displayName).toBe('a');
    expect(await store.getAssignment(`${id}-gone`)).toBeUndefined();
    expect(await store.getDefinition(SUB, 'gone')).toBeUndefined();
  });
});

describe('a write answered with a status the API does not document for it, in a body the SDK cannot read', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule] });
  });
  afterEach(() => server.close());

  const DEFINITION = {
    properties: {
      displayName: 'd',
      policyType: 'Custom',
      mode: 'All',
      policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
    }
  };

  it.each([
    ['204 with a definition', json(204, DEFINITION)],
    ['304 with nothing', { kind: 'answer', status: 304 }],
    ['203 with an error body whose details are not a list', json(203, { error: { code: 'x', details: {} } })],
    ['202 with null and no link to follow', json(202, null)]
  ] as [string, ScriptedFaultAction][])(
    '%s: said with its status as not known to be done, never a crash or a success',
    async (_name, action) => {
      server.scriptFaults([{ method: 'PUT', action }]);
      const error = (await new PolicyStore(connect(server))
        .putDefinition(SUB, 'd', DEFINITION as never)
        .catch((e: unknown) => e)) as ArmError;
      expect(error).toBeInstanceOf(ArmError);
      expect(error.code).toBe('UnexpectedAnswer');
      expect(error.message).toBe(
        `Resource Manager answered ${error.status} while writing the policy definition d at subscription 00000000-0000-0000-0000-000000000001, which is not an answer the API documents for it; cmk-guard does not know whether it was done. Run plan to see what Azure holds.`
      );
      expect(server.requests.filter(r => r.method === 'PUT')).toHaveLength(1);
    }
  );
});

describe('deploy where the contract is strayed from', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));

  it('a write whose answers are lost, read back as an error body answered 200: not known, never "not written"', async () => {
    server.scriptFaults([
      { method: 'PUT', path: ONE_DEFINITION, when: 'after', action: { kind: 'reset' } },
      { method: 'GET', path: ONE_DEFINITION, action: json(200, { error: { code: 'InternalError', message: 'x' } }) }
    ]);
    const deploy = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
    expect(deploy.code).toBe(1);
    const [definition] = results(deploy.stdout).filter(r => r.name === 'ai-hub-cmk');
    expect(definition.outcome).toBe('failed');
    expect(definition.message).toMatch(
      /Whether Azure did it is not known: reading it back failed too \(Resource Manager's answer while reading the policy definition ai-hub-cmk at management group contoso is not in the shape its API documents \(the answer\.id is missing\);.*\)\. Run plan to see what Azure holds\.$/
    );
    // It was written: the report must not say otherwise.
    expect(definition.message).not.toMatch(/it was not written/);
    expect([...policyState(server).resources.keys()].some(id => id.endsWith('/ai-hub-cmk'))).toBe(true);
  });

  it.each([
    [
      '409 ScopeLocked',
      json(409, {
        error: {
          code: 'ScopeLocked',
          message:
            "The scope '/providers/Microsoft.Management/managementGroups/contoso' cannot perform write operation because following scope(s) are locked: '/providers/Microsoft.Management/managementGroups/contoso'. Please remove the lock and try again."
        }
      }),
      /^Azure answered 409 ScopeLocked while writing the policy definition ai-hub-cmk at management group contoso: The scope .* Please remove the lock and try again\.$/
    ],
    [
      '412 PreconditionFailed',
      json(412, {
        error: {
          code: 'PreconditionFailed',
          message: 'The condition specified using HTTP conditional header(s) is not met.'
        }
      }),
      /^Azure answered 412 PreconditionFailed while writing the policy definition ai-hub-cmk at management group contoso: The condition specified/
    ]
  ] as [string, ScriptedFaultAction, RegExp][])(
    '%s on a write is a refusal: reported with Azure’s words, tried once, not read back, nothing after it written',
    async (_name, action, message) => {
      server.scriptFaults([{ method: 'PUT', path: ONE_DEFINITION, action }]);
      const deploy = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
      expect(deploy.code).toBe(1);
      const [definition] = results(deploy.stdout).filter(r => r.name === 'ai-hub-cmk');
      expect(definition.outcome).toBe('failed');
      expect(definition.message).toMatch(message);
      expect(server.requests.filter(r => r.method === 'PUT' && ONE_DEFINITION.test(r.path))).toHaveLength(1);
      expect(server.requests.filter(r => r.method === 'GET' && ONE_DEFINITION.test(r.path))).toHaveLength(0);
      expect(
        server.requests.some(r => r.method === 'PUT' && /policySetDefinitions|policyAssignments/i.test(r.path))
      ).toBe(false);
      // cmk-guard sends no conditional headers: a 412 is the endpoint's own doing.
      server.scriptFaults();
      expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    }
  );
});

describe('a write Azure accepts to finish later, whose status answers are not statuses', () => {
  it('ends at once with where the answer is wrong, not after ten minutes of polling', async () => {
    const server = await publishServer({ asyncWrites: /\/policyDefinitions\/ai-hub-cmk$/i });
    const repo = packRepository();
    try {
      server.scriptFaults([
        {
          method: 'GET',
          path: /\/operationStatuses\//i,
          action: json(200, { error: { code: 'InternalError', message: 'x' } })
        }
      ]);
      const started = Date.now();
      const deploy = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(deploy.code).toBe(1);
      const [definition] = results(deploy.stdout).filter(r => r.name === 'ai-hub-cmk');
      expect(definition.outcome).toBe('failed');
      expect(definition.message).toMatch(
        /^Resource Manager's answer while writing the policy definition ai-hub-cmk at management group contoso is not in the shape its API documents \(the operation's status answer has no `status`\);/
      );
      // Polled once; the operation never ended, so the definition is not there, and the report says so.
      expect(server.requests.filter(r => /operationStatuses/i.test(r.path))).toHaveLength(1);
      expect(definition.message).toMatch(/Read back afterwards, Azure does not hold it: it was not written\.$/);
    } finally {
      await server.close();
      repo.dispose();
    }
  });
});

describe('a next-page link too long to follow', () => {
  it('ends the list with a clear error, at once', async () => {
    const server = await startArmServer({ modules: [policyModule] });
    try {
      const long = (path: string) => `${server.url}${path}?api-version=2025-03-01&$skiptoken=${'a'.repeat(100_000)}`;
      server.scriptFaults([
        {
          method: 'GET',
          times: 1,
          action: json(200, {
            value: [],
            nextLink: long(`${SUB.id}/providers/Microsoft.Authorization/policyDefinitions`)
          })
        }
      ]);
      const started = Date.now();
      const error = (await new PolicyStore(connect(server)).listDefinitions(SUB).catch((e: unknown) => e)) as ArmError;
      expect(error).toBeInstanceOf(ArmError);
      expect(error.message).toMatch(/^Azure answered 431 .* while listing the policy definitions at subscription/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await server.close();
    }
  });
});
