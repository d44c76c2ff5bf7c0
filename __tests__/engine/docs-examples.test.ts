/**
 * Every example and statement of Azure Policy's documentation that conformance.test.ts does not
 * already hold the engine to, one named case each, with the page (and section) that states it.
 * RULE = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule
 * ARRAYS = https://learn.microsoft.com/azure/governance/policy/how-to/author-policies-for-arrays
 * Cases marked "docs silent" record what the engine does where the documentation says nothing.
 */
import { loadDefinition as loadWithCatalog, DefinitionError, type EvaluateOptions } from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';
import { withTestAliases } from '../support/test-aliases.js';

const loadDefinition = withTestAliases(loadWithCatalog);

type Obj = { [key: string]: Value };

function load(condition: unknown, parameters: Obj = {}) {
  return loadDefinition({
    file: 'docs.json',
    json: { properties: { mode: 'All', parameters, policyRule: { if: condition, then: { effect: 'audit' } } } }
  });
}

/** 'true' when the `if` holds (non-compliant), 'false' when not, else the verdict. */
function holds(condition: unknown, json: Obj, options: EvaluateOptions = {}, parameters: Obj = {}): string {
  const e = load(condition, parameters).evaluate(armResource(json), options);
  if (!e.applicable || e.verdict === 'compliant') return 'false';
  return e.verdict === 'noncompliant' ? 'true' : e.verdict;
}

const nsg = (rules: Obj[]): Obj => ({
  name: 'nsg1',
  type: 'Microsoft.Network/networkSecurityGroups',
  location: 'westeurope',
  properties: { securityRules: rules.map((properties, i) => ({ name: `rule${i}`, properties })) }
});
const rdp: Obj = {
  direction: 'Inbound',
  access: 'Allow',
  destinationPortRange: '3389',
  description: 'My unique description'
};
const ssh: Obj = { direction: 'Inbound', access: 'Deny', destinationPortRange: '22', description: 'description' };
const rules = 'Microsoft.Network/networkSecurityGroups/securityRules[*]';

const vnet = (prefixes: string[]): Obj => ({
  name: 'vnet1',
  type: 'Microsoft.Network/virtualNetworks',
  location: 'westeurope',
  properties: { addressSpace: { addressPrefixes: prefixes } }
});
const prefixes = 'Microsoft.Network/virtualNetworks/addressSpace.addressPrefixes[*]';

describe('RULE#field-count-examples', () => {
  it('example 1: an empty array counts 0', () => {
    const rule = { count: { field: rules }, equals: 0 };
    expect(holds(rule, nsg([]))).toBe('true');
    expect(holds(rule, nsg([rdp]))).toBe('false');
  });
  it('example 2: exactly one member meets the where', () => {
    const rule = {
      count: { field: rules, where: { field: `${rules}.description`, equals: 'My unique description' } },
      equals: 1
    };
    expect(holds(rule, nsg([rdp, ssh]))).toBe('true');
    expect(holds(rule, nsg([rdp, rdp]))).toBe('false');
  });
  it('example 3: at least one member', () => {
    const rule = {
      count: { field: rules, where: { field: `${rules}.description`, equals: 'My common description' } },
      greaterOrEquals: 1
    };
    expect(holds(rule, nsg([rdp, ssh]))).toBe('false');
    expect(holds(rule, nsg([{ ...ssh, description: 'my COMMON description' }]))).toBe('true');
  });
  it('example 4: every member, compared with the length of field() of the [*] alias', () => {
    const rule = {
      count: { field: rules, where: { field: `${rules}.description`, equals: 'description' } },
      equals: `[length(field('${rules}'))]`
    };
    expect(holds(rule, nsg([ssh, ssh]))).toBe('true');
    expect(holds(rule, nsg([ssh, rdp]))).toBe('false');
  });
  it('example 5: one member matching several properties', () => {
    const rule = {
      count: {
        field: rules,
        where: {
          allOf: [
            { field: `${rules}.direction`, equals: 'Inbound' },
            { field: `${rules}.access`, equals: 'Allow' },
            { field: `${rules}.destinationPortRange`, equals: '3389' }
          ]
        }
      },
      greater: 0
    };
    expect(holds(rule, nsg([ssh, rdp]))).toBe('true');
    expect(holds(rule, nsg([ssh]))).toBe('false');
  });
  it('examples 6 and 7: current() and first(field()) of the counted member with ipRangeContains', () => {
    const viaCurrent = {
      count: {
        field: prefixes,
        where: { value: `[ipRangeContains('10.0.0.0/24', current('${prefixes}'))]`, equals: false }
      },
      greater: 0
    };
    // The page writes example 7 as `first(field(('…')))`, with a pair of grouping parentheses that the
    // template expression grammar does not have (docs silent on whether Azure accepts it): the engine
    // refuses that text at load, and evaluates the example without them.
    const fieldExpr = `first(field('${prefixes}'))`;
    const viaField = {
      count: {
        field: prefixes,
        where: { value: `[ipRangeContains('10.0.0.0/24', ${fieldExpr})]`, equals: false }
      },
      greater: 0
    };
    expect(() =>
      load({
        count: {
          field: prefixes,
          where: { value: `[ipRangeContains('10.0.0.0/24', first(field(('${prefixes}'))))]`, equals: false }
        },
        greater: 0
      })
    ).toThrow(/does not parse/);
    for (const rule of [viaCurrent, viaField]) {
      expect(holds(rule, vnet(['10.0.0.0/25', '10.0.1.0/24']))).toBe('true');
      expect(holds(rule, vnet(['10.0.0.0/25', '10.0.0.128/26']))).toBe('false');
    }
  });
});

