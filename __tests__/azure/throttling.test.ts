/**
 * Resource Manager that throttles or is briefly unavailable, through the real SDK clients and the
 * raw REST pipeline against the loopback ARM's scripted faults: 429 with Retry-After in seconds, as
 * an HTTP-date, absurdly long or missing (with only `x-ms-ratelimit-remaining-*` saying why), and
 * 502/503/504 with and without it. Every request is retried a bounded number of times, with
 * backoff and jitter, in bounded time, and the error that ends the tries names the request, how
 * many tries there were, and a wait asked for that was cut short.
 */
import { ArmError } from '../../src/azure/errors.js';
import { ExemptionStore } from '../../src/azure/exemptions.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { ResourceGraph } from '../../src/azure/resourceGraph.js';
import { parseScope } from '../../src/azure/scope.js';
import {
  askedWaitMs,
  countTry,
  durationText,
  throttleWait,
  triesNote,
  type ThrottledAnswer
} from '../../src/azure/throttle.js';
import { startArmServer, type ArmServer, type ScriptedFault } from '../support/arm-server.js';
import { policyModule, storedAt } from '../support/arm-policy.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { resourceGraphModule } from '../support/arm-resourcegraph.js';
import { connectWith, eachTestPackAndServer, MG, publish, type Repository } from './support.js';

const SUB = parseScope('/subscriptions/00000000-0000-0000-0000-000000000001', '--scope');
const DEFINITION = {
  properties: {
    displayName: 'd',
    mode: 'All',
    policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
  }
};
const THROTTLED = '{"error":{"code":"TooManyRequests","message":"The request is being throttled."}}';

const connect = connectWith({ retry: { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 40 }, timeoutMs: 2000 });

function answer(status: number, headers: Record<string, string> = {}, body = THROTTLED): ScriptedFault['action'] {
  return { kind: 'answer', status, headers: { 'content-type': 'application/json', ...headers }, body };
}

/** An answer as the pipeline gives it: header names read case-insensitively; the request is its own object. */
function response(status: number, headers: Record<string, string>): ThrottledAnswer & { request: object } {
  const held = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    status,
    request: {},
    headers: {
      get: name => held.get(name.toLowerCase()),
      set: (name, value) => void held.set(name.toLowerCase(), value),
      delete: name => void held.delete(name.toLowerCase())
    }
  };
}

describe('the wait before the next try', () => {
  const settings = { firstDelayMs: 1000, maxWaitMs: 30_000 };
  const now = Date.UTC(2026, 11, 6, 12, 0, 0);
  const waitOf = (status: number, headers: Record<string, string>, random = 0, tries = 1) => {
    const answered = response(status, headers);
    for (let i = 0; i < tries; i++) countTry(answered.request, settings, now);
    throttleWait(answered.request, answered, settings, () => random, now);
    const set = answered.headers.get('retry-after-ms');
    return { wait: set === undefined ? undefined : Number(set), note: triesNote(answered.request, now + 5000) };
  };

  it('reads every form Resource Manager and Resource Graph use to ask for one', () => {
    expect(askedWaitMs(response(429, { 'retry-after': '7' }), now)).toBe(7000);
    expect(askedWaitMs(response(429, { 'retry-after': new Date(now + 3000).toUTCString() }), now)).toBe(3000);
    expect(askedWaitMs(response(429, { 'retry-after': new Date(now - 3000).toUTCString() }), now)).toBe(0);
    expect(askedWaitMs(response(429, { 'retry-after-ms': '250' }), now)).toBe(250);
    expect(askedWaitMs(response(429, { 'x-ms-retry-after-ms': '125' }), now)).toBe(125);
    expect(askedWaitMs(response(429, { 'x-ms-user-quota-resets-after': '00:01:05' }), now)).toBe(65_000);
    for (const nonsense of ['soon', '-5', '', '1e3', 'NaN'])
      expect(askedWaitMs(response(429, { 'retry-after': nonsense }), now)).toBeUndefined();
    expect(askedWaitMs(response(429, { 'x-ms-ratelimit-remaining-subscription-writes': '0' }), now)).toBeUndefined();
  });

  it('waits what was asked, with up to a quarter (at most a second) more as jitter', () => {
    expect(waitOf(429, { 'retry-after': '2' }, 0).wait).toBe(2000);
    expect(waitOf(429, { 'retry-after': '2' }, 1).wait).toBe(2500);
    expect(waitOf(503, { 'retry-after': '10' }, 1).wait).toBe(11_000);
    expect(waitOf(429, { 'retry-after': '0' }, 1).wait).toBe(0);
  });

  it('caps an absurd wait at the longest retry delay, and the error says so', () => {
    const { wait, note } = waitOf(429, { 'retry-after': '86400' }, 1, 3);
    expect(wait).toBe(30_000);
    expect(note).toBe(
      ' cmk-guard tried 3 times over 5 s; Azure asked to wait 24 h before trying again, and cmk-guard waits at most 30 s between tries.'
    );
    expect(waitOf(429, { 'retry-after': new Date(now + 3 * 3600_000).toUTCString() }, 0).wait).toBe(30_000);
  });

  it('backs off exponentially, with jitter, on a 429 that asks for no wait', () => {
    const remaining = { 'x-ms-ratelimit-remaining-subscription-reads': '0' };
    expect(waitOf(429, remaining, 0, 1).wait).toBe(500);
    expect(waitOf(429, remaining, 1, 1).wait).toBe(1000);
    expect(waitOf(429, remaining, 0, 3).wait).toBe(2000);
    expect(waitOf(429, remaining, 1, 3).wait).toBe(4000);
    expect(waitOf(429, remaining, 1, 20).wait).toBe(30_000);
  });

  it('leaves a 503 without Retry-After, and any other answer, to the exponential strategy', () => {
    expect(waitOf(503, {}).wait).toBeUndefined();
    expect(waitOf(502, { 'retry-after': '5' }).wait).toBeUndefined();
    expect(waitOf(200, { 'retry-after': '5' }).wait).toBeUndefined();
    expect(waitOf(500, {}).note).toBe('');
  });

  it('says durations in words', () => {
    expect([40, 1400, 119_000, 200_000, 3 * 3600_000 + 60_000].map(durationText)).toEqual([
      '40 ms',
      '1 s',
      '119 s',
      '3 min 20 s',
      '3 h 1 min'
    ]);
  });
});

