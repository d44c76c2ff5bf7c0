/**
 * The network (or a proxy) failing in the middle of a deploy, against the loopback ARM's scripted
 * faults: a link that goes down after some writes, answers lost after the write was done (a reset,
 * a body cut half-way, no answer until the deadline), a success answer that is an error body.
 * Nothing is left half-written (an initiative never points at a definition that was not written;
 * the assignment is written last; prune deletes users before what they use and never what it does
 * not own), the report says exactly which writes Azure holds, and a re-run converges and then
 * writes nothing.
 */
import type { DeploymentPlan } from '../../src/model/plan.js';
import { mayHaveBeenDone } from '../../src/azure/apply.js';
import { ArmError } from '../../src/azure/errors.js';
import { ExemptionStore } from '../../src/azure/exemptions.js';
import { writeAnswerProblem } from '../../src/azure/policyAnswers.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { policyState } from '../support/arm-policy.js';
import { startArmServer, type ArmServer, type ScriptedFault } from '../support/arm-server.js';
import {
  connect,
  dropRule,
  eachTestPackAndServer,
  MG,
  PACK,
  packRepository,
  publish,
  publishServer,
  seedSomeoneElsesDefinition,
  type Repository
} from './support.js';

const ONE_DEFINITION = /\/policyDefinitions\/ai-hub-cmk$/i;

/** What the server holds: the id of every policy resource, lowercased, sorted. */
function held(server: ArmServer): string[] {
  return [...policyState(server).resources.values()].map(r => r.id.toLowerCase()).sort();
}

/** The deploy's results, from its JSON output. */
function results(stdout: string): NonNullable<DeploymentPlan['results']> {
  return (JSON.parse(stdout) as DeploymentPlan).results ?? [];
}

/** Each write done (answered below 300 or its answer faulted after it was done), in order: `METHOD type/name`. */
function writesDone(server: ArmServer): string[] {
  return server.requests
    .filter(r => (r.method === 'PUT' || r.method === 'DELETE') && (r.status === 'reset' || Number(r.status) < 300))
    .map(r => `${r.method} ${r.path.split('/').slice(-2).join('/')}`);
}

