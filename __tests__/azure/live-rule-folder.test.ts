/**
 * `evaluate --scope` with the repository's own rule folder: the folder is read once, inside the root, for
 * both the rules and the pack whose assignments and exemptions it looks for. A rule file that links out of
 * the repository is refused unread there as everywhere else.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule } from '../support/arm-policy.js';
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
    server = await startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule] });
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
});
