/**
 * What real Resource Manager does that a happy path never shows, through the CLI against the
 * loopback ARM: Retry-After as an HTTP-date on 429 and 503 (RFC 9110 allows either form), on
 * the policy SDK's requests and the raw REST ones (exemptions) alike; and a DELETE answered 404
 * because what was planned went away meanwhile (its resource group with it), which leaves it
 * absent, as asked.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArmServer } from '../support/arm-server.js';
import { policyState, POLICY_API_VERSION, storedAt } from '../support/arm-policy.js';
import { EXEMPTIONS_API_VERSION, exemptionState } from '../support/arm-exemptions.js';
import { seedResources } from '../support/arm-resourcegraph.js';
import { connectArm } from '../../src/azure/connection.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { retryAfterMs } from '../../src/azure/rest.js';
import { parseScope } from '../../src/azure/scope.js';
import { dropRule, packRepository, publish, publishServer, RG, SUB, type Repository } from './support.js';

const PACK = 'cmk-guard-foundry-tools';

/** Four accounts, each with an exception: their exemptions span pages of the exemption list (3 a page). */
const ACCOUNTS = ['legacy', 'legacy-2', 'legacy-3', 'legacy-4'].map(
  name => `${RG}/providers/Microsoft.CognitiveServices/accounts/${name}`
);

function config(repo: Repository): void {
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    [
      'exceptions:',
      ...ACCOUNTS.flatMap(id => [
        '  - rule: foundry-tools-cmk',
        '    resources:',
        `      - id: ${id}`,
        '    reason: Retired.'
      ])
    ].join('\n') + '\n'
  );
}

function seedAccounts(server: ArmServer): void {
  seedResources(
    server,
    ACCOUNTS.map(id => ({
      id,
      name: id.split('/').pop(),
      type: 'Microsoft.CognitiveServices/accounts',
      kind: 'OpenAI',
      properties: {}
    }))
  );
}

/** What the server holds, ids lowercased: policy resources and exemptions, bodies without Azure's bookkeeping. */
function holdings(server: ArmServer): string[] {
  return [
    ...[...policyState(server).resources.values()].map(r => `${r.type} ${r.id.toLowerCase()}`),
    ...[...exemptionState(server).exemptions.values()].map(
      e => `exemption ${e.id.toLowerCase()} -> ${String(e.body.properties.policyAssignmentId).toLowerCase()}`
    )
  ].sort();
}