describe('a deploy cut off in the middle', () => {
  let server: ArmServer;
  let repo: Repository;
  /** What a deploy without faults leaves, and how many requests it makes before its first write. */
  let cleanState: string[];
  let readsBeforeWrites: number;
  beforeAll(async () => {
    const clean = await publishServer();
    const cleanRepo = packRepository();
    try {
      expect((await publish(clean, cleanRepo, 'deploy', MG)).code).toBe(0);
      cleanState = held(clean);
      readsBeforeWrites = clean.requests.findIndex(r => r.method === 'PUT');
    } finally {
      cleanRepo.dispose();
      await clean.close();
    }
  });
  eachTestPackAndServer(made => ({ server, repo } = made));

  /** Clears the faults, deploys again (all of what was left), and then once more (nothing). */
  async function converges(): Promise<void> {
    server.scriptFaults();
    const rerun = await publish(server, repo, 'deploy', MG);
    expect(rerun.code).toBe(0);
    expect(held(server)).toEqual(cleanState);
    const writes = server.writeRequests();
    const again = await publish(server, repo, 'deploy', MG);
    expect(again.stdout).toContain('Nothing to write: Azure already holds the pack.');
    expect(server.writeRequests()).toBe(writes);
  }

  it('a link that goes down after two writes: applied means held, the rest is not known, nothing refers to what is missing', async () => {
    server.scriptFaults([{ skip: readsBeforeWrites + 2, action: { kind: 'reset' } }]);
    const deploy = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
    expect(deploy.code).toBe(1);
    const done = results(deploy.stdout);
    const applied = done.filter(r => r.outcome === 'applied').map(r => r.id.toLowerCase());
    // Exactly the two writes that went through are reported done, and Azure holds exactly those.
    expect(applied).toHaveLength(2);
    expect(held(server)).toEqual(applied.sort());
    for (const r of done.filter(r => r.kind === 'definition' && r.outcome !== 'applied')) {
      expect(r.outcome).toBe('failed');
      expect(r.message).toMatch(
        /^Resource Manager could not be reached \(ECONNRESET: .*\), after retries, while writing the policy definition .* cmk-guard tried 7 times over .*\. Whether Azure did it is not known: reading it back failed too \(Resource Manager could not be reached .*\)\. Run plan to see what Azure holds\.$/
      );
    }
    // The initiative and the assignment were never tried: nothing points at a definition not written.
    expect(done.filter(r => r.kind !== 'definition').map(r => [r.kind, r.outcome])).toEqual([
      ['initiative', 'not-applied'],
      ['assignment', 'not-applied']
    ]);
    expect(
      server.requests.some(r => r.method === 'PUT' && /policySetDefinitions|policyAssignments/i.test(r.path))
    ).toBe(false);
    await converges();
  });

  const lost: [string, ScriptedFault['action'], NodeJS.ProcessEnv][] = [
    ['the connection dropped', { kind: 'reset' }, {}],
    ['the body cut half-way', { kind: 'cut' }, {}],
    ['no answer until the deadline', { kind: 'hang' }, { CMK_GUARD_AZURE_TIMEOUT_MS: '200' }]
  ];
  it.each(lost)(
    'a write done whose every answer is lost (%s): read back, it counts as done, and the deploy finishes',
    async (_name, action, env) => {
      server.scriptFaults([{ method: 'PUT', path: ONE_DEFINITION, when: 'after', action }]);
      const deploy = await publish(server, repo, 'deploy', MG, ['--format', 'json'], env);
      expect(deploy.code).toBe(0);
      expect(deploy.stderr).toContain(
        'The answer to writing the definition ai-hub-cmk was lost (ECONNRESET); read back, Azure holds it as planned.'.replace(
          'ECONNRESET',
          action.kind === 'hang' ? 'ETIMEDOUT' : 'ECONNRESET'
        )
      );
      expect(results(deploy.stdout).every(r => r.outcome === 'applied')).toBe(true);
      expect(held(server)).toEqual(cleanState);
      // Written 7 times (the first try and 6 retries), each answer lost; then read back once.
      expect(server.requests.filter(r => r.method === 'PUT' && ONE_DEFINITION.test(r.path))).toHaveLength(7);
      await converges();
    }
  );

  it('a success answer that is an error body: read back, the definition is not there, so nothing that uses it is written', async () => {
    server.scriptFaults([
      {
        method: 'PUT',
        path: ONE_DEFINITION,
        action: {
          kind: 'answer',
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"error":{"code":"GatewayTimeout","message":"The gateway did not receive a response in time."}}'
        }
      }
    ]);
    const deploy = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
    expect(deploy.code).toBe(1);
    const [definition] = results(deploy.stdout).filter(r => r.name === 'ai-hub-cmk');
    expect(definition).toMatchObject({ outcome: 'failed' });
    expect(definition.message).toBe(
      'Resource Manager answered 200 while writing the policy definition ai-hub-cmk at management group contoso, but with an error body instead of what was written; cmk-guard does not know whether it was done. Read back afterwards, Azure does not hold it: it was not written.'
    );
    expect(held(server).some(id => id.endsWith('/ai-hub-cmk'))).toBe(false);
    expect(held(server).some(id => /policysetdefinitions|policyassignments/.test(id))).toBe(false);
    await converges();
  });

  it('a proxy’s HTML page answered 200 after the write was done: read back, it counts as done', async () => {
    server.scriptFaults([
      {
        method: 'PUT',
        path: ONE_DEFINITION,
        when: 'after',
        action: { kind: 'answer', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>OK</html>' }
      }
    ]);
    const deploy = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
    expect(deploy.code).toBe(0);
    expect(results(deploy.stdout).every(r => r.outcome === 'applied')).toBe(true);
    expect(held(server)).toEqual(cleanState);
  });

  it('prune deletes users before what they use, and never what it does not own', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    seedSomeoneElsesDefinition(server);
    dropRule(repo, 'ai-hub-hbi');
    const before = server.requests.length;
    const pruned = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(pruned.code).toBe(0);
    const order = writesDone({ ...server, requests: server.requests.slice(before) } as ArmServer);
    // The initiative loses a parameter (replaced): its assignment goes first, then it; both come back
    // after the definitions (unchanged here); the definition that left the pack goes last, and only it.
    expect(order).toEqual([
      `DELETE policyAssignments/${PACK}`,
      `DELETE policySetDefinitions/${PACK}`,
      `PUT policySetDefinitions/${PACK}`,
      `PUT policyAssignments/${PACK}`,
      'DELETE policyDefinitions/ai-hub-hbi'
    ]);
    expect(held(server).some(id => id.endsWith('/someone-elses'))).toBe(true);
  });

  it('a delete done whose every answer is lost: read back, it is gone, so it counts as done', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    dropRule(repo, 'ai-hub-hbi');
    server.scriptFaults([
      { method: 'DELETE', path: /\/policyDefinitions\/ai-hub-hbi$/i, when: 'after', action: { kind: 'reset' } }
    ]);
    const pruned = await publish(server, repo, 'deploy', MG, ['--prune', '--format', 'json']);
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain(
      'The answer to deleting the definition ai-hub-hbi was lost (ECONNRESET); read back, Azure no longer holds it.'
    );
    expect(results(pruned.stdout).find(r => r.name === 'ai-hub-hbi')).toMatchObject({
      action: 'delete',
      outcome: 'applied'
    });
    expect(held(server).some(id => id.endsWith('/policydefinitions/ai-hub-hbi'))).toBe(false);
  });

  it('a cut in the middle of prune: the initiative is kept while assigned, the definitions while it uses them', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    dropRule(repo, 'ai-hub-hbi');
    // The assignment (deleted first, to replace the initiative) goes; then the link goes down.
    server.scriptFaults([{ method: 'DELETE', skip: 1, action: { kind: 'reset' } }]);
    const pruned = await publish(server, repo, 'deploy', MG, ['--prune', '--format', 'json']);
    expect(pruned.code).toBe(1);
    const ids = held(server);
    expect(ids.some(id => id.includes('/policyassignments/'))).toBe(false);
    expect(ids.some(id => id.endsWith(`/policysetdefinitions/${PACK}`))).toBe(true);
    expect(ids.some(id => id.endsWith('/policydefinitions/ai-hub-hbi'))).toBe(true);
    const outcomes = results(pruned.stdout).map(r => `${r.kind} ${r.name} ${r.outcome}`);
    expect(outcomes).toContain(`initiative ${PACK} failed`);
    expect(outcomes).toContain('definition ai-hub-hbi not-applied');
    server.scriptFaults();
    const rerun = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(rerun.code).toBe(0);
    expect(held(server).some(id => id.endsWith('/policydefinitions/ai-hub-hbi'))).toBe(false);
    expect(held(server).filter(id => id.includes('/policyassignments/'))).toHaveLength(1);
  });
});

