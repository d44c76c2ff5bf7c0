/**
 * Exemptions that exist in Azure, honoured by `evaluate --scope` and `compliance`: a finding an
 * exemption for the pack's assignment covers is suppressed (listed, counted, a SARIF suppression,
 * `suppressed` in JSON) as an exception of the configuration file is; an expired exemption stops
 * applying and says so; an exemption for another assignment changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule, seedPolicyResource } from '../support/arm-policy.js';
import { exemptionsModule, seedExemption, seedExemptionGroup } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedManagementGroup, seedResources } from '../support/arm-resourcegraph.js';
import { policyInsightsModule, policyInsightsState, policyStateRecord } from '../support/arm-policyinsights.js';
import { generateEstate, runCliAgainst, SUBSCRIPTIONS } from '../support/live-estate.js';

const MG = '/providers/Microsoft.Management/managementGroups/contoso';
const INITIATIVE = `${MG}/providers/Microsoft.Authorization/policySetDefinitions/cmk-guard-foundry-tools`;
const ASSIGNMENT = `${MG}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-t`;
const OTHER = `${MG}/providers/Microsoft.Authorization/policyAssignments/someone-else`;
const RG = `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg-0`;

describe('exemptions in Azure, honoured by live evaluation and compliance', () => {
  let server: ArmServer;
  let dir: string;
  beforeEach(async () => {
    server = await startArmServer({
      modules: [policyModule, exemptionsModule, resourceGraphModule, policyInsightsModule]
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-exempt-live-'));
    seedManagementGroup(server, 'contoso', { subscriptions: SUBSCRIPTIONS });
    seedExemptionGroup(server, 'contoso', SUBSCRIPTIONS);
    seedResources(server, generateEstate({ count: 150 }));
    seedPolicyResource(server, MG, 'policySetDefinitions', 'cmk-guard-foundry-tools', {
      displayName: 'cmk-guard',
      policyDefinitions: [{ policyDefinitionId: 'x', policyDefinitionReferenceId: 'foundry-tools-cmk' }]
    });
    seedPolicyResource(server, MG, 'policyAssignments', 'cmk-guard-foundry-t', {
      policyDefinitionId: INITIATIVE,
      scope: MG
    });
    seedPolicyResource(server, MG, 'policyAssignments', 'someone-else', {
      policyDefinitionId: `${MG}/providers/Microsoft.Authorization/policySetDefinitions/other`,
      scope: MG
    });
    seedExemption(server, RG, 'accepted', {
      policyAssignmentId: ASSIGNMENT,
      policyDefinitionReferenceIds: ['foundry-tools-cmk'],
      exemptionCategory: 'Mitigated',
      description: 'Keys move to the platform vault in Q1.',
      expiresOn: '2027-04-01T00:00:00Z',
      metadata: { cmkGuard: { owner: 'github.com/contoso/policies' } }
    });
    seedExemption(server, `/subscriptions/${SUBSCRIPTIONS[1]}`, 'lapsed', {
      policyAssignmentId: ASSIGNMENT,
      exemptionCategory: 'Waiver',
      description: 'Pilot.',
      expiresOn: '2026-01-01T00:00:00Z'
    });
    seedExemption(server, `/subscriptions/${SUBSCRIPTIONS[2]}`, 'not-ours', {
      policyAssignmentId: OTHER,
      exemptionCategory: 'Waiver'
    });
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluate --scope marks what an exemption for the pack’s assignment covers as suppressed, and no more', async () => {
    const run = await runCliAgainst(server, dir, [
      'evaluate',
      '--scope',
      MG,
      '--arm-endpoint',
      server.url,
      '--format',
      'json'
    ]);
    const document = JSON.parse(run.out) as FindingsDocument;
    const suppressed = document.findings.filter(f => f.suppressed);
    expect(suppressed.length).toBeGreaterThan(0);
    expect(suppressed.every(f => f.definition === 'foundry-tools-cmk' && f.resource.id.startsWith(`${RG}/`))).toBe(
      true
    );
    expect(suppressed[0].suppressed).toMatchObject({
      kind: 'external',
      category: 'mitigated',
      reason: 'Keys move to the platform vault in Q1.',
      owner: 'github.com/contoso/policies',
      expires: '2027-03-31',
      exemption: `${RG}/providers/Microsoft.Authorization/policyExemptions/accepted`
    });
    // Everything noncompliant in that group for that rule is accepted; nothing elsewhere is.
    const open = document.findings.filter(
      f => f.verdict === 'noncompliant' && !f.suppressed && f.definition === 'foundry-tools-cmk'
    );
    expect(open.some(f => f.resource.id.startsWith(`${RG}/`))).toBe(false);
    expect(open.length).toBeGreaterThan(0);
    expect(document.summary.suppressed).toBe(suppressed.length);
    expect(document.exceptions?.map(e => [e.status, e.exemption?.split('/').pop()])).toEqual([
      ['applied', 'accepted'],
      ['expired', 'lapsed']
    ]);
    const sarif = JSON.parse(
      (await runCliAgainst(server, dir, ['evaluate', '--scope', MG, '--arm-endpoint', server.url, '--format', 'sarif']))
        .out
    ) as SarifLog;
    const withSuppression = sarif.runs[0].results.filter(r => r.suppressions?.length);
    expect(withSuppression).toHaveLength(suppressed.length);
    expect(withSuppression[0].suppressions?.[0]).toMatchObject({ kind: 'external', status: 'accepted' });
  });

  it('compliance shows Azure’s Exempt states as accepted by the exemption', async () => {
    const insights = policyInsightsState(server);
    insights.groups.set('contoso', new Set(SUBSCRIPTIONS));
    insights.records.push(
      policyStateRecord({
        resourceId: `${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`,
        resourceType: 'Microsoft.CognitiveServices/accounts',
        complianceState: 'Exempt',
        policyAssignmentId: ASSIGNMENT,
        policySetDefinitionId: INITIATIVE,
        policyDefinitionReferenceId: 'foundry-tools-cmk'
      })
    );
    const run = await runCliAgainst(server, dir, [
      'compliance',
      '--scope',
      MG,
      '--arm-endpoint',
      server.url,
      '--format',
      'json'
    ]);
    expect(run.code).toBe(0);
    const [finding] = (JSON.parse(run.out) as FindingsDocument).findings;
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.suppressed?.exemption).toBe(`${RG}/providers/Microsoft.Authorization/policyExemptions/accepted`);
  });
});
