/**
 * The commands that reach Azure with the repository's own rule folder (`evaluate --scope`, `plan`,
 * `compliance`) read it inside the repository, as `evaluate` of templates does: a rule file that links out
 * is refused unread, and so is a folder outside. In a pull request the folder is the pull request's.
 * `evaluate --scope` reads the folder once, for both the rules and the pack whose assignments and
 * exemptions it looks for.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule } from '../support/arm-policy.js';
import { policyInsightsModule } from '../support/arm-policyinsights.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';
import { generateEstate, runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';

const MG = '/providers/Microsoft.Management/managementGroups/contoso';
const SECRET = 'SECRET=hunter2';

describe('a live scope evaluated with a rule folder of the repository', () => {
  let server: ArmServer;
  let outside: string;
  let repo: string;
  beforeEach(async () => {
    server = await startArmServer({
      modules: [policyModule, exemptionsModule, resourceGraphModule, policyInsightsModule]
    });
    seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
    seedResources(server, generateEstate({ count: 40 }));
    outside = mkdtempSync(path.join(os.tmpdir(), 'cmk-live-rules-'));
    repo = path.join(outside, 'repo');
    const rules = path.join(repo, 'policies');
    cpSync(bundledPolicies(), rules, {
      recursive: true,
      filter: source => !source.includes(`${path.sep}compiled`)
    });
    // Not a rule file: a text that fails to parse, which any reading of it would report.
    writeFileSync(path.join(outside, 'stolen.yaml'), `name: [${SECRET}\n`);
    symlinkSync(path.join(outside, 'stolen.yaml'), path.join(rules, 'zz-linked.yaml'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it('evaluates with the folder’s rules and refuses, unread, the rule file that links outside', async () => {
    expect(readdirSync(path.join(repo, 'policies'))).toContain('pack.yaml');
    const run = await runCliAgainst(server, repo, [
      'evaluate',
      '--scope',
      MG,
      '--policies',
      'policies',
      '--arm-endpoint',
      server.url,
      '--format',
      'json'
    ]);
    expect(run.err).not.toContain(SECRET);
    expect(run.out).not.toContain(SECRET);
    const document = JSON.parse(run.out) as FindingsDocument;
    expect(document.errors?.map(e => e.message)).toEqual([
      expect.stringMatching(/does not read the rule file .*zz-linked\.yaml: it leads outside/)
    ]);
    expect(document.summary.resources).toBeGreaterThan(0);
    expect(new Set(document.findings.map(f => f.definition))).toContain('foundry-tools-cmk');
  });

  it.each(['plan', 'compliance'])(
    '%s refuses, unread, a rule file that links outside the repository, and a folder outside it',
    async command => {
      const linked = await runCliAgainst(server, repo, [
        command,
        '--scope',
        MG,
        '--policies',
        'policies',
        '--arm-endpoint',
        server.url
      ]);
      expect(linked.code).toBe(2);
      expect(linked.err).toMatch(/does not read the rule file .*zz-linked\.yaml: it leads outside/);
      expect(linked.err + linked.out).not.toContain(SECRET);
      const above = await runCliAgainst(server, repo, [
        command,
        '--scope',
        MG,
        '--policies',
        '..',
        '--arm-endpoint',
        server.url
      ]);
      expect(above.code).toBe(2);
      expect(above.err).toMatch(/does not read the rule folder .*: it is outside/);
      expect(above.err + above.out).not.toContain(SECRET);
    }
  );
});
