/**
 * The time limit of a whole run (`--run-timeout`, the action's `run-timeout`), against the loopback ARM with a
 * request that never gets an answer and waits Azure asks for that are longer than the limit. Each request has its
 * own bound (CMK_GUARD_AZURE_TIMEOUT_MS, set here far above the limit), so what ends these runs is the limit:
 * no request starts after it, a request or a wait under way ends when it passes, and what was done is reported.
 */
import type { DeploymentPlan } from '../../src/model/plan.js';
import { settled } from '../../src/azure/apply.js';
import { RunDeadline } from '../../src/azure/deadline.js';
import { ArmError } from '../../src/azure/errors.js';
import { policyInsightsModule, policyInsightsState } from '../support/arm-policyinsights.js';
import { policyModule, policyState } from '../support/arm-policy.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';
import { startArmServer } from '../support/arm-server.js';
import { generateEstate, runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';
import { MG, packRepository, publish, publishServer } from './support.js';

/** Each request may take two minutes: far longer than any limit below. */
const SLOW_REQUESTS = { CMK_GUARD_AZURE_TIMEOUT_MS: '120000' };

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = Date.now();
  const result = await run();
  return { result, seconds: (Date.now() - start) / 1000 };
}

describe('the time limit of a whole run', () => {
  it('deploy: a write that never gets an answer ends at the limit, nothing starts after it, and the report says what was done', async () => {
    const server = await publishServer();
    const repo = packRepository();
    try {
      // The initiative is written after every definition, and the assignment after it.
      server.scriptFaults([{ method: 'PUT', path: /\/policySetDefinitions\//i, action: { kind: 'hang' } }]);
      const { result: deploy, seconds } = await timed(() =>
        publish(server, repo, 'deploy', MG, ['--format', 'json', '--run-timeout', '8'], SLOW_REQUESTS)
      );
      expect(seconds).toBeLessThan(30);
      expect(deploy.code).toBe(1);
      const results = (JSON.parse(deploy.stdout) as DeploymentPlan).results ?? [];
      const definitions = results.filter(r => r.kind === 'definition');
      expect(definitions.length).toBeGreaterThan(0);
      expect(definitions.every(r => r.outcome === 'applied')).toBe(true);
      expect(results.filter(r => r.kind !== 'definition').map(r => [r.kind, r.outcome, r.message])).toEqual([
        [
          'initiative',
          'failed',
          expect.stringMatching(
            /^cmk-guard stopped while .*: the run's time limit \(--run-timeout 8 s\) passed, with the request under way: whether Azure did it is not known \(it does a write whole or not at all\)\. Run plan to see what Azure holds; deploy again finishes the job\.$/
          )
        ],
        [
          'assignment',
          'not-applied',
          "not attempted: the run's time limit (--run-timeout 8 s) passed before it was started"
        ]
      ]);
      // Exactly what the report calls applied is held, and nothing was sent for the assignment.
      const held = [...policyState(server).resources.values()];
      expect(held.filter(r => r.type === 'policyDefinitions')).toHaveLength(definitions.length);
      expect(held.filter(r => r.type !== 'policyDefinitions')).toEqual([]);
      expect(server.requests.some(r => /policyAssignments\/[^/?]+(\?|$)/i.test(r.path) && r.method === 'PUT')).toBe(
        false
      );
      // Without the fault, deploy again finishes the job.
      server.scriptFaults();
      expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    } finally {
      repo.dispose();
      await server.close();
    }
  }, 60_000);

  it('evaluate --scope: a Resource Graph query that never gets an answer ends at the limit, with what was being done', async () => {
    const server = await startArmServer({ modules: [policyModule, resourceGraphModule] });
    try {
      seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
      seedResources(server, generateEstate({ count: 10 }));
      server.scriptFaults([{ method: 'POST', action: { kind: 'hang' } }]);
      const { result: run, seconds } = await timed(() =>
        runCliAgainst(
          server,
          process.cwd(),
          ['evaluate', '--scope', MG, '--arm-endpoint', server.url, '--run-timeout', '2', '--format', 'json'],
          SLOW_REQUESTS
        )
      );
      expect(seconds).toBeLessThan(20);
      expect(run.code).toBe(2);
      expect(run.err).toContain(
        "cmk-guard stopped while reading the resources of management group contoso from Resource Graph: the run's time limit (--run-timeout 2 s) passed."
      );
    } finally {
      await server.close();
    }
  }, 60_000);

  it('compliance --trigger-scan: a wait Azure asks for that outlasts the limit ends at it', async () => {
    const server = await startArmServer({ modules: [policyModule, resourceGraphModule, policyInsightsModule] });
    try {
      seedManagementGroup(server, 'contoso', { subscriptions: [SUBSCRIPTIONS[0]] });
      const insights = policyInsightsState(server);
      insights.groups.set('contoso', new Set([SUBSCRIPTIONS[0]]));
      // The scan asks to be polled again in a minute, many times.
      insights.scanPolls = 100;
      insights.scanRetryAfter = 60;
      const { result: run, seconds } = await timed(() =>
        runCliAgainst(
          server,
          process.cwd(),
          ['compliance', '--scope', MG, '--arm-endpoint', server.url, '--trigger-scan', '--run-timeout', '2'],
          SLOW_REQUESTS
        )
      );
      expect(seconds).toBeLessThan(20);
      expect(run.code).toBe(2);
      expect(run.err).toContain(
        `cmk-guard stopped while waiting for the compliance scan of /subscriptions/${SUBSCRIPTIONS[0]} (the scan timeout is 3600 s): the run's time limit (--run-timeout 2 s) passed.`
      );
    } finally {
      await server.close();
    }
  }, 60_000);

  it("deploy's waits for Azure Policy's replicas end at the limit too, and say the write was not done", async () => {
    const deadline = new RunDeadline(300, '`run-timeout` 0.3 s');
    const refused = new ArmError('Azure answered 400 PolicyDefinitionNotFound.', 400, 'PolicyDefinitionNotFound', '');
    const start = Date.now();
    const error = (await settled(
      () => Promise.reject(refused),
      { retries: 6, delayMs: 60_000, maxDelayMs: 60_000 },
      undefined,
      deadline
    ).catch((e: unknown) => e)) as ArmError;
    expect(Date.now() - start).toBeLessThan(5000);
    expect(error).toBeInstanceOf(ArmError);
    expect(error.code).toBe('RunTimeout');
    expect(error.message).toBe(
      "Azure answered 400 PolicyDefinitionNotFound. The run's time limit (`run-timeout` 0.3 s) passed while cmk-guard waited to try again: it was not written."
    );
  });

  it('--run-timeout takes a whole number of seconds', async () => {
    const run = await runCliAgainst({ url: 'http://127.0.0.1:9', token: 't' }, process.cwd(), [
      'evaluate',
      '--scope',
      MG,
      '--arm-endpoint',
      'http://127.0.0.1:9',
      '--run-timeout',
      '10m'
    ]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--run-timeout is '10m'; give a whole number of seconds, such as 1800.");
  });
});
