/**
 * Exceptions and Azure Policy exemptions, both ways: an exemption Azure holds accepts findings as
 * an exception of the configuration file does, and a configuration exception becomes the
 * exemptions `deploy` writes.
 */
import { applyExceptions } from '../../src/exceptions/apply.js';
import {
  desiredExemptions,
  exceptionsFromExemptions,
  lastWholeDay,
  type AzureExemption
} from '../../src/exceptions/azure.js';
import type { Exception } from '../../src/exceptions/model.js';
import type { Finding } from '../../src/model/finding.js';

const SUB = '/subscriptions/11111111-1111-1111-1111-111111111111';
const ASSIGNMENT = `${SUB}/providers/Microsoft.Authorization/policyAssignments/cmk-guard-foundry-tools`;
const RULES = ['foundry-tools-cmk', 'key-vault-soft-delete'];

const account = (rg: string, name: string) =>
  `${SUB}/resourceGroups/${rg}/providers/Microsoft.CognitiveServices/accounts/${name}`;

function finding(id: string, definition = 'foundry-tools-cmk', verdict: Finding['verdict'] = 'noncompliant'): Finding {
  return {
    definition,
    displayName: definition,
    effect: 'Audit',
    severity: 'error',
    verdict,
    resource: {
      id,
      type: 'Microsoft.CognitiveServices/accounts',
      name: id.slice(id.lastIndexOf('/') + 1),
      file: null,
      line: null,
      column: null
    },
    message: 'm',
    reason: null
  };
}

function exemption(
  scope: string,
  name: string,
  properties: Partial<AzureExemption['properties']> = {}
): AzureExemption {
  return {
    id: `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`,
    name,
    properties: { policyAssignmentId: ASSIGNMENT, exemptionCategory: 'Waiver', ...properties }
  };
}

