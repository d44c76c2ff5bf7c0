/**
 * plan/deploy/prune against a Resource Manager that speaks its contract a little otherwise than
 * the loopback server does, as real endpoints (other clouds, Azure Stack, newer api-versions) do:
 * ids in other case (`managementgroups`, all lowercase), resource types lowercased, enum values in
 * other case (`waiver`, `default`, `indexed`, `custom`), properties nobody documented yet, `null`
 * for what is unset, instants without milliseconds, and a descendants list with the older
 * `type` spelling. Each of these once made a re-deploy write again, or broke reading.
 * The answers are rewritten by the server's `dialect`; what it stores is unchanged.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArmRequestContext, ArmServer } from '../support/arm-server.js';
import { seedPolicyResource, storedAt } from '../support/arm-policy.js';
import { exemptionState, seedExemption } from '../support/arm-exemptions.js';
import { seedManagementGroup } from '../support/arm-resourcegraph.js';
import {
  dropRule,
  indexAccounts,
  MG,
  OWNER,
  packRepository,
  publish,
  publishServer,
  RG,
  SUB,
  type Repository
} from './support.js';

const ENUMS = ['exemptionCategory', 'enforcementMode', 'mode', 'policyType', 'assignmentScopeValidation'];
const UNSET = ['description', 'expiresOn', 'policyDefinitionReferenceIds', 'nonComplianceMessages', 'notScopes'];

type Variant = 'ids' | 'types' | 'enums' | 'unknown' | 'nulls' | 'instants';
const ALL: Variant[] = ['ids', 'types', 'enums', 'unknown', 'nulls', 'instants'];

/** Another Resource Manager's way of saying the same thing. */
function otherwise(value: unknown, ctx: ArmRequestContext, variants: readonly Variant[], key = ''): unknown {
  const has = (v: Variant) => variants.includes(v);
  if (Array.isArray(value)) return value.map(v => otherwise(v, ctx, variants));
  if (value === null || typeof value !== 'object') {
    if (typeof value !== 'string') return value;
    if (has('ids') && (key === 'id' || (key.endsWith('Id') && value.startsWith('/')))) return value.toLowerCase();
    if (has('types') && key === 'type' && value.includes('/'))
      return /^Microsoft\.Management\/managementGroups$/i.test(value)
        ? '/providers/Microsoft.Management/managementGroups'
        : value.toLowerCase();
    if (has('enums') && ENUMS.includes(key)) return value.toLowerCase();
    if (has('instants') && key === 'expiresOn') return value.replace(/\.\d+Z$/, 'Z');
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'nextLink' ? v : otherwise(v, ctx, variants, k);
  if (key === 'properties') {
    if (has('nulls')) for (const field of UNSET) if (!(field in out)) out[field] = null;
    // Nested too: a parameter's unset `schema` and metadata fields, a member's unset `groupNames`.
    if (has('nulls')) nullsWithin(out);
    if (has('unknown')) out.futureSetting = { enabled: true, since: '2026-11-01' };
  }
  if (has('unknown') && typeof out.id === 'string' && out.properties !== undefined) out.etag = '"0x8DD1"';
  return out;
}

/** `null` for the optional fields of parameter declarations and initiative members that are unset. */
function nullsWithin(properties: Record<string, unknown>): void {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const parameters = properties.parameters;
  if (isObject(parameters))
    for (const spec of Object.values(parameters)) {
      // A declaration has a `type`; an assignment's or a member's value has only `value`.
      if (!isObject(spec) || typeof spec.type !== 'string') continue;
      if (!('schema' in spec)) spec.schema = null;
      if (isObject(spec.metadata))
        for (const field of ['strongType', 'assignPermissions'])
          if (!(field in spec.metadata)) spec.metadata[field] = null;
    }
  if (Array.isArray(properties.policyDefinitions))
    for (const member of properties.policyDefinitions)
      if (isObject(member) && !('groupNames' in member)) member.groupNames = null;
}

/** cmk-guard.yaml: an exception for an account by id, and (unless `sandbox` is false) one for a child group. */
function config(repo: Repository, sandbox = true): void {
  writeFileSync(
    path.join(repo.root, 'cmk-guard.yaml'),
    [
      'exceptions:',
      '  - rule: foundry-tools-cmk',
      '    resources:',
      `      - id: ${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`,
      '    reason: Retired in Q1.',
      '    expires: 2027-03-31',
      ...(sandbox
        ? [
            '  - rule: key-vault-purge-protection',
            '    resources:',
            '      - id: /providers/Microsoft.Management/managementGroups/sandbox',
            '    reason: Sandbox vaults hold no keys.',
            '    category: mitigated'
          ]
        : [])
    ].join('\n') + '\n'
  );
}

describe('an ARM that spells its answers otherwise', () => {
  let server: ArmServer;
  let repo: Repository;
  beforeEach(async () => {
    server = await publishServer({ dialect: (body, ctx) => otherwise(body, ctx, ALL) });
    seedManagementGroup(server, 'contoso', { subscriptions: [SUB.split('/')[2]], children: ['sandbox'] });
    seedManagementGroup(server, 'sandbox', {});
    indexAccounts(server, [`${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`]);
    repo = packRepository();
    config(repo);
  });
  afterEach(async () => {
    await server.close();
    repo.dispose();
  });

  it.each(ALL)('with %s spelled otherwise alone, a second deploy writes nothing', async variant => {
    await server.close();
    server = await publishServer({ dialect: (body, ctx) => otherwise(body, ctx, [variant]) });
    seedManagementGroup(server, 'contoso', { subscriptions: [SUB.split('/')[2]], children: ['sandbox'] });
    seedManagementGroup(server, 'sandbox', {});
    indexAccounts(server, [`${RG}/providers/Microsoft.CognitiveServices/accounts/legacy`]);
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    const writes = server.writeRequests();
    const again = await publish(server, repo, 'deploy', MG);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);
  });

  it('deploys, then a second deploy writes nothing, and prune deletes only what the pack owns', async () => {
    const first = await publish(server, repo, 'deploy', MG);
    expect(first.stderr).not.toMatch(/Error|failed/);
    expect(first.code).toBe(0);
    expect(exemptionState(server).exemptions.size).toBe(2);

    const writes = server.writeRequests();
    const again = await publish(server, repo, 'deploy', MG);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No change');
    expect(server.writeRequests()).toBe(writes);

    // Someone else's definition, spelled otherwise and without metadata: never the pack's.
    seedPolicyResource(server, MG, 'policyDefinitions', 'team-rule', {
      policyRule: { if: { field: 'type', equals: 'Microsoft.Storage/storageAccounts' }, then: { effect: 'audit' } }
    });
    // A rule leaves the pack: the initiative is replaced, the rule's definition pruned; the exemption
    // for that rule (at sandbox) is no longer made and goes too.
    dropRule(repo, 'key-vault-purge-protection');
    config(repo, false);
    const pruned = await publish(server, repo, 'deploy', MG, ['--prune']);
    expect(pruned.code).toBe(0);
    const definitions = storedAt(server, MG, 'policyDefinitions').map(d => d.name);
    expect(definitions).toContain('team-rule');
    expect(definitions).not.toContain('key-vault-purge-protection');
    expect(exemptionState(server).exemptions.size).toBe(1);
    const after = server.writeRequests();
    expect((await publish(server, repo, 'deploy', MG, ['--prune'])).stdout).toContain('No change');
    expect(server.writeRequests()).toBe(after);
  });

  it('stops before any write when an exemption Azure lists names no assignment', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    seedExemption(server, SUB, 'half-written', { exemptionCategory: 'Waiver' });
    const writes = server.writeRequests();
    const stopped = await publish(server, repo, 'deploy', MG);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('half-written names no policyAssignmentId');
    expect(stopped.stderr).toContain('not in the shape its API documents');
    expect(server.writeRequests()).toBe(writes);
  });

  it('treats an exemption without metadata at the name the pack would use as someone else’s', async () => {
    expect((await publish(server, repo, 'deploy', MG)).code).toBe(0);
    const [mine] = [...exemptionState(server).exemptions.values()].filter(e => e.scope.includes('managementgroups'));
    exemptionState(server).exemptions.delete(mine.id.toLowerCase());
    seedExemption(server, '/providers/Microsoft.Management/managementGroups/sandbox', String(mine.body.name), {
      policyAssignmentId: String(mine.body.properties.policyAssignmentId),
      exemptionCategory: 'Mitigated'
    });
    const writes = server.writeRequests();
    const stopped = await publish(server, repo, 'deploy', MG, ['--format', 'json']);
    expect(stopped.code).toBe(1);
    const plan = JSON.parse(stopped.stdout) as { items: { kind: string; action: string; reason?: string }[] };
    expect(plan.items.filter(i => i.action === 'conflict').map(i => [i.kind, i.reason])).toEqual([
      ['exemption', expect.stringContaining('without a cmk-guard owner id')]
    ]);
    expect(server.writeRequests()).toBe(writes);
    expect(OWNER).not.toBe('');
  });

  it.each([
    ['a string', 'imported-from-epac'],
    ['a list', ['a']],
    ['a number', 3]
  ])(
    'leaves alone a definition of someone else whose metadata is %s (the API gives metadata no type)',
    async (_, metadata) => {
      seedPolicyResource(server, MG, 'policyDefinitions', 'someone-elses', {
        displayName: 'Not ours',
        policyType: 'Custom',
        mode: 'All',
        metadata,
        policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
      });
      // And one at a name the pack uses: not the pack's, so a conflict, never overwritten.
      seedPolicyResource(server, MG, 'policyDefinitions', 'ai-hub-hbi', {
        displayName: 'Not ours either',
        policyType: 'Custom',
        mode: 'All',
        metadata,
        policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }
      });
      const plan = await publish(server, repo, 'plan', MG);
      expect(plan.stderr).not.toMatch(/^cmk-guard: /m);
      // A conflict is what plan reports with exit 1; the plan itself is made.
      expect(plan.code).toBe(1);
      expect(plan.stdout).toMatch(/ai-hub-hbi +conflict/);
      expect(plan.stdout).not.toContain('someone-elses');
      const deploy = await publish(server, repo, 'deploy', MG);
      expect(deploy.code).toBe(1);
      expect(
        storedAt(server, MG, 'policyDefinitions').find(d => d.name === 'ai-hub-hbi')?.body.properties.metadata
      ).toEqual(metadata);
    }
  );
});