describe('throttled and unavailable, on every client', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule] });
  });
  afterEach(() => server.close());

  const throttledTwice: [string, ScriptedFault['action']][] = [
    ['429 without Retry-After', answer(429)],
    ['429 with only x-ms-ratelimit-remaining-*', answer(429, { 'x-ms-ratelimit-remaining-subscription-writes': '0' })],
    ['429, Retry-After in seconds', answer(429, { 'retry-after': '0' })],
    ['429, Retry-After as an HTTP-date', answer(429, { 'retry-after': new Date(Date.now() - 1000).toUTCString() })],
    ['503 with Retry-After', answer(503, { 'retry-after': '0' })],
    ['503 without Retry-After', answer(503)],
    [
      '502 from a proxy, as HTML',
      answer(502, { 'content-type': 'text/html' }, '<html><body>Bad Gateway</body></html>')
    ],
    ['504 with no body', answer(504, {}, '')]
  ];

  it.each(throttledTwice)('%s: the SDK’s write is tried again until it is done', async (_name, action) => {
    server.scriptFaults([{ method: 'PUT', times: 2, action }]);
    await expect(new PolicyStore(connect(server)).putDefinition(SUB, 'd', DEFINITION)).resolves.toEqual({
      status: 201
    });
    expect(server.requests.map(r => r.status)).toEqual([
      action.kind === 'answer' && action.status,
      action.kind === 'answer' && action.status,
      201
    ]);
    expect(storedAt(server, SUB.id, 'policyDefinitions')).toHaveLength(1);
  });

  it.each(throttledTwice)('%s: a raw REST list and a Resource Graph query are tried again', async (_name, action) => {
    server.scriptFaults([
      { method: 'GET', path: /policyExemptions$/i, times: 2, action },
      { method: 'POST', path: /Microsoft\.ResourceGraph\/resources$/i, times: 2, action }
    ]);
    const connection = connect(server);
    await expect(new ExemptionStore(connection).list(SUB.id)).resolves.toEqual([]);
    await expect(new ResourceGraph(connection).resources(SUB, null)).resolves.toEqual([]);
    expect(server.requests).toHaveLength(6);
  });

  it('backs off longer each time on a 429 without Retry-After', async () => {
    server.scriptFaults([{ method: 'PUT', times: 3, action: answer(429) }]);
    const store = new PolicyStore(
      connect(server, { retry: { maxRetries: 3, retryDelayInMs: 60, maxRetryDelayInMs: 1000 } })
    );
    await store.putDefinition(SUB, 'd', DEFINITION);
    const at = server.requests.map(r => r.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    // Exponential from 60 ms, each wait between half and all of it: 30–60, 60–120, 120–240 ms.
    expect(gaps).toHaveLength(3);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(60 * 2 ** i * 0.5 - 5);
      expect(gap).toBeLessThan(60 * 2 ** i + 200);
    });
  });

  it('gives up after the retries, in bounded time, naming the request, the tries and the wait it cut short', async () => {
    server.scriptFaults([{ method: 'PUT', action: answer(429, { 'retry-after': '86400' }) }]);
    const started = Date.now();
    const error = (await new PolicyStore(connect(server))
      .putDefinition(SUB, 'd', DEFINITION)
      .catch((e: unknown) => e)) as ArmError;
    // 4 tries, 3 waits of at most 40 ms: not a day.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(ArmError);
    expect(error.status).toBe(429);
    expect(error.message).toMatch(
      /^Azure answered 429 TooManyRequests while writing the policy definition d at subscription 00000000-0000-0000-0000-000000000001: The request is being throttled\. cmk-guard tried 4 times over \d+ ms; Azure asked to wait 24 h before trying again, and cmk-guard waits at most 40 ms between tries\.$/
    );
    expect(server.requests).toHaveLength(4);
    expect(storedAt(server, SUB.id, 'policyDefinitions')).toHaveLength(0);
  });

  it('says in the run’s log, once a request, when it cut a wait Azure asked for, though the request then succeeds', async () => {
    server.scriptFaults([{ method: 'PUT', times: 2, action: answer(429, { 'retry-after': '86400' }) }]);
    const connection = connect(server);
    const lines: string[] = [];
    connection.log = line => lines.push(line);
    await expect(new PolicyStore(connection).putDefinition(SUB, 'd', DEFINITION)).resolves.toEqual({ status: 201 });
    expect(lines).toEqual([
      `Azure answered 429 to PUT ${SUB.id}/providers/Microsoft.Authorization/policyDefinitions/d and asked to wait 24 h before trying again; cmk-guard waits at most 40 ms between tries.`
    ]);
    // A wait within the longest is not worth a line.
    server.scriptFaults([{ method: 'PUT', times: 1, action: answer(429, { 'retry-after': '0' }) }]);
    await new PolicyStore(connection).putDefinition(SUB, 'd', DEFINITION);
    expect(lines).toHaveLength(1);
  });

  it('says how often a raw REST request and a 503 were tried', async () => {
    server.scriptFaults([{ method: 'GET', action: answer(503, {}, '<html>Service Unavailable</html>') }]);
    const error = (await new ExemptionStore(connect(server)).list(SUB.id).catch((e: unknown) => e)) as ArmError;
    expect(error).toBeInstanceOf(ArmError);
    expect(error.message).toMatch(
      /^Azure answered 503 Http503 while listing the policy exemptions at \/subscriptions\/00000000-0000-0000-0000-000000000001: .* cmk-guard tried 4 times over \d+ ms\.$/
    );
  });

  it('bounds the time a request that never answers takes: tries × deadline + waits', async () => {
    server.scriptFaults([{ method: 'PUT', action: { kind: 'hang' } }]);
    const started = Date.now();
    const error = (await new PolicyStore(
      connect(server, { timeoutMs: 150, retry: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 20 } })
    )
      .putDefinition(SUB, 'd', DEFINITION)
      .catch((e: unknown) => e)) as ArmError;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(3 * 150 - 20);
    expect(took).toBeLessThan(3 * 150 + 2 * 20 + 1000);
    expect(error.message).toMatch(
      /^Resource Manager gave no answer within 150 ms, after retries, while writing the policy definition d at subscription 00000000-0000-0000-0000-000000000001\. cmk-guard tried 3 times over \d+ ms\.$/
    );
    expect(server.requests).toHaveLength(3);
  });
});

describe('deploy against a Resource Manager that throttles without saying how long', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(made => ({ server, repo } = made));

  it('waits out a 429 without Retry-After on reads and writes, and ends as a deploy without it', async () => {
    server.scriptFaults([
      { method: 'GET', times: 4, action: answer(429, { 'x-ms-ratelimit-remaining-subscription-reads': '0' }) },
      { method: 'PUT', times: 4, action: answer(429, { 'x-ms-ratelimit-remaining-subscription-writes': '0' }) }
    ]);
    const deploy = await publish(server, repo, 'deploy', MG);
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain('Deployed: ');
    expect(server.requests.filter(r => r.status === 429)).toHaveLength(8);
    server.scriptFaults();
    const again = await publish(server, repo, 'deploy', MG);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to write: Azure already holds the pack.');
  });
});