describe('exemptions Azure holds, as exceptions', () => {
  const now = new Date('2026-12-05T12:00:00Z');

  it('accept the findings of the rules they name, at or below their scope, with the reason and category', () => {
    const exceptions = exceptionsFromExemptions(
      [
        exemption(`${SUB}/resourceGroups/legacy`, 'legacy', {
          policyDefinitionReferenceIds: ['foundry-tools-cmk'],
          exemptionCategory: 'Mitigated',
          description: 'Retired in Q1.',
          metadata: { cmkGuard: { owner: 'github.com/contoso/policies' } },
          expiresOn: '2027-04-01T00:00:00Z'
        })
      ],
      RULES,
      []
    );
    const findings = [
      finding(account('legacy', 'a')),
      finding(account('legacy', 'a'), 'key-vault-soft-delete'),
      finding(account('legacy-2', 'b')),
      finding(account('LEGACY', 'c'))
    ];
    const applied = applyExceptions(findings, exceptions, now);
    expect(applied.findings.map(f => f.suppressed !== undefined)).toEqual([true, false, false, true]);
    expect(applied.findings[0].suppressed).toEqual({
      kind: 'external',
      category: 'mitigated',
      reason: 'Retired in Q1.',
      exemption: `${SUB}/resourceGroups/legacy/providers/Microsoft.Authorization/policyExemptions/legacy`,
      owner: 'github.com/contoso/policies',
      expires: '2027-03-31',
      file: '',
      line: null
    });
    expect(applied.report.map(r => [r.status, r.findings])).toEqual([['applied', 2]]);
  });

  it('with no reference ids cover every member; past expiresOn they stop applying and say so', () => {
    const exceptions = exceptionsFromExemptions(
      [exemption(SUB, 'all'), exemption(SUB, 'gone', { expiresOn: '2026-12-05T11:00:00Z' })],
      RULES,
      []
    );
    expect(exceptions[0].rules).toEqual(RULES);
    const applied = applyExceptions([finding(account('rg', 'x'), 'key-vault-soft-delete')], exceptions.slice(1), now);
    expect(applied.findings[0].suppressed).toBeUndefined();
    expect(applied.report[0].status).toBe('expired');
  });

  /**
   * "Exemptions support an optional property resourceSelectors that works the same way in exemptions as it does
   * in assignments": a resource is exempt when some resource selector selects it, all of that selector's
   * selectors holding. https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure#resource-selectors
   */
  describe('with resourceSelectors, only the resources they select', () => {
    const vaultId = `${SUB}/resourceGroups/ai/providers/Microsoft.KeyVault/vaults/kv`;
    const live = [
      { id: account('ai', 'weu'), type: 'Microsoft.CognitiveServices/accounts', location: 'westeurope' },
      { id: account('ai', 'eus'), type: 'Microsoft.CognitiveServices/accounts', location: 'eastus' },
      { id: vaultId, type: 'Microsoft.KeyVault/vaults', location: 'westeurope' },
      { id: `${SUB}/resourceGroups/ai`, type: 'Microsoft.Resources/subscriptions/resourceGroups', location: 'eastus' },
      {
        id: `${SUB}/providers/Microsoft.Authorization/roleAssignments/r`,
        type: 'Microsoft.Authorization/roleAssignments'
      }
    ];
    const findings = [
      finding(account('ai', 'weu')),
      finding(account('ai', 'eus')),
      {
        ...finding(vaultId, 'key-vault-soft-delete'),
        resource: { ...finding(vaultId).resource, type: 'Microsoft.KeyVault/vaults' }
      },
      {
        ...finding(`${SUB}/resourceGroups/ai`),
        resource: {
          ...finding(`${SUB}/resourceGroups/ai`).resource,
          type: 'Microsoft.Resources/subscriptions/resourceGroups'
        }
      },
      {
        ...finding(`${SUB}/providers/Microsoft.Authorization/roleAssignments/r`),
        resource: {
          ...finding(`${SUB}/providers/Microsoft.Authorization/roleAssignments/r`).resource,
          type: 'Microsoft.Authorization/roleAssignments'
        }
      }
    ];
    const exempt = (resourceSelectors: unknown) =>
      applyExceptions(
        findings,
        exceptionsFromExemptions(
          [exemption(SUB, 'sel', { resourceSelectors: resourceSelectors as never })],
          RULES,
          live
        ),
        now
      ).findings.map(f => f.suppressed !== undefined);

    it('resourceLocation in / notIn, a region however it is written', () => {
      const located = (kind: 'in' | 'notIn', regions: string[]) => [
        { name: 's', selectors: [{ kind: 'resourceLocation', [kind]: regions }] }
      ];
      expect(exempt(located('in', ['West Europe']))).toEqual([true, false, true, false, false]);
      expect(exempt(located('notIn', ['westeurope']))).toEqual([false, true, false, true, false]);
    });

    it('resourceType in / notIn, a resource group by either spelling of its type', () => {
      const typed = (kind: 'in' | 'notIn', types: string[]) => [
        { name: 's', selectors: [{ kind: 'resourceType', [kind]: types }] }
      ];
      expect(exempt(typed('in', ['microsoft.keyvault/vaults', 'Microsoft.Resources/resourceGroups']))).toEqual([
        false,
        false,
        true,
        true,
        false
      ]);
      expect(exempt(typed('notIn', ['Microsoft.CognitiveServices/accounts']))).toEqual([
        false,
        false,
        true,
        true,
        true
      ]);
    });

    it('resourceWithoutLocation selects what has no location outside resource groups', () => {
      expect(
        exempt([{ name: 's', selectors: [{ kind: 'resourceWithoutLocation', in: ['subscriptionLevelResources'] }] }])
      ).toEqual([false, false, false, false, true]);
    });

    it('every selector of a resource selector must hold; any resource selector will do', () => {
      const both = {
        name: 'a',
        selectors: [
          { kind: 'resourceLocation', in: ['westeurope'] },
          { kind: 'resourceType', in: ['Microsoft.CognitiveServices/accounts'] }
        ]
      };
      expect(exempt([both])).toEqual([true, false, false, false, false]);
      expect(exempt([both, { name: 'b', selectors: [{ kind: 'resourceLocation', in: ['eastus'] }] }])).toEqual([
        true,
        true,
        false,
        true,
        false
      ]);
    });

    it('a kind the resource cannot answer (who makes the request) selects nothing: the finding stays', () => {
      expect(
        exempt([{ name: 's', selectors: [{ kind: 'userPrincipalId', in: ['00000000-0000-0000-0000-000000000001'] }] }])
      ).toEqual([false, false, false, false, false]);
    });

    it('no resource selectors, or an empty list: every resource at or below the scope', () => {
      expect(exempt([])).toEqual([true, true, true, true, true]);
    });
  });

  /**
   * An exemption exempts "a resource hierarchy": at a management group, everything in the subscriptions below it at
   * any depth. A resource's id names its subscription, not its groups, so `groupsOf` (each subscription's groups, as
   * Azure lists them) decides. https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure
   */
  it('at a management group cover the resources of the subscriptions below it at any depth, and no others', () => {
    const other = '/subscriptions/22222222-2222-2222-2222-222222222222';
    const outside = '/subscriptions/33333333-3333-3333-3333-333333333333';
    const groupsOf = new Map([
      ['11111111-1111-1111-1111-111111111111', ['platform', 'contoso', 'tenant-root']],
      ['22222222-2222-2222-2222-222222222222', ['contoso', 'tenant-root']],
      ['33333333-3333-3333-3333-333333333333', ['sandbox', 'tenant-root']]
    ]);
    const accountIn = (sub: string, location: string) => ({
      id: `${sub}/resourceGroups/ai/providers/Microsoft.CognitiveServices/accounts/a`,
      type: 'Microsoft.CognitiveServices/accounts',
      location
    });
    const live = [accountIn(SUB, 'westeurope'), accountIn(other, 'eastus'), accountIn(outside, 'westeurope')];
    const exempted = (scope: string, properties: Partial<AzureExemption['properties']> = {}, groups = groupsOf) =>
      applyExceptions(
        live.map(r => finding(r.id)),
        exceptionsFromExemptions([exemption(scope, 'mg', properties)], RULES, live, groups),
        now
      ).findings.map(f => f.suppressed !== undefined);
    const group = (name: string) => `/providers/Microsoft.Management/managementGroups/${name}`;
    expect(exempted(group('Contoso'))).toEqual([true, true, false]);
    expect(exempted(group('platform'))).toEqual([true, false, false]);
    expect(exempted(group('tenant-root'))).toEqual([true, true, true]);
    expect(exempted(group('empty'))).toEqual([false, false, false]);
    // With resource selectors, what they select below it.
    const inWestEurope = [{ name: 's', selectors: [{ kind: 'resourceLocation', in: ['westeurope'] }] }];
    expect(exempted(group('contoso'), { resourceSelectors: inWestEurope as never })).toEqual([true, false, false]);
    // Without the hierarchy (not read), it covers nothing live: the findings stay.
    expect(exempted(group('contoso'), {}, new Map())).toEqual([false, false, false]);
  });

  it('count the last whole day before expiresOn, so a finding comes back early rather than late', () => {
    expect(lastWholeDay('2027-04-01T00:00:00Z')).toBe('2027-03-31');
    expect(lastWholeDay('2026-12-05T15:00:00Z')).toBe('2026-12-04');
    expect(lastWholeDay('not a date')).toBeUndefined();
  });
});