describe('RULE#value-count-examples', () => {
  const named = (name: string): Obj => ({ name, type: 'Microsoft.Test/resourceType', location: 'westeurope' });
  it('examples 1 and 2: name patterns, with and without an index name', () => {
    const withName = {
      count: {
        value: ['prefix1_*', 'prefix2_*'],
        name: 'pattern',
        where: { field: 'name', like: "[current('pattern')]" }
      },
      greater: 0
    };
    const withoutName = {
      count: { value: ['prefix1_*', 'prefix2_*'], where: { field: 'name', like: '[current()]' } },
      greater: 0
    };
    for (const rule of [withName, withoutName]) {
      expect(holds(rule, named('prefix2_app'))).toBe('true');
      expect(holds(rule, named('other_app'))).toBe('false');
    }
  });
  it('without a name the index name is "default"', () => {
    const rule = { count: { value: ['a*'], where: { field: 'name', like: "[current('default')]" } }, equals: 1 };
    expect(holds(rule, named('abc'))).toBe('true');
  });
  it('example 3: patterns from an array parameter', () => {
    const rule = {
      count: {
        value: "[parameters('namePatterns')]",
        name: 'pattern',
        where: { field: 'name', like: "[current('pattern')]" }
      },
      greater: 0
    };
    const params = { namePatterns: { type: 'Array' } };
    expect(holds(rule, named('web-1'), { parameters: { namePatterns: ['web-*', 'api-*'] } }, params)).toBe('true');
    expect(holds(rule, named('db-1'), { parameters: { namePatterns: ['web-*', 'api-*'] } }, params)).toBe('false');
  });
  it('example 4: an address prefix outside every approved prefix (nested value count in a field count)', () => {
    const rule = {
      count: {
        field: prefixes,
        where: {
          count: {
            value: "[parameters('approvedPrefixes')]",
            name: 'approvedPrefix',
            where: { value: `[ipRangeContains(current('approvedPrefix'), current('${prefixes}'))]`, equals: true }
          },
          equals: 0
        }
      },
      greater: 0
    };
    const params = { approvedPrefixes: { type: 'Array', defaultValue: ['10.0.0.0/16', '192.168.0.0/24'] } };
    expect(holds(rule, vnet(['10.0.1.0/24', '192.168.0.0/25']), {}, params)).toBe('false');
    expect(holds(rule, vnet(['10.0.1.0/24', '172.16.0.0/24']), {}, params)).toBe('true');
  });
  it('example 5: every reserved NSG rule is defined (field count inside a value count of objects)', () => {
    const reserved = [
      { priority: 101, access: 'deny', direction: 'inbound', destinationPortRange: 22 },
      { priority: 102, access: 'deny', direction: 'inbound', destinationPortRange: 3389 }
    ];
    const on = (p: string) => ({ field: `${rules}.${p}`, equals: `[current('reservedNsgRule').${p}]` });
    const rule = {
      count: {
        value: "[parameters('reservedNsgRules')]",
        name: 'reservedNsgRule',
        where: {
          count: {
            field: rules,
            where: { allOf: [on('priority'), on('access'), on('direction'), on('destinationPortRange')] }
          },
          equals: 1
        }
      },
      equals: "[length(parameters('reservedNsgRules'))]"
    };
    const params = { reservedNsgRules: { type: 'Array', defaultValue: reserved } };
    const deny = (priority: number, port: string): Obj => ({
      priority,
      access: 'Deny',
      direction: 'Inbound',
      destinationPortRange: port
    });
    // Numbers and strings compare by their text: 22 equals "22", "deny" equals "Deny".
    expect(holds(rule, nsg([deny(101, '22'), deny(102, '3389'), rdp]), {}, params)).toBe('true');
    expect(holds(rule, nsg([deny(101, '22')]), {}, params)).toBe('false');
  });
});

