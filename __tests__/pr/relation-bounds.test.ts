/**
 * A relation rule's work and output are bounded by the input, not by the product of its parts: a vault with N
 * access policies named by M subjects is checked with N + M lookups (TargetGrants), not N × M comparisons, each
 * finding's reason names at most LISTED_DEPENDENCIES of what it rests on and counts the rest, and the caller's
 * checkpoint (the file's time bound) is called for every subject and while a target's grants are summed up.
 * What the index answers is checked against a scan of every grant with samePrincipal, as the rule was checked
 * before it. Nothing here reads a clock.
 */
import fc from 'fast-check';
import type { Resource } from '../../src/model/resource.js';
import { Unknown, type Value } from '../../src/model/value.js';
import { compileValueCheck, describeDependencies, LISTED_DEPENDENCIES } from '../../src/pr/azureCompare.js';
import {
  compileRelationRule,
  lookup,
  principalOf,
  samePrincipal,
  subjectPrincipal,
  type RelationRule,
  type Tri
} from '../../src/pr/relation.js';
import { SUB, templateResource } from './support.js';

const KEYS = ['get', 'wrapKey', 'unwrapKey'];
const ROLE = 'e147488a-f6f5-4113-8e2d-b22465e65bf6';

const rule: RelationRule = {
  name: 'key-vault-key-access',
  displayName: 'Key access',
  severity: 'error',
  effect: { default: 'Audit' },
  resourceType: ['Microsoft.CognitiveServices/accounts'],
  relation: {
    target: {
      type: 'Microsoft.KeyVault/vaults',
      on: [{ subject: '/properties/encryption/keyVaultProperties/keyVaultUri', target: '/properties/vaultUri' }]
    },
    principal: { clientId: ['/properties/encryption/keyVaultProperties/identityClientId'] },
    grants: {
      rbacSwitch: '/properties/enableRbacAuthorization',
      accessPolicyOnly: { required: ['kind'], properties: { kind: { const: 'OpenAI' } } },
      accessPolicy: {
        required: ['permissions'],
        properties: {
          permissions: {
            required: ['keys'],
            properties: { keys: { allOf: KEYS.map(key => ({ contains: { const: key } })) } }
          }
        }
      },
      roleAssignment: {
        required: ['properties'],
        properties: {
          properties: {
            required: ['roleDefinitionId'],
            properties: { roleDefinitionId: { pattern: `${ROLE}$` } }
          }
        }
      }
    }
  }
};

const VAULT_ID = `${SUB}/Microsoft.KeyVault/vaults/kv1`;
const accountId = (n: number) => `${SUB}/Microsoft.CognitiveServices/accounts/acc${n}`;
const systemOf = (n: number) =>
  new Unknown(`the principal of acc${n}`, `reference(${accountId(n).toLowerCase()}).identity.principalId`);

function vault(accessPolicies: Value[], rbac?: Value): Resource {
  const properties: Record<string, Value> = { accessPolicies };
  if (rbac !== undefined) properties.enableRbacAuthorization = rbac;
  return templateResource('Microsoft.KeyVault/vaults', 'kv1', { properties }, { line: 3 });
}

function account(n: number, extra: { identity?: Value; clientId?: Value; kind?: Value } = {}): Resource {
  const keyVaultProperties: Record<string, Value> = { keyName: 'cmk', keyVaultUri: 'https://kv1.vault.azure.net/' };
  if (extra.clientId !== undefined) keyVaultProperties.identityClientId = extra.clientId;
  const json: Record<string, Value> = {
    identity: extra.identity ?? { type: 'SystemAssigned' },
    properties: { encryption: { keySource: 'Microsoft.KeyVault', keyVaultProperties } }
  };
  if (extra.kind !== undefined) json.kind = extra.kind;
  return templateResource('Microsoft.CognitiveServices/accounts', `acc${n}`, json, { line: 40 + n });
}

function roleAssignment(n: number, principalId: Value | undefined, roleDefinitionId: Value): Resource {
  const properties: Record<string, Value> = { roleDefinitionId };
  if (principalId !== undefined) properties.principalId = principalId;
  return templateResource(
    'Microsoft.Authorization/roleAssignments',
    `ra${n}`,
    { properties },
    { id: `${VAULT_ID}/providers/Microsoft.Authorization/roleAssignments/ra${n}`, line: 80 + n }
  );
}