describe('which failed writes Azure may have done all the same', () => {
  it('every one but a refusal: no answer, a 5xx, a 408 or 429 after tries, an unreadable success', () => {
    const error = (status: number | undefined, code: string) => new ArmError('x', status, code, '');
    expect(mayHaveBeenDone(error(undefined, 'ECONNRESET'))).toBe(true);
    expect(mayHaveBeenDone(error(undefined, 'ETIMEDOUT'))).toBe(true);
    expect(mayHaveBeenDone(error(500, 'InternalServerError'))).toBe(true);
    expect(mayHaveBeenDone(error(429, 'TooManyRequests'))).toBe(true);
    expect(mayHaveBeenDone(error(200, 'UnexpectedAnswer'))).toBe(true);
    expect(mayHaveBeenDone(error(400, 'InvalidPolicyRule'))).toBe(false);
    expect(mayHaveBeenDone(error(403, 'AuthorizationFailed'))).toBe(false);
    expect(mayHaveBeenDone(error(409, 'ScopeLocked'))).toBe(false);
  });
});

describe('what a write’s success answer must hold', () => {
  it('a PUT: what was written; a DELETE: nothing, or what was deleted', () => {
    const written = { id: '/subscriptions/s/providers/Microsoft.Authorization/policyDefinitions/D', properties: {} };
    expect(writeAnswerProblem('PUT', written)).toBeUndefined();
    expect(writeAnswerProblem('PUT', undefined)).toBe('no body');
    expect(writeAnswerProblem('PUT', '<html>OK</html>')).toBe('a body that is not JSON');
    expect(writeAnswerProblem('PUT', { error: { code: 'X' } })).toBe('an error body');
    expect(writeAnswerProblem('PUT', [written])).toBe('a body that is a list');
    expect(writeAnswerProblem('PUT', { id: written.id })).toBe('a body without properties');
    expect(writeAnswerProblem('DELETE', undefined)).toBeUndefined();
    expect(writeAnswerProblem('DELETE', written)).toBeUndefined();
    expect(writeAnswerProblem('DELETE', { error: { code: 'X' } })).toBe('an error body');
    expect(writeAnswerProblem('DELETE', '<html>gone</html>')).toBe('a body that is not JSON');
  });

  it('an exemption written over raw REST and answered 200 with an error body is not taken as written', async () => {
    const server = await startArmServer({ modules: [exemptionsModule] });
    try {
      server.scriptFaults([
        {
          method: 'PUT',
          action: {
            kind: 'answer',
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: '{"error":{"code":"BadGateway","message":"upstream"}}'
          }
        }
      ]);
      const store = new ExemptionStore(connect(server));
      const error = (await store
        .put('/subscriptions/00000000-0000-0000-0000-000000000001', 'e', {
          policyAssignmentId:
            '/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/policyAssignments/a',
          exemptionCategory: 'Waiver'
        })
        .catch((e: unknown) => e)) as ArmError;
      expect(error).toBeInstanceOf(ArmError);
      expect(error.code).toBe('UnexpectedAnswer');
      expect(error.message).toBe(
        'Resource Manager answered 200 while writing the policy exemption e at /subscriptions/00000000-0000-0000-0000-000000000001, but with an error body instead of what was written; cmk-guard does not know whether it was done.'
      );
    } finally {
      await server.close();
    }
  });
});