describe('RULE#value-examples', () => {
  const res = (name: string, type = 'Microsoft.Compute/virtualMachines', tags: Obj = {}): Obj => ({
    name,
    type,
    location: 'westeurope',
    tags
  });
  it('resourceGroup().name like *netrg, type notLike Microsoft.Network/*', () => {
    const rule = {
      allOf: [
        { value: '[resourceGroup().name]', like: '*netrg' },
        { field: 'type', notLike: 'Microsoft.Network/*' }
      ]
    };
    expect(holds(rule, res('vm1'), { scope: { resourceGroup: 'corp-netrg' } })).toBe('true');
    expect(
      holds(rule, res('vnet1', 'Microsoft.Network/virtualNetworks'), { scope: { resourceGroup: 'corp-netrg' } })
    ).toBe('false');
    expect(holds(rule, res('vm1'), { scope: { resourceGroup: 'apps' } })).toBe('false');
  });
  it('a function giving the boolean true equals the string "true" (fewer than three tags)', () => {
    const rule = { value: "[less(length(field('tags')), 3)]", equals: 'true' };
    expect(holds(rule, res('vm1', undefined, { a: '1', b: '2' }))).toBe('true');
    expect(holds(rule, res('vm1', undefined, { a: '1', b: '2', c: '3' }))).toBe('false');
  });
  it('avoiding template failures: if() guards substring() on a short name', () => {
    const guarded = {
      value: "[if(greaterOrEquals(length(field('name')), 3), substring(field('name'), 0, 3), 'not starting with abc')]",
      equals: 'abc'
    };
    expect(holds(guarded, res('abcdef'))).toBe('true');
    expect(holds(guarded, res('ab'))).toBe('false');
  });
  it('avoiding template failures: an unguarded substring() on a short name fails the evaluation', () => {
    // RULE#avoiding-template-failures: "If the result of a template function is an error, policy
    // evaluation fails. A failed evaluation is an implicit deny." and "This error causes the policy to
    // become a deny effect." The page speaks of the request (blocked, as deny blocks it), not of the
    // compliance state Azure records for it, and compliance-states lists no state for a failed
    // evaluation. So the engine keeps reporting the failure as indeterminate, naming the error, rather
    // than inventing a compliance verdict. https://learn.microsoft.com/azure/governance/policy/concepts/compliance-states
    const e = load({ value: "[substring(field('name'), 0, 3)]", equals: 'abc' }).evaluate(armResource(res('ab')));
    expect(e.verdict).toBe('indeterminate');
    expect(e.reason).toMatch(/substring/);
    // It says what Azure does with a request, though it keeps the verdict of an existing resource indeterminate.
    expect(e.message).toMatch(/Azure Policy's evaluation fails here .*substring.*implicit deny of a request/);
  });
  it('a failure refuses a request only where Azure evaluates the rule while handling it', () => {
    const failing = { value: "[substring(field('name'), 0, 3)]", equals: 'abc' };
    const request = { ...armResource(res('ab')), origin: 'template' as const };
    const withRule = (mode: string, then: Obj, parameters: Obj = {}) =>
      loadDefinition({
        file: 'docs.json',
        json: { properties: { mode, parameters, policyRule: { if: failing, then } } }
      }).evaluate(request);
    for (const effect of ['audit', 'deny', 'modify'])
      expect(
        withRule(
          'Indexed',
          effect === 'modify'
            ? {
                effect,
                details: {
                  roleDefinitionIds: [
                    '/providers/microsoft.authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c'
                  ],
                  operations: [{ operation: 'add', field: 'tags.x', value: 'y' }]
                }
              }
            : { effect }
        ).verdict
      ).toBe('noncompliant');
    // Not where the resource provider evaluates (a provider mode), after it answers (deployIfNotExists), only deletes
    // (denyAction), or where the effect may be Disabled ("disabled is checked first").
    const notRefused = [
      withRule('Microsoft.KeyVault.Data', { effect: 'audit' }),
      withRule('All', {
        effect: 'deployIfNotExists',
        details: {
          type: 'Microsoft.Insights/diagnosticSettings',
          roleDefinitionIds: [
            '/providers/microsoft.authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c'
          ],
          deployment: { properties: { mode: 'incremental', template: {} } }
        }
      }),
      withRule('All', { effect: 'denyAction', details: { actionNames: ['delete'] } }),
      withRule(
        'All',
        { effect: "[parameters('effect')]" },
        { effect: { type: 'String', allowedValues: ['Audit', 'Disabled'] } }
      )
    ];
    for (const e of notRefused) expect(e.verdict === 'noncompliant' && e.effect === 'Deny').toBe(false);
  });
  it('subscription().tags and the other properties Azure gives and cmk-guard does not hold are unknown, not a failure', () => {
    const inherit = { value: "[subscription().tags['costCenter']]", notEquals: "[field('tags.costCenter')]" };
    const e = load(inherit).evaluate({ ...armResource(res('app')), origin: 'template' as const });
    expect(e.verdict).toBe('indeterminate');
    expect(e.reason).toMatch(/the subscription tags/);
    const other = load({ value: '[resourceGroup().managedByTenants]', equals: 'x' }).evaluate({
      ...armResource(res('app')),
      origin: 'template' as const
    });
    expect(other.verdict).toBe('indeterminate');
    expect(other.reason).toMatch(/resourceGroup\(\)\.managedByTenants, which cmk-guard does not hold/);
  });
  it('avoiding template failures: a template deploying the short name is refused, an implicit deny whatever the effect', () => {
    const definition = load({ value: "[substring(field('name'), 0, 3)]", equals: 'abc' });
    const request = { ...armResource(res('ab')), origin: 'template' as const };
    const e = definition.evaluate(request);
    expect([e.verdict, e.effect]).toEqual(['noncompliant', 'Deny']);
    expect(e.message).toMatch(
      /Azure Policy's evaluation fails here \(the expression .*substring.* failed: .*\), and Azure takes a failed evaluation as an implicit deny of the request, whatever the effect \(Audit\)/
    );
    expect(definition.evaluate({ ...armResource(res('xyzdef')), origin: 'template' as const }).verdict).toBe(
      'compliant'
    );
    // Failing on a field the request does not hold may be cmk-guard's want of what Azure fills in (Enterprise-Scale's
    // live tests show Azure finding a route's location): unknown, not a deny.
    const onMissing = load({ value: "[substring(field('location'), 0, 3)]", equals: 'abc' }).evaluate({
      ...armResource({ name: 'route', type: 'Microsoft.Network/routeTables/routes' }),
      origin: 'template' as const
    });
    expect(onMissing.verdict).toBe('indeterminate');
    expect(onMissing.reason).toMatch(/fails on a field this resource does not hold/);
  });
  it('policy function example: name must start with the resource group name', () => {
    const rule = { not: { field: 'name', like: "[concat(resourceGroup().name,'*')]" } };
    expect(holds(rule, res('apps-vm1'), { scope: { resourceGroup: 'apps' } })).toBe('false');
    expect(holds(rule, res('vm1'), { scope: { resourceGroup: 'apps' } })).toBe('true');
  });
});

describe('RULE#fields', () => {
  const tagged = (tags: Obj, location = 'eastus2'): Obj => ({
    name: 'r',
    type: 'Microsoft.Test/resourceType',
    location,
    tags
  });
  it('location: "East US 2" is considered equal to eastus2, in every spelling', () => {
    expect(holds({ field: 'location', equals: 'East US 2' }, tagged({}))).toBe('true');
    expect(holds({ field: 'location', in: ['West Europe', 'East US 2'] }, tagged({}))).toBe('true');
    expect(holds({ field: 'location', notIn: ['eastus2'] }, tagged({}, 'East US 2'))).toBe('false');
    expect(
      holds(
        { field: 'location', notIn: "[parameters('allowed')]" },
        tagged({}, 'East US 2'),
        {},
        { allowed: { type: 'Array', defaultValue: ['eastus2', 'westus'] } }
      )
    ).toBe('false');
  });
  it("tags['Acct.CostCenter'], tags['''My.Apostrophe.Tag'''], tags[tag.with.dots]", () => {
    const json = tagged({ 'Acct.CostCenter': 'cc1', "'My.Apostrophe.Tag'": 'x', 'tag.with.dots': 'y' });
    expect(holds({ field: "tags['Acct.CostCenter']", equals: 'cc1' }, json)).toBe('true');
    expect(holds({ field: "tags['''My.Apostrophe.Tag''']", equals: 'x' }, json)).toBe('true');
    expect(holds({ field: 'tags[tag.with.dots]', equals: 'y' }, json)).toBe('true');
  });
  it('identity.type with any condition', () => {
    const json = { ...tagged({}), identity: { type: 'SystemAssigned, UserAssigned' } };
    expect(holds({ field: 'identity.type', contains: 'SystemAssigned' }, json)).toBe('true');
    expect(holds({ field: 'identity.type', exists: false }, tagged({}))).toBe('true');
  });
  it('id is the resource id', () => {
    const json = {
      ...tagged({}),
      id: '/subscriptions/s/resourceGroups/myRG/providers/Microsoft.KeyVault/vaults/myVault'
    };
    expect(holds({ field: 'id', like: '*/providers/Microsoft.KeyVault/vaults/myVault' }, json)).toBe('true');
  });
});

describe('RULE#conditions', () => {
  const json: Obj = {
    name: 'r',
    type: 'Microsoft.Test/resourceType',
    properties: { created: '2024-05-01T00:00:00Z', text: 'a*b' }
  };
  const created = 'Microsoft.Test/resourceType/created';
  it('like "shouldn\'t have more than one wildcard character": a pattern with more loads with a warning and matches as a glob', () => {
    // RULE#conditions: "The value shouldn't have more than one wildcard character." A recommendation:
    // definitions with several exist, and other evaluators match them as globs.
    const def = load({ field: 'name', like: '*web*' });
    expect(def.notes.join('\n')).toMatch(/the like pattern "\*web\*" has 2 wildcards.*matched as a glob/);
    expect(load({ field: 'name', notLike: 'a*b*c' }).notes.join('\n')).toMatch(/notLike pattern "a\*b\*c" has 2/);
    expect(load({ field: 'name', like: 'web*' }).notes).toEqual([]);
    expect(holds({ field: 'name', like: '*WEB*' }, { ...json, name: 'my-web-app' })).toBe('true');
    expect(holds({ field: 'name', like: '*web*' }, { ...json, name: 'api' })).toBe('false');
    expect(holds({ field: 'name', like: 'a*b*c' }, { ...json, name: 'aXbYc' })).toBe('true');
    expect(holds({ field: 'name', like: 'a*b*c' }, { ...json, name: 'aXcYb' })).toBe('false');
    expect(holds({ field: 'name', notLike: '*-*-*' }, { ...json, name: 'a-b' })).toBe('true');
  });
  it('a like pattern with more than one * from a parameter matches as a glob too', () => {
    const params = { pattern: { type: 'String' } };
    const rule = { field: 'name', like: "[parameters('pattern')]" };
    expect(holds(rule, json, { parameters: { pattern: '*r*' } }, params)).toBe('true');
    expect(holds(rule, json, { parameters: { pattern: '*x*' } }, params)).toBe('false');
    expect(holds(rule, json, { parameters: { pattern: 'r*' } }, params)).toBe('true');
  });
  it('less/greater on dates compare instants, whatever the number of fractional digits', () => {
    expect(holds({ field: created, lessOrEquals: '2024-05-01T00:00:00.0000000Z' }, json)).toBe('true');
    expect(holds({ field: created, greaterOrEquals: '2024-05-01T00:00:00.0000000Z' }, json)).toBe('true');
    expect(holds({ field: created, less: '2024-05-01T00:00:00.0000001Z' }, json)).toBe('true');
    expect(holds({ field: created, greater: '2024-04-30' }, json)).toBe('true');
  });
  it('a template function that fails for one member of a count fails the evaluation, whatever the others count', () => {
    // RULE#avoiding-template-failures; ipRangeContains: "Empty ranges, or mixing between IP families isn't allowed
    // and results in evaluation failure" (RULE#policy-functions). The second rule's service tag is no range.
    const outside = {
      count: {
        field: `${rules}`,
        where: {
          value: `[ipRangeContains('10.0.0.0/8', current('${rules}.sourceAddressPrefix'))]`,
          equals: false
        }
      },
      greater: 0
    };
    const e = load(outside).evaluate(
      armResource(
        nsg([
          { ...rdp, sourceAddressPrefix: '192.168.1.0/24' },
          { ...ssh, sourceAddressPrefix: 'Internet' }
        ])
      )
    );
    // The first rule alone would decide the count (one member outside 10.0.0.0/8): Azure's evaluation fails first.
    expect(e.verdict).toBe('indeterminate');
    expect(e.message).toMatch(/evaluation fails here .*ipRangeContains.*implicit deny/);
    expect(holds(outside, nsg([{ ...rdp, sourceAddressPrefix: '192.168.1.0/24' }]))).toBe('true');
  });
  it('less/greater on values of types that do not order fail the evaluation: never a silent pass', () => {
    // RULE#conditions: "if the property type doesn't match the condition type, an error is thrown." A failed
    // evaluation is an implicit deny of the request; cmk-guard reports it indeterminate, saying so (see
    // 'avoiding template failures' above), where it said the condition did not hold.
    const tls = { ...json, properties: { ...(json.properties as Obj), text: 'TLS1_0', enabled: false } };
    const load1 = (condition: unknown) => load(condition).evaluate(armResource(tls));
    for (const condition of [
      { field: 'Microsoft.Test/resourceType/text', less: 5 },
      { field: 'Microsoft.Test/resourceType/enabled', greater: 0 },
      { value: '[json(\'{"a": 1}\')]', lessOrEquals: 'x' }
    ]) {
      const e = load1(condition);
      expect(e.verdict).toBe('indeterminate');
      expect(e.message).toMatch(/evaluation fails here .*values of types that do not order.*implicit deny/);
    }
    // A number and a numeric text order as numbers; a missing field satisfies no ordering, as before.
    expect(holds({ field: 'Microsoft.Test/resourceType/text', less: 5 }, { ...tls, properties: { text: '4' } })).toBe(
      'true'
    );
    expect(holds({ field: 'Microsoft.Test/resourceType/missing', less: 5 }, tls)).toBe('false');
  });
  it('contains: a * in the value is not a wildcard (docs: it "cannot be provided"; silent on what happens)', () => {
    // Docs silent on the outcome: the engine matches the character itself.
    expect(holds({ field: 'Microsoft.Test/resourceType/text', contains: 'a*' }, json)).toBe('true');
    expect(holds({ field: 'Microsoft.Test/resourceType/text', contains: 'x*' }, json)).toBe('false');
  });
});

describe('ARRAYS#array-conditions: a parameter of the wrong type as an operand', () => {
  it("the page's own example, equals an Array parameter, is refused as Azure refuses to create it; in takes it", () => {
    const params = { allowedLocations: { type: 'Array' } };
    expect(() => load({ field: 'location', equals: "[parameters('allowedLocations')]" }, params)).toThrow(
      /"equals" is given \[parameters\('allowedLocations'\)\], a parameter of type Array; Azure refuses to create the definition \("Evaluation result of language expression '\[parameters\('allowedLocations'\)\]' is type 'Array', expected type is 'String'"\)/
    );
    expect(() => load({ field: 'location', like: "[parameters('ALLOWEDLOCATIONS')]" }, params)).toThrow(
      DefinitionError
    );
    expect(() => load({ field: 'location', equals: "[parameters('tags')]" }, { tags: { type: 'Object' } })).toThrow(
      /type Object/
    );
    expect(
      holds(
        { field: 'location', in: "[parameters('allowedLocations')]" },
        { name: 'r', type: 'x', location: 'westeurope' },
        { parameters: { allowedLocations: ['westeurope'] } },
        params
      )
    ).toBe('true');
    // in and notIn take an Array, not a String; an expression around a parameter is the author's to get right.
    expect(() => load({ field: 'location', notIn: "[parameters('region')]" }, { region: { type: 'String' } })).toThrow(
      /"notIn" is given .* a parameter of type String; .*expected type is 'Array'/
    );
    expect(() => load({ field: 'location', equals: "[first(parameters('allowedLocations'))]" }, params)).not.toThrow();
  });
  it('current() outside a count\'s where is refused as Azure refuses it ("only available inside the count.where condition")', () => {
    expect(() => load({ value: '[current()]', equals: 'x' })).toThrow(
      /calls current\(\), which Azure allows only inside a count's "where"/
    );
    const inWhere = {
      count: { value: "[createArray('a', 'b')]", name: 'letter', where: { value: "[current('letter')]", equals: 'a' } },
      equals: 1
    };
    expect(holds(inWhere, { name: 'r', type: 'x' })).toBe('true');
  });
});

describe('RULE#count: index names', () => {
  it('count.name is English letters and digits', () => {
    expect(() =>
      load({ count: { value: [1], name: 'my-name', where: { value: '[current()]', equals: 1 } }, equals: 1 })
    ).toThrow(/letters and digits/);
  });
  it('a value count inside another count needs a name', () => {
    const inner = { count: { value: [1, 2], where: { value: '[current()]', equals: 1 } }, equals: 1 };
    expect(() => load({ count: { value: [1], name: 'outer', where: inner }, equals: 1 })).toThrow(/needs a "name"/);
  });
});

describe('RULE#policy-functions', () => {
  const json: Obj = { name: 'r', type: 'Microsoft.Test/resourceType', apiVersion: '2021-09-01', properties: {} };
  it.each([
    ['copyIndex', '[copyIndex()]'],
    ['dateTimeAdd', "[dateTimeAdd('2024-01-01T00:00:00Z', 'P1D')]"],
    ['dateTimeFromEpoch', '[dateTimeFromEpoch(0)]'],
    ['dateTimeToEpoch', "[dateTimeToEpoch('2024-01-01T00:00:00Z')]"],
    ['deployment', '[deployment().name]'],
    ['environment', '[environment().name]'],
    ['extensionResourceId', "[extensionResourceId('a', 'b', 'c')]"],
    ['lambda', "[length(filter(createArray(1, 2), lambda('x', equals(lambdaVariables('x'), 1))))]"],
    ['listAccountSas', "[listAccountSas('a', '2021-01-01', createObject())]"],
    ['listKeys', "[listKeys('a', '2021-01-01')]"],
    ['listSecrets', "[listSecrets('a', '2021-01-01')]"],
    ['list*', "[listConnectionStrings('a', '2021-01-01')]"],
    ['managementGroup', '[managementGroup().name]'],
    ['newGuid', '[newGuid()]'],
    ['pickZones', "[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]"],
    ['providers', "[providers('Microsoft.Web')]"],
    ['reference', "[reference('a').x]"],
    ['resourceId', "[resourceId('Microsoft.Network/virtualNetworks', 'v')]"],
    ['subscriptionResourceId', "[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'g')]"],
    ['tenantResourceId', "[tenantResourceId('Microsoft.Management/managementGroups', 'm')]"],
    ['tenant', '[tenant().tenantId]'],
    ['variables', "[variables('v')]"]
  ])('%s is not available in a policy rule: the definition is refused', (_name, expression) => {
    expect(() => load({ value: expression, equals: 'x' })).toThrow(DefinitionError);
    expect(() => load({ value: expression, equals: 'x' })).toThrow(/does not allow in a policy rule/);
  });
  it('utcNow() gives yyyy-MM-ddTHH:mm:ss.fffffffZ; addDays() gives yyyy-MM-ddTHH:mm:ss.FFFFFFFZ', () => {
    expect(holds({ value: '[utcNow()]', match: '####-##-##T##:##:##.#######Z' }, json)).toBe('true');
    expect(holds({ value: "[addDays('2024-01-30T00:00:00Z', 3)]", equals: '2024-02-02T00:00:00Z' }, json)).toBe('true');
  });
  it('utcNow() compares with addDays() as time (built-in key expiry pattern)', () => {
    // Key Vault built-ins: { value: "[utcNow()]", greater: "[addDays(<createdOn>, <days>)]" }.
    expect(holds({ value: '[utcNow()]', greater: "[addDays('2000-01-01T00:00:00Z', 30)]" }, json)).toBe('true');
    expect(holds({ value: '[utcNow()]', greater: "[addDays('2999-01-01T00:00:00Z', 30)]" }, json)).toBe('false');
  });
  it('requestContext().apiVersion is the api-version of the request', () => {
    // A request is a template's resource; an existing resource is evaluated at the latest api-version (see
    // request-context.test.ts), whatever api-version a snapshot records.
    const request = { ...armResource(json), origin: 'template' as const };
    const e = load({ value: '[requestContext().apiVersion]', equals: '2021-09-01' }).evaluate(request);
    expect(e.verdict).toBe('noncompliant');
    expect(holds({ value: '[requestContext().apiVersion]', equals: '2021-09-01' }, json)).toBe('false');
  });
  it("policy() holds a built-in's definition id; a custom definition's depends on where it is created", () => {
    const withId = (identity: Record<string, unknown>, policyType?: string) =>
      loadDefinition({
        file: null,
        json: {
          ...identity,
          properties: {
            ...(policyType ? { policyType } : {}),
            policyRule: {
              if: {
                value: '[policy().definitionId]',
                like: '*/providers/Microsoft.Authorization/policyDefinitions/def1'
              },
              then: { effect: 'audit' }
            }
          }
        }
      }).evaluate(armResource(json)).verdict;
    expect(withId({ name: 'def1' }, 'BuiltIn')).toBe('noncompliant');
    expect(withId({ name: 'def1' }, 'Custom')).toBe('indeterminate');
    expect(withId({ name: 'def1' })).toBe('indeterminate');
    const exported = '/subscriptions/0000/providers/Microsoft.Authorization/policyDefinitions/def1';
    expect(withId({ id: exported, name: 'def1' }, 'Custom')).toBe('noncompliant');
  });
  it("policy(): whether the definition is assigned through an initiative is the assignment's, not known from it", () => {
    for (const member of ['setDefinitionId', 'definitionReferenceId'])
      expect(holds({ value: `[policy().${member}]`, equals: '' }, json)).toBe('indeterminate');
  });
  it('ipRangeContains: addresses, CIDR ranges and first-last ranges; mixing IP families fails', () => {
    expect(holds({ value: "[ipRangeContains('10.0.0.0/24', '10.0.0.5')]", equals: true }, json)).toBe('true');
    expect(holds({ value: "[ipRangeContains('192.168.0.1-192.168.0.9', '192.168.0.4')]", equals: true }, json)).toBe(
      'true'
    );
    expect(holds({ value: "[ipRangeContains('2001:0DB8::/110', '2001:0DB8::3:FFFE')]", equals: true }, json)).toBe(
      'true'
    );
    expect(holds({ value: "[ipRangeContains('10.0.0.0/24', '2001:0DB8::3:FFFE')]", equals: true }, json)).toBe(
      'indeterminate'
    );
  });
});

describe('ARRAYS#additional--alias-examples', () => {
  // The documented table: ipRules [127.0.0.1, 192.168.1.1]; rule allOf [ipRules exists, <condition>].
  const account: Obj = {
    name: 'st1',
    type: 'Microsoft.Storage/storageAccounts',
    location: 'westeurope',
    properties: {
      networkAcls: {
        ipRules: [
          { value: '127.0.0.1', action: 'Allow' },
          { value: '192.168.1.1', action: 'Allow' }
        ]
      }
    }
  };
  const value = 'Microsoft.Storage/storageAccounts/networkAcls.ipRules[*].value';
  const rule = (condition: Obj) => ({
    allOf: [{ field: 'Microsoft.Storage/storageAccounts/networkAcls.ipRules', exists: 'true' }, condition]
  });
  it.each([
    ['notEquals 127.0.0.1 (none match)', { field: value, notEquals: '127.0.0.1' }, 'false'],
    ['notEquals 10.0.4.1 (none match)', { field: value, notEquals: '10.0.4.1' }, 'true'],
    ['not notEquals 127.0.0.1 (one or more match)', { not: { field: value, notEquals: '127.0.0.1' } }, 'true'],
    ['not notEquals 10.0.4.1 (one or more match)', { not: { field: value, notEquals: '10.0.4.1' } }, 'false'],
    ['not Equals 127.0.0.1 (not all match)', { not: { field: value, Equals: '127.0.0.1' } }, 'true'],
    ['not Equals 10.0.4.1 (not all match)', { not: { field: value, Equals: '10.0.4.1' } }, 'true'],
    ['Equals 127.0.0.1 (all match)', { field: value, Equals: '127.0.0.1' }, 'false'],
    ['Equals 10.0.4.1 (all match)', { field: value, Equals: '10.0.4.1' }, 'false']
  ])('%s', (_label, condition, expected) => {
    expect(holds(rule(condition), account)).toBe(expected);
  });
  it('field() of an alias without [*] is the array itself; of a missing one, ""', () => {
    expect(
      holds({ value: `[length(field('Microsoft.Storage/storageAccounts/networkAcls.ipRules'))]`, greater: 0 }, account)
    ).toBe('true');
    expect(
      holds(
        { value: "[field('Microsoft.Storage/storageAccounts/networkAcls.virtualNetworkRules')]", equals: '' },
        account
      )
    ).toBe('true');
  });
});