const policy = (objectId: Value | undefined, keys: Value = KEYS): Value => {
  const entry: Record<string, Value> = { tenantId: 't', permissions: { keys } };
  if (objectId !== undefined) entry.objectId = objectId;
  return entry;
};

describe('a vault with many access policies named by many accounts', () => {
  const N = 40;
  const M = 3;
  const resources = [
    vault(Array.from({ length: N }, (_, i) => policy(`o${i}`))),
    ...Array.from({ length: M }, (_, n) => account(n))
  ];

  it('names the first few principals each finding rests on and counts the rest', () => {
    const findings = compileRelationRule(rule)(resources);
    expect(findings).toHaveLength(M);
    for (const finding of findings) {
      expect(finding.verdict).toBe('indeterminate');
      expect(finding.reason).toBe(
        `depends on principal o0; principal o1; principal o2; principal o3; principal o4; and ${N - LISTED_DEPENDENCIES} more`
      );
    }
  });

  it('calls the checkpoint for every subject, and its work grows with N + M, not N × M', () => {
    const many = 4096;
    const subjects = 100;
    const big = [
      vault(Array.from({ length: many }, (_, i) => policy(`o${i}`))),
      ...Array.from({ length: subjects }, (_, n) => account(n))
    ];
    const seen: string[] = [];
    const findings = compileRelationRule(rule)(big, subject => seen.push(subject.name));
    expect(findings).toHaveLength(subjects);
    // Once before each subject, and once every 1,024 steps of work: a scan of every policy for every account
    // would be 4 more calls per account (400); the index sums the policies up once (a handful of calls).
    expect(new Set(seen)).toEqual(new Set(Array.from({ length: subjects }, (_, n) => `acc${n}`)));
    expect(seen.length).toBeGreaterThanOrEqual(subjects);
    expect(seen.length).toBeLessThan(subjects + 20);
  });

  it('stops where the checkpoint throws, with what it threw', () => {
    let calls = 0;
    const stop = new Error('the file’s time is up');
    expect(() =>
      compileRelationRule(rule)(resources, () => {
        if (++calls === 2) throw stop;
      })
    ).toThrow(stop);
    expect(calls).toBe(2);
  });
});

describe('describeDependencies', () => {
  it('names at most LISTED_DEPENDENCIES distinct unknowns and counts the rest', () => {
    expect(describeDependencies(['a', 'b', 'a'])).toBe('depends on a; b');
    const keys = Array.from({ length: 1200 }, (_, i) => `u${i % 1001}`);
    expect(describeDependencies(keys)).toBe('depends on u0; u1; u2; u3; u4; and 996 more');
    expect(describeDependencies([])).toBe('depends on values known only after deployment');
  });
});

// The scan the index replaces: every grant compared with the subject's principal, as the rule did before.
interface GrantResult {
  verdict: Tri;
  dependsOn: string[];
}
const and = (a: GrantResult, b: GrantResult): GrantResult => {
  if (a.verdict === false || b.verdict === false) return { verdict: false, dependsOn: [] };
  const dependsOn = [...a.dependsOn, ...b.dependsOn];
  return { verdict: a.verdict === 'unknown' || b.verdict === 'unknown' ? 'unknown' : true, dependsOn };
};
const not = (a: GrantResult): GrantResult => ({
  verdict: a.verdict === 'unknown' ? 'unknown' : !a.verdict,
  dependsOn: a.dependsOn
});

const { grants, principal } = rule.relation;
const policyCheck = compileValueCheck(grants.accessPolicy);
const roleCheck = compileValueCheck(grants.roleAssignment);
const policyOnlyCheck = compileValueCheck(grants.accessPolicyOnly);
const checkRule = compileRelationRule(rule);

