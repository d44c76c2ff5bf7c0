/**
 * Azure Policy exemptions through the raw REST pipeline (api-version 2022-07-01-preview:
 * @azure/arm-policy 7 has no exemptions client), against the loopback ARM: writes answered as
 * ARM answers them, lists at every scope with the contract's `$filter`s and paging, and the
 * exemptions that apply to a scope for the pack's initiative.
 */
import { ArmError } from '../../src/azure/errors.js';
import { exemptionId, exemptionScope, ExemptionStore } from '../../src/azure/exemptions.js';
import { parseScope } from '../../src/azure/scope.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule, seedPolicyResource } from '../support/arm-policy.js';
import { exemptionsModule, exemptionState, seedExemption, seedExemptionGroup } from '../support/arm-exemptions.js';
import { resourceGraphModule, seedManagementGroup } from '../support/arm-resourcegraph.js';
import { connect } from './support.js';

const MG = '/providers/Microsoft.Management/managementGroups/contoso';
const SUB = '/subscriptions/11111111-1111-1111-1111-111111111111';
const SUB2 = '/subscriptions/22222222-2222-2222-2222-222222222222';
const RG = `${SUB}/resourceGroups/ai`;
const ACCOUNT = `${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`;
const INITIATIVE = `${MG}/providers/Microsoft.Authorization/policySetDefinitions/cmk-guard-foundry-tools`;
const ASSIGNMENT = `${MG}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-t`;
const OTHER = `${MG}/providers/Microsoft.Authorization/policyAssignments/other`;