describe('configuration exceptions, as the exemptions deploy writes', () => {
  const base = {
    kind: 'external' as const,
    declared: [],
    reason: 'Retired in Q1.',
    owner: 'team-ai',
    expires: '2027-03-31',
    category: 'waiver' as const,
    source: { file: 'cmk-guard.yaml', line: 4, column: 5 },
    entryText: '{}'
  };
  const live = [finding(account('ai', 'openai-legacy')).resource, finding(account('ai', 'openai-new')).resource];

  it('one exemption per resource id named, and per live resource a name glob covers, for the initiative’s rules', () => {
    const exceptions: Exception[] = [
      { ...base, rules: ['foundry-tools-cmk', 'key-vault-key-access'], resources: [{ id: account('old', 'x') }] },
      { ...base, rules: ['foundry-tools-cmk'], resources: [{ name: '*-legacy' }] }
    ];
    const { exemptions, notes } = desiredExemptions(exceptions, {
      assignmentId: ASSIGNMENT,
      owner: 'github.com/contoso/policies',
      members: RULES,
      resources: live
    });
    expect(notes).toEqual([]);
    expect(exemptions.map(e => e.scope)).toEqual([account('old', 'x'), account('ai', 'openai-legacy')]);
    expect(exemptions[0].properties).toEqual({
      policyAssignmentId: ASSIGNMENT,
      policyDefinitionReferenceIds: ['foundry-tools-cmk'],
      exemptionCategory: 'Waiver',
      expiresOn: '2027-04-01T00:00:00.000Z',
      displayName: 'cmk-guard: foundry-tools-cmk',
      description: 'Retired in Q1.',
      metadata: {
        cmkGuard: { owner: 'github.com/contoso/policies', source: 'cmk-guard.yaml:4', exceptionOwner: 'team-ai' }
      }
    });
    expect(exemptions[0].name).toMatch(/^cmk-guard-[0-9a-f]{24}$/);
    expect(exemptions[1].name).not.toBe(exemptions[0].name);
  });

  it('says why an exception writes no exemption: inline, PR-only rules, selected by file, nothing matched', () => {
    const at = (line: number) => ({ file: 'cmk-guard.yaml', line, column: 5 });
    const { exemptions, notes } = desiredExemptions(
      [
        { ...base, kind: 'inSource', rules: ['foundry-tools-cmk'], resources: [] },
        { ...base, rules: ['cmk-key-same-vault'], resources: [{ id: account('a', 'b') }], source: at(8) },
        { ...base, rules: ['foundry-tools-cmk'], resources: [{ file: 'infra/*.json' }], source: at(12) },
        { ...base, rules: ['foundry-tools-cmk'], resources: [{ name: 'speech-*' }], source: at(16) }
      ],
      { assignmentId: ASSIGNMENT, owner: 'o', members: RULES, resources: live }
    );
    expect(exemptions).toEqual([]);
    expect(notes).toEqual([
      "cmk-guard.yaml:4: an exception in a template's metadata applies in pull requests only; to exempt the deployed resource in Azure, name its id in cmk-guard.yaml.",
      'cmk-guard.yaml:8: no rule it names is a member of the initiative, so there is nothing to exempt in Azure.',
      'cmk-guard.yaml:12: a selector with `file` applies in pull requests only (a resource in Azure has no template file); to exempt the resource in Azure, select it by id, name or type.',
      'cmk-guard.yaml:16: it names no resource id and matches no resource in the scope, so no exemption is written.'
    ]);
  });

  it('writes what the other selectors of an exception select, and notes its selector by file', () => {
    const { exemptions, notes } = desiredExemptions(
      [{ ...base, rules: ['foundry-tools-cmk'], resources: [{ file: 'infra/ai.json' }, { name: 'openai-new' }] }],
      { assignmentId: ASSIGNMENT, owner: 'o', members: RULES, resources: live }
    );
    expect(exemptions.map(e => e.scope)).toEqual([account('ai', 'openai-new')]);
    expect(notes).toEqual([
      'cmk-guard.yaml:4: a selector with `file` applies in pull requests only (a resource in Azure has no template file); to exempt the resource in Azure, select it by id, name or type.'
    ]);
  });
});