function scanned(subject: Resource, target: Resource, roles: Resource[]): { verdict: string; reason?: string } {
  const policyOnly: GrantResult = policyOnlyCheck(subject.json);
  const rbac = lookup(target, grants.rbacSwitch!);
  const rbacOnly: Tri = rbac instanceof Unknown ? 'unknown' : rbac === true;
  const wanted = subjectPrincipal(subject, principal);
  const match = (value: Value | undefined): GrantResult => {
    const found = principalOf(value);
    if (!found) return { verdict: false, dependsOn: [] };
    const verdict = samePrincipal(wanted, found);
    const word = value instanceof Unknown ? value.reason : `principal ${String(value)}`;
    return { verdict, dependsOn: verdict === 'unknown' ? [word] : [] };
  };
  const entries = lookup(target, '/properties/accessPolicies') as Record<string, Value>[];
  const byPolicy =
    rbacOnly === true ? [] : entries.map(entry => and(match(entry.objectId), policyCheck(entry) as GrantResult));
  const byRole =
    rbacOnly === false || policyOnly.verdict === true
      ? []
      : roles.map(r =>
          and(and(match(lookup(r, '/properties/principalId')), roleCheck(r.json) as GrantResult), not(policyOnly))
        );
  let results = rbacOnly === true ? byRole : byPolicy;
  if (rbacOnly === 'unknown') {
    const best = (list: GrantResult[]): Tri =>
      list.some(r => r.verdict === true) ? true : list.some(r => r.verdict === 'unknown') ? 'unknown' : false;
    const [p, r] = [best(byPolicy), best(byRole)];
    const dependsOn = [...byPolicy, ...byRole].flatMap(g => g.dependsOn).concat([`the vault's ${grants.rbacSwitch}`]);
    results = [
      p === true && r === true
        ? { verdict: true, dependsOn: [] }
        : p === false && r === false
          ? { verdict: false, dependsOn: [] }
          : { verdict: 'unknown', dependsOn }
    ];
  }
  if (results.some(r => r.verdict === true)) return { verdict: 'compliant' };
  if (results.some(r => r.verdict === 'unknown')) {
    return { verdict: 'indeterminate', reason: describeDependencies(results.flatMap(r => r.dependsOn)) };
  }
  return { verdict: 'noncompliant' };
}

const PARAMETER_P = new Unknown("parameter 'p' has no value", 'parameters(p)');
const principalArb: fc.Arbitrary<Value | undefined> = fc.constantFrom<Value | undefined>(
  'o1',
  'O1',
  'o2',
  'o3',
  'o4',
  'o5',
  'o6',
  systemOf(0),
  systemOf(1),
  PARAMETER_P,
  new Unknown("parameter 'q' has no value", 'parameters(q)'),
  undefined
);
const keysArb = fc.constantFrom<Value>(KEYS, ['get'], new Unknown("parameter 'keys' has no value", 'parameters(keys)'));
const subjectArb = fc.record({
  identity: fc.constantFrom<Value | undefined>(
    undefined,
    { type: 'SystemAssigned', principalId: 'o1' },
    { type: 'SystemAssigned', principalId: 'o5' }
  ),
  clientId: fc.constantFrom<Value | undefined>(undefined, PARAMETER_P),
  kind: fc.constantFrom<Value | undefined>(
    undefined,
    'OpenAI',
    'FormRecognizer',
    new Unknown("parameter 'kind' has no value", 'parameters(kind)')
  )
});

describe('the index answers as a scan of every grant', () => {
  it('for any vault, role assignments and accounts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(principalArb, keysArb), { maxLength: 14 }),
        fc.constantFrom<Value | undefined>(
          undefined,
          true,
          false,
          new Unknown("parameter 'rbac' has no value", 'parameters(rbac)')
        ),
        fc.array(
          fc.tuple(
            principalArb,
            fc.constantFrom<Value>(
              `/providers/Microsoft.Authorization/roleDefinitions/${ROLE}`,
              '/providers/Microsoft.Authorization/roleDefinitions/other',
              new Unknown("parameter 'role' has no value", 'parameters(role)')
            )
          ),
          { maxLength: 8 }
        ),
        fc.array(subjectArb, { minLength: 1, maxLength: 4 }),
        (policies, rbac, roleSpecs, subjectSpecs) => {
          const target = vault(
            policies.map(([who, keys]) => policy(who, keys)),
            rbac
          );
          const roles = roleSpecs.map(([who, role], n) => roleAssignment(n, who, role));
          const subjects = subjectSpecs.map((spec, n) => account(n, spec));
          const findings = checkRule([target, ...roles, ...subjects]);
          expect(
            findings.map(f => ({ verdict: f.verdict, ...(f.verdict === 'indeterminate' ? { reason: f.reason } : {}) }))
          ).toEqual(
            subjects.map(subject => {
              const expected = scanned(subject, target, roles);
              return expected.verdict === 'indeterminate' ? expected : { verdict: expected.verdict };
            })
          );
        }
      ),
      { numRuns: 300 }
    );
  });
});