describe('policy exemptions through the raw REST pipeline', () => {
  let server: ArmServer;
  let store: ExemptionStore;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule], pageSize: 2 });
    seedManagementGroup(server, 'contoso', { subscriptions: [SUB.slice(15), SUB2.slice(15)] });
    seedExemptionGroup(server, 'contoso', [SUB.slice(15), SUB2.slice(15)]);
    seedPolicyResource(server, MG, 'policySetDefinitions', 'cmk-guard-foundry-tools', {
      displayName: 'cmk-guard',
      policyDefinitions: [{ policyDefinitionId: 'x', policyDefinitionReferenceId: 'foundry-tools-cmk' }]
    });
    seedPolicyResource(server, MG, 'policyAssignments', 'cmk-guard-foundry-t', {
      policyDefinitionId: INITIATIVE,
      scope: MG
    });
    seedPolicyResource(server, MG, 'policyAssignments', 'other', {
      policyDefinitionId: `${MG}/providers/Microsoft.Authorization/policyDefinitions/d`,
      scope: MG
    });
    store = new ExemptionStore(connect(server, { retry: { retryDelayInMs: 1, maxRetryDelayInMs: 5 } }));
  });
  afterEach(() => server.close());

  const properties = (refs?: string[]) => ({
    policyAssignmentId: ASSIGNMENT,
    exemptionCategory: 'Waiver',
    ...(refs ? { policyDefinitionReferenceIds: refs } : {}),
    description: 'Retired in Q1.'
  });

  it('creates (201), updates (200), deletes (200) and deletes what is gone (204), at a resource', async () => {
    expect((await store.put(ACCOUNT, 'e', properties(['foundry-tools-cmk']))).status).toBe(201);
    expect((await store.put(ACCOUNT, 'e', properties())).status).toBe(200);
    expect((await store.delete(ACCOUNT, 'e')).status).toBe(200);
    expect((await store.delete(ACCOUNT, 'e')).status).toBe(204);
    const put = server.requests.find(r => r.method === 'PUT');
    expect(put?.path).toBe(exemptionId(ACCOUNT, 'e'));
    expect(put?.apiVersion).toBe('2022-07-01-preview');
    expect(put?.body).toEqual({ properties: properties(['foundry-tools-cmk']) });
    expect(exemptionScope(exemptionId(ACCOUNT, 'e'))).toBe(ACCOUNT);
  });

  it('reports Azure’s refusal of a reference id the initiative does not have', async () => {
    const error = (await store.put(RG, 'e', properties(['nope'])).catch((e: unknown) => e)) as ArmError;
    expect(error).toBeInstanceOf(ArmError);
    expect(error.code).toBe('InvalidPolicyDefinitionReference');
    expect(error.message).toMatch(
      /^Azure answered 400 InvalidPolicyDefinitionReference while writing the policy exemption e at/
    );
  });

  it('lists what applies at, above and below a scope, page after page, and by filter', async () => {
    seedExemption(server, MG, 'at-group', properties());
    seedExemption(server, SUB, 'at-sub', properties());
    seedExemption(server, RG, 'at-rg', properties());
    seedExemption(server, ACCOUNT, 'at-account', properties());
    seedExemption(server, SUB2, 'elsewhere', properties());
    const names = (list: { name: string }[]) => list.map(e => e.name).sort();
    expect(names(await store.list(SUB))).toEqual(['at-account', 'at-group', 'at-rg', 'at-sub']);
    expect(names(await store.list(RG, 'atScope()'))).toEqual(['at-group', 'at-rg', 'at-sub']);
    expect(names(await store.list(RG, 'atExactScope()'))).toEqual(['at-rg']);
    expect(
      server.requests.filter(r => r.path === `${SUB}/providers/Microsoft.Authorization/policyExemptions`)
    ).toHaveLength(2);
    // A management group's own list does not go below it, filtered or not (what is "applicable to
    // the management group"): each subscription, and each group below it, is listed as well.
    expect(names(await store.list(MG))).toEqual(['at-group']);
    expect(names(await store.affecting(parseScope(MG, '--scope')))).toEqual([
      'at-account',
      'at-group',
      'at-rg',
      'at-sub',
      'elsewhere'
    ]);
  });

  it('keeps only the exemptions for assignments of the pack’s initiative', async () => {
    seedExemption(server, RG, 'ours', properties());
    seedExemption(server, RG, 'theirs', { ...properties(), policyAssignmentId: OTHER });
    seedExemption(server, RG, 'dangling', {
      ...properties(),
      policyAssignmentId: `${MG}/providers/Microsoft.Authorization/policyAssignments/deleted`
    });
    const found = await store.forInitiative(
      parseScope(SUB, '--scope'),
      id => id.toLowerCase() === INITIATIVE.toLowerCase()
    );
    expect(found.map(e => e.name)).toEqual(['ours']);
  });

  it('reads what an answer sets to null as absent, and refuses one that is not an exemption or assignment', async () => {
    seedExemption(server, RG, 'nulls', { ...properties(), expiresOn: null, policyDefinitionReferenceIds: null });
    const [read] = await store.list(RG, 'atExactScope()');
    expect(read.properties).toEqual({
      policyAssignmentId: ASSIGNMENT,
      exemptionCategory: 'Waiver',
      description: 'Retired in Q1.'
    });
    seedExemption(server, SUB, 'no-assignment', { exemptionCategory: 'Waiver' });
    await expect(store.list(SUB, 'atExactScope()')).rejects.toMatchObject({
      code: 'MalformedAnswer',
      message: expect.stringContaining('no-assignment names no policyAssignmentId')
    });
    exemptionState(server).exemptions.delete(exemptionId(SUB, 'no-assignment').toLowerCase());
    // The exemption's assignment answered without its properties: which initiative it assigns is unknown.
    server.route(
      {
        method: 'GET',
        pattern: /\/policyAssignments\/cmk-guard-foundry-t$/i,
        handle: () => ({ status: 200, body: { id: ASSIGNMENT, name: 'cmk-guard-foundry-t', properties: null } })
      },
      { first: true }
    );
    await expect(store.forInitiative(parseScope(RG, '--scope'), () => true)).rejects.toMatchObject({
      code: 'MalformedAnswer',
      message: expect.stringContaining('has no properties object')
    });
  });
});
