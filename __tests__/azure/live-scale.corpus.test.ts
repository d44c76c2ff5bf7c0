/**
 * Live evaluation at scale (issue #12's measure): 5,000 resources in 3 subscriptions under a
 * management group, read by Resource Graph in pages of 1,000, give the findings a snapshot
 * file of the same resources gives. In the corpus suite because it takes tens of seconds (the
 * snapshot's relation rule relates every account to every vault).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import {
  resourceGraphModule,
  resourceGraphState,
  seedManagementGroup,
  seedResources
} from '../support/arm-resourcegraph.js';
import { findingEssence, generateEstate, isUncovered, runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';

describe('evaluate --scope over 5,000 resources', () => {
  let server: ArmServer;
  let dir: string;
  beforeAll(async () => {
    server = await startArmServer({ modules: [resourceGraphModule, exemptionsModule] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-live-scale-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads 3 subscriptions in pages of 1,000 and finds what a snapshot of them finds', async () => {
    seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
    const rows = seedResources(server, generateEstate({ count: 5000, uncovered: 1000 }));
    const live = await runCliAgainst(server, dir, [
      'evaluate',
      '--scope',
      '/providers/Microsoft.Management/managementGroups/contoso',
      '--arm-endpoint',
      server.url,
      '--format',
      'json'
    ]);
    const document = JSON.parse(live.out) as FindingsDocument;
    const queries = resourceGraphState(server).queries.filter(q => String(q.query).startsWith('resources\n'));
    expect(queries).toHaveLength(5);
    expect(queries.slice(1).every(q => typeof (q.options as { $skipToken?: unknown }).$skipToken === 'string')).toBe(
      true
    );
    expect(document.summary.resources).toBe(5000);
    expect(new Set(document.findings.map(f => f.resource.id.split('/')[2]))).toEqual(new Set(SUBSCRIPTIONS));

    writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify({ data: rows.filter(r => !isUncovered(r)) }));
    const fromFile = await runCliAgainst(server, dir, ['evaluate', '--resources', 'snapshot.json', '--format', 'json']);
    const snapshot = JSON.parse(fromFile.out) as FindingsDocument;
    const expected = snapshot.findings
      .filter(f => f.enforcement !== 'pr-only')
      .map(findingEssence)
      .sort();
    expect(document.findings.length).toBeGreaterThan(5000);
    expect(document.findings.map(findingEssence).sort()).toEqual(expected);
  });
});
