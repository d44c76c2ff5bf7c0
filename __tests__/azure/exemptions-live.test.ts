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

/** `cmk-guard COMMAND --scope SCOPE [EXTRA…] --arm-endpoint <server> --format FORMAT`, run in `dir`. */
function liveRun(
  server: ArmServer,
  dir: string,
  command: string,
  scope: string,
  format = 'json',
  extra: string[] = []
) {
  return runCliAgainst(server, dir, [
    command,
    '--scope',
    scope,
    ...extra,
    '--arm-endpoint',
    server.url,
    '--format',
    format
  ]);
}

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
    const run = await liveRun(server, dir, 'evaluate', MG);
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
    const sarif = JSON.parse((await liveRun(server, dir, 'evaluate', MG, 'sarif')).out) as SarifLog;
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
    const run = await liveRun(server, dir, 'compliance', MG);
    expect(run.code).toBe(0);
    const [finding] = (JSON.parse(run.out) as FindingsDocument).findings;
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.suppressed?.exemption).toBe(`${RG}/providers/Microsoft.Authorization/policyExemptions/accepted`);
  });
});

/**
 * An exemption exempts "a resource hierarchy" (exemption-structure): at a management group, the resources of every
 * subscription below it at any depth. A resource's id names its subscription, not its groups; which groups hold a
 * subscription is read from Resource Graph (`resourcecontainers`, `managementGroupAncestorsChain`).
 */
describe('an exemption at a management group, in live evaluation and compliance', () => {
  const PLATFORM = '/providers/Microsoft.Management/managementGroups/platform';
  const [S0, S1, S2] = SUBSCRIPTIONS;
  let server: ArmServer;
  let dir: string;
  /** contoso holds S2 and the group platform, which holds S0 and S1; the exemption is at platform. */
  async function start(modules = [policyModule, exemptionsModule, resourceGraphModule, policyInsightsModule]) {
    server = await startArmServer({ modules });
    seedManagementGroup(server, 'contoso', { subscriptions: [S2], children: ['platform'] });
    seedManagementGroup(server, 'platform', { subscriptions: [S0, S1] });
    seedResources(server, generateEstate({ count: 90 }));
    seedPolicyResource(server, MG, 'policySetDefinitions', 'cmk-guard-foundry-tools', {
      displayName: 'cmk-guard',
      policyDefinitions: [{ policyDefinitionId: 'x', policyDefinitionReferenceId: 'foundry-tools-cmk' }]
    });
    seedPolicyResource(server, MG, 'policyAssignments', 'cmk-guard-foundry-t', {
      policyDefinitionId: INITIATIVE,
      scope: MG
    });
    seedExemption(server, PLATFORM, 'platform-waiver', {
      policyAssignmentId: ASSIGNMENT,
      policyDefinitionReferenceIds: ['foundry-tools-cmk'],
      exemptionCategory: 'Waiver',
      description: 'The platform team keeps its keys elsewhere.'
    });
  }
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-exempt-mg-'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const inSubscription = (id: string, subscription: string) => id.startsWith(`/subscriptions/${subscription}/`);
  const evaluate = async (scope: string) =>
    JSON.parse((await liveRun(server, dir, 'evaluate', scope)).out) as FindingsDocument;

  it('evaluate --scope accepts the findings in the subscriptions below the group, and none elsewhere', async () => {
    await start();
    const document = await evaluate(MG);
    const ruled = document.findings.filter(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant');
    const below = ruled.filter(f => inSubscription(f.resource.id, S0) || inSubscription(f.resource.id, S1));
    const elsewhere = ruled.filter(f => inSubscription(f.resource.id, S2));
    expect(below.length).toBeGreaterThan(0);
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(
      below.every(
        f =>
          f.suppressed?.exemption === `${PLATFORM}/providers/Microsoft.Authorization/policyExemptions/platform-waiver`
      )
    ).toBe(true);
    expect(elsewhere.some(f => f.suppressed)).toBe(false);
    expect(document.findings.filter(f => f.suppressed).length).toBe(below.length);
    expect(document.exceptions?.map(e => [e.status, e.exemption?.split('/').pop()])).toEqual([
      ['applied', 'platform-waiver']
    ]);
    // At a subscription below the group the exemption (above the scope) applies; at one beside it, it does not.
    const s0 = await evaluate(`/subscriptions/${S0}`);
    expect(s0.findings.some(f => f.suppressed)).toBe(true);
    expect(
      s0.findings
        .filter(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant')
        .every(f => f.suppressed)
    ).toBe(true);
    const s2 = await evaluate(`/subscriptions/${S2}`);
    expect(s2.findings.some(f => f.verdict === 'noncompliant')).toBe(true);
    expect(s2.findings.some(f => f.suppressed)).toBe(false);
  });

  it('compliance accepts the states in the subscriptions below the group, and none elsewhere', async () => {
    await start();
    const insights = policyInsightsState(server);
    insights.groups.set('contoso', new Set(SUBSCRIPTIONS));
    for (const subscription of [S1, S2])
      insights.records.push(
        policyStateRecord({
          resourceId: `/subscriptions/${subscription}/resourceGroups/rg-0/providers/Microsoft.CognitiveServices/accounts/legacy`,
          resourceType: 'Microsoft.CognitiveServices/accounts',
          complianceState: 'NonCompliant',
          policyAssignmentId: ASSIGNMENT,
          policySetDefinitionId: INITIATIVE,
          policyDefinitionReferenceId: 'foundry-tools-cmk'
        })
      );
    const run = await liveRun(server, dir, 'compliance', MG);
    const findings = (JSON.parse(run.out) as FindingsDocument).findings;
    expect(findings.map(f => [f.resource.id.split('/')[2], f.suppressed?.exemption?.split('/').pop() ?? null])).toEqual(
      [
        [S1, 'platform-waiver'],
        [S2, null]
      ]
    );
    expect(run.code).toBe(1);
  });

  it('without Resource Graph, it covers nothing live and the log says what was not read', async () => {
    await start([policyModule, exemptionsModule, policyInsightsModule]);
    seedExemptionGroup(server, 'platform', [S0, S1], 'contoso');
    const insights = policyInsightsState(server);
    insights.records.push(
      policyStateRecord({
        resourceId: `/subscriptions/${S0}/resourceGroups/rg-0/providers/Microsoft.CognitiveServices/accounts/legacy`,
        resourceType: 'Microsoft.CognitiveServices/accounts',
        complianceState: 'NonCompliant',
        policyAssignmentId: ASSIGNMENT,
        policySetDefinitionId: INITIATIVE,
        policyDefinitionReferenceId: 'foundry-tools-cmk'
      })
    );
    const run = await liveRun(server, dir, 'compliance', MG, 'json', ['--assignment-scope', `/subscriptions/${S0}`]);
    const [finding] = (JSON.parse(run.out) as FindingsDocument).findings;
    expect(finding.verdict).toBe('noncompliant');
    expect(finding.suppressed).toBeUndefined();
    expect(run.err).toContain(`Not searched: which management groups hold the subscriptions of subscription ${S0}`);
    expect(run.err).toContain(
      'An exemption at a management group covers none of the resources here: their findings stay.'
    );
  });
});