describe('Resource Manager as it answers under load and while others change the scope', () => {
  let server: ArmServer;
  let repo: Repository;
  beforeEach(async () => {
    server = await publishServer();
    repo = packRepository();
    seedAccounts(server);
    config(repo);
  });
  afterEach(async () => {
    await server.close();
    repo.dispose();
  });

  it('waits out 429 and 503 whose Retry-After is an HTTP-date, on the SDK’s and the raw REST requests, and ends as a fault-free deploy', async () => {
    const clean = await publishServer();
    try {
      seedAccounts(clean);
      expect((await publish(clean, repo, 'deploy', SUB)).code).toBe(0);

      server.setFaults({ rate: 0.35, seed: 21, kinds: ['throttle', 'unavailable'], retryAfterDate: true });
      const loaded = await publish(server, repo, 'deploy', SUB);
      expect(loaded.code).toBe(0);
      const faulted = server.requests.filter(r => r.fault);
      expect(new Set(faulted.map(r => r.status))).toEqual(new Set([429, 503]));
      // Both clients met them: the policy SDK (definitions) and the raw REST of exemptions.
      expect(faulted.some(r => /\/policyDefinitions\//i.test(r.path))).toBe(true);
      expect(faulted.some(r => /\/policyExemptions/i.test(r.path) && r.apiVersion === EXEMPTIONS_API_VERSION)).toBe(
        true
      );
      expect(holdings(server)).toEqual(holdings(clean));

      server.setFaults(undefined);
      const writes = server.writeRequests();
      const before = server.requests.length;
      expect((await publish(server, repo, 'deploy', SUB)).stdout).toContain('No change');
      expect(server.writeRequests()).toBe(writes);
      // Every list followed its nextLink: definitions (7) and exemptions (4), 3 a page.
      const followed = server.requests.slice(before).filter(r => r.method === 'GET' && r.query.$skiptoken);
      expect(followed.some(r => r.path.endsWith('/policyDefinitions'))).toBe(true);
      expect(followed.some(r => r.path.endsWith('/policyExemptions'))).toBe(true);
    } finally {
      await clean.close();
    }
  });

  it('follows writes Resource Manager accepts to finish later (202, Azure-AsyncOperation) to their end, prune included', async () => {
    const clean = await publishServer();
    const later = await publishServer({
      asyncWrites:
        /\/providers\/Microsoft\.Authorization\/(policyDefinitions|policyAssignments|policyExemptions)\/[^/]+$/i
    });
    try {
      for (const server of [clean, later]) {
        seedAccounts(server);
        expect((await publish(server, repo, 'deploy', SUB)).code).toBe(0);
      }
      dropRule(repo, 'ai-hub-hbi');
      for (const server of [clean, later])
        expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).code).toBe(0);
      expect(holdings(later)).toEqual(holdings(clean));
      const accepted = later.requests.filter(r => r.status === 202).map(r => r.method);
      expect(new Set(accepted)).toEqual(new Set(['PUT', 'DELETE']));
      // Each one polled to its end, one InProgress first.
      const polls = later.requests.filter(r => r.path.startsWith('/providers/Microsoft.Test/operationStatuses/'));
      expect(polls).toHaveLength(accepted.length * 2);
      const writes = later.writeRequests();
      expect((await publish(later, repo, 'deploy', SUB, ['--prune'])).stdout).toContain('No change');
      expect(later.writeRequests()).toBe(writes);
    } finally {
      await clean.close();
      await later.close();
    }
  });

  it('takes a DELETE answered 404 (deleted meanwhile, with its resource group) as done, and the next deploy writes nothing', async () => {
    expect((await publish(server, repo, 'deploy', SUB, ['--assignment-scope', RG])).code).toBe(0);
    const old = `${RG}/providers/Microsoft.Authorization/policyAssignments/${PACK}`;
    const exemptions = [...exemptionState(server).exemptions.values()];
    // Between plan and apply, the resource group is deleted, and everything in it: ARM answers 404.
    const gone = () => {
      policyState(server).resources.delete(old.toLowerCase());
      for (const exemption of exemptions) exemptionState(server).exemptions.delete(exemption.id.toLowerCase());
      return {
        status: 404,
        body: { error: { code: 'ResourceGroupNotFound', message: "Resource group 'ai-prod' could not be found." } }
      };
    };
    server.route(
      {
        method: 'DELETE',
        pattern: new RegExp(`^${RG}/providers/Microsoft\\.Authorization/policyAssignments/[^/]+$`, 'i'),
        apiVersions: [POLICY_API_VERSION],
        handle: gone
      },
      { first: true }
    );
    server.route(
      {
        method: 'DELETE',
        pattern: /\/providers\/Microsoft\.Authorization\/policyExemptions\/[^/]+$/i,
        apiVersions: [EXEMPTIONS_API_VERSION],
        handle: gone
      },
      { first: true }
    );
    rmConfig(repo);
    const pruned = await publish(server, repo, 'deploy', SUB, ['--prune', '--format', 'json']);
    expect(pruned.code).toBe(0);
    const plan = JSON.parse(pruned.stdout) as { results: { kind: string; action: string; outcome: string }[] };
    expect(plan.results.filter(r => r.action === 'delete').map(r => [r.kind, r.outcome])).toEqual([
      ...ACCOUNTS.map(() => ['exemption', 'applied']),
      ['assignment', 'applied']
    ]);
    expect(server.requests.filter(r => r.method === 'DELETE').map(r => r.status)).toEqual(
      [...ACCOUNTS, RG].map(() => 404)
    );
    expect(storedAt(server, RG, 'policyAssignments')).toEqual([]);
    const writes = server.writeRequests();
    expect((await publish(server, repo, 'deploy', SUB, ['--prune'])).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });
});

function rmConfig(repo: Repository): void {
  writeFileSync(path.join(repo.root, 'cmk-guard.yaml'), '{}\n');
}

describe('Retry-After, in either form RFC 9110 allows', () => {
  const now = Date.UTC(2026, 11, 6, 3, 0, 0);
  it('reads seconds and HTTP-dates, never waits for a date gone by, and waits at most a minute', () => {
    expect(retryAfterMs({ 'retry-after': '5' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': new Date(now + 3000).toUTCString() }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': new Date(now - 3000).toUTCString() }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': '3600' }, now)).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it('waits no longer than the longest retry delay however far an HTTP-date is, and reports the 429 when retries are spent', async () => {
    const server = await publishServer();
    try {
      server.setFaults({
        rate: 1,
        seed: 2,
        kinds: ['throttle'],
        methods: ['PUT'],
        retryAfterSeconds: 3600,
        retryAfterDate: true
      });
      const store = new PolicyStore(
        connectArm({
          env: { CMK_GUARD_AZURE_TOKEN: server.token },
          armEndpoint: server.url,
          retry: { retryDelayInMs: 1, maxRetryDelayInMs: 50 }
        })
      );
      // An hour's wait per attempt would outlast the test; clamped to 50 ms, the seven attempts end soon.
      const write = store.putDefinition(parseScope(SUB, '--scope'), 'd', {
        properties: {
          displayName: 'd',
          mode: 'All',
          policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
        }
      });
      await expect(write).rejects.toMatchObject({ status: 429 });
      expect(server.requests.filter(r => r.method === 'PUT')).toHaveLength(7);
    } finally {
      await server.close();
    }
  });
});
