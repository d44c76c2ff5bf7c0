/**
 * Where auditIfNotExists / deployIfNotExists look for the related resource among the supplied ones.
 * AINE = https://learn.microsoft.com/azure/governance/policy/concepts/effect-audit-if-not-exists#auditifnotexists-properties
 * DINE = https://learn.microsoft.com/azure/governance/policy/concepts/effect-deploy-if-not-exists#deployifnotexists-properties
 */
import { loadDefinition } from '../../src/engine/index.js';
import { Unknown, type Value } from '../../src/model/value.js';
import type { Resource } from '../../src/model/resource.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

const SUB = '/subscriptions/11111111-1111-1111-1111-111111111111';
const OTHER_SUB = '/subscriptions/22222222-2222-2222-2222-222222222222';
const role = '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c';
const VNET = 'Microsoft.Network/virtualNetworks';
const WATCHER = 'Microsoft.Network/networkWatchers';

function at(id: string, type: string, name: string, json: Obj = {}): Resource {
  return armResource({ id, type, name, location: 'westeurope', properties: {}, ...json });
}
const vnet = at(`${SUB}/resourceGroups/app/providers/${VNET}/vnet1`, VNET, 'vnet1');
const watcher = (group: string, name = 'watcher', sub = SUB, location = 'westeurope') =>
  at(`${sub}/resourceGroups/${group}/providers/${WATCHER}/${name}`, WATCHER, name, { location });

/** An auditIfNotExists on virtual networks looking for a network watcher, with extra `details`. */
function aine(details: Obj, parameters: Obj = {}) {
  return loadDefinition({
    file: 'related.json',
    json: {
      properties: {
        mode: 'Indexed',
        parameters,
        policyRule: {
          if: { field: 'type', equals: VNET },
          then: { effect: 'auditIfNotExists', details: { type: WATCHER, ...details } }
        }
      }
    }
  });
}
const verdict = (details: Obj, related: Resource[], evaluated: Resource = vnet) =>
  aine(details).evaluate(evaluated, { related: [evaluated, ...related] }).verdict;

describe('AINE: existenceScope and resourceGroupName', () => {
  it('by default only the evaluated resource\'s resource group is searched ("Default is ResourceGroup")', () => {
    expect(verdict({}, [watcher('app')])).toBe('compliant');
    // One in another group is not where Azure looks; one may still exist in `app`: undecided, not compliant.
    const elsewhere = aine({}).evaluate(vnet, { related: [watcher('NetworkWatcherRG')] });
    expect(elsewhere.verdict).toBe('indeterminate');
    expect(elsewhere.reason).toMatch(/related resource not available/);
  });
  it('resource group names compare case-insensitively', () => {
    expect(verdict({}, [watcher('APP')])).toBe('compliant');
  });
  it('existenceScope Subscription "queries the entire subscription", and only it', () => {
    expect(verdict({ existenceScope: 'Subscription' }, [watcher('NetworkWatcherRG')])).toBe('compliant');
    expect(verdict({ existenceScope: 'subscription' }, [watcher('NetworkWatcherRG')])).toBe('compliant');
    expect(verdict({ existenceScope: 'Subscription' }, [watcher('app', 'w', OTHER_SUB)])).toBe('indeterminate');
    expect(verdict({ existenceScope: 'ResourceGroup' }, [watcher('NetworkWatcherRG')])).toBe('indeterminate');
  });
  it('resourceGroupName "allows the matching of the related resource to come from a different resource group"', () => {
    // The built-in "Network Watcher should be enabled" pattern: watchers live in NetworkWatcherRG.
    const details = { resourceGroupName: 'NetworkWatcherRG' };
    expect(verdict(details, [watcher('NetworkWatcherRG')])).toBe('compliant');
    expect(verdict(details, [watcher('networkwatcherrg')])).toBe('compliant');
    expect(verdict(details, [watcher('app')])).toBe('indeterminate');
  });
  it('resourceGroupName may be an expression over parameters', () => {
    const def = aine(
      { resourceGroupName: "[parameters('watcherGroup')]" },
      { watcherGroup: { type: 'String', defaultValue: 'NetworkWatcherRG' } }
    );
    expect(def.evaluate(vnet, { related: [watcher('NetworkWatcherRG')] }).verdict).toBe('compliant');
    expect(def.evaluate(vnet, { related: [watcher('ops')], parameters: { watcherGroup: 'ops' } }).verdict).toBe(
      'compliant'
    );
    const unknown = def.evaluate(vnet, {
      related: [watcher('ops')],
      parameters: { watcherGroup: new Unknown('parameter `watcherGroup`') }
    });
    expect(unknown).toMatchObject({ verdict: 'indeterminate', reason: 'depends on parameter `watcherGroup`' });
  });
  it('the existence condition is checked on the resources found in scope only', () => {
    const details = { existenceCondition: { field: 'location', equals: 'westeurope' } };
    expect(verdict(details, [watcher('app', 'w', SUB, 'eastus')])).toBe('noncompliant');
    expect(verdict(details, [watcher('app', 'w1', SUB, 'eastus'), watcher('app', 'w2')])).toBe('compliant');
    // A matching watcher in another group is out of scope: the one in `app` decides.
    expect(verdict(details, [watcher('app', 'w1', SUB, 'eastus'), watcher('other', 'w2')])).toBe('noncompliant');
  });
});

describe('AINE: name', () => {
  it('"name (optional)": without it any resource of the type matches', () => {
    expect(verdict({}, [watcher('app', 'anything')])).toBe('compliant');
  });
  it('with it, "the exact name of the resource to match" (case-insensitive)', () => {
    expect(verdict({ name: 'NetworkWatcher_westeurope' }, [watcher('app', 'networkwatcher_westeurope')])).toBe(
      'compliant'
    );
    expect(verdict({ name: 'NetworkWatcher_westeurope' }, [watcher('app', 'NetworkWatcher_eastus')])).toBe(
      'indeterminate'
    );
  });
  it('name and resourceGroupName together pick one resource', () => {
    const details = { name: 'NetworkWatcher_westeurope', resourceGroupName: 'NetworkWatcherRG' };
    expect(verdict(details, [watcher('NetworkWatcherRG', 'NetworkWatcher_westeurope')])).toBe('compliant');
    expect(verdict(details, [watcher('app', 'NetworkWatcher_westeurope')])).toBe('indeterminate');
  });
});

describe('AINE: a type underneath the evaluated resource', () => {
  // "If type is a resource type underneath the if condition resource, the policy queries for resources
  // of this type within the scope of the evaluated resource." resourceGroupName "doesn't apply".
  const SERVER = 'Microsoft.Sql/servers';
  const AUDIT = 'Microsoft.Sql/servers/auditingSettings';
  const server = (name: string) => at(`${SUB}/resourceGroups/app/providers/${SERVER}/${name}`, SERVER, name);
  const auditing = (server: string, name = 'default') =>
    at(`${SUB}/resourceGroups/app/providers/${SERVER}/${server}/auditingSettings/${name}`, AUDIT, `${server}/${name}`);
  function sqlAine(details: Obj) {
    return loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'Indexed',
          policyRule: {
            if: { field: 'type', equals: SERVER },
            then: { effect: 'auditIfNotExists', details: { type: AUDIT, ...details } }
          }
        }
      }
    });
  }
  const run = (details: Obj, related: Resource[]) => sqlAine(details).evaluate(server('sql1'), { related }).verdict;
  it("only the evaluated resource's children match", () => {
    expect(run({}, [auditing('sql1')])).toBe('compliant');
    expect(run({}, [auditing('sql2')])).toBe('indeterminate');
  });
  it('the name may be the child\'s short name, the full name, or parent/? ("a collection of nested resources")', () => {
    expect(run({ name: 'default' }, [auditing('sql1')])).toBe('compliant');
    expect(run({ name: "[concat(field('name'), '/default')]" }, [auditing('sql1')])).toBe('compliant');
    expect(run({ name: "[concat(field('name'), '/?')]" }, [auditing('sql1', 'other')])).toBe('compliant');
    expect(run({ name: 'sql2/?' }, [auditing('sql1')])).toBe('indeterminate');
    expect(run({ name: 'default' }, [auditing('sql1', 'other')])).toBe('indeterminate');
  });
  it('resourceGroupName and existenceScope do not apply to it', () => {
    expect(run({ resourceGroupName: 'elsewhere' }, [auditing('sql1')])).toBe('compliant');
  });
});

describe('DINE: the same search, with deployIfNotExists', () => {
  it('existenceScope Subscription with a deployment', () => {
    const def = loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'Indexed',
          policyRule: {
            if: { field: 'type', equals: VNET },
            then: {
              effect: 'deployIfNotExists',
              details: {
                type: WATCHER,
                existenceScope: 'Subscription',
                roleDefinitionIds: [role],
                deployment: { properties: { mode: 'incremental', template: {} } }
              }
            }
          }
        }
      }
    });
    expect(def.evaluate(vnet, { related: [watcher('NetworkWatcherRG')] }).verdict).toBe('compliant');
    expect(def.evaluate(vnet, { related: [watcher('w', 'w', OTHER_SUB)] }).verdict).toBe('indeterminate');
  });
});

describe('extension resources (diagnostic settings) belong to the resource they extend', () => {
  // Not spelt out on the effect pages: an extension resource's id is `<resource id>/providers/<type>/<name>`,
  // and a diagnostic setting on another resource in the group says nothing about this one.
  const DIAG = 'Microsoft.Insights/diagnosticSettings';
  const diag = (target: Resource, name = 'toLogs') =>
    armResource({ id: `${target.id}/providers/${DIAG}/${name}`, type: DIAG, name, properties: {} });
  const vnet2 = at(`${SUB}/resourceGroups/app/providers/${VNET}/vnet2`, VNET, 'vnet2');
  const def = loadDefinition({
    file: null,
    json: {
      properties: {
        mode: 'Indexed',
        policyRule: {
          if: { field: 'type', equals: VNET },
          then: { effect: 'auditIfNotExists', details: { type: DIAG } }
        }
      }
    }
  });
  it('a setting on the evaluated resource counts; one on a sibling does not', () => {
    expect(def.evaluate(vnet, { related: [diag(vnet)] }).verdict).toBe('compliant');
    expect(def.evaluate(vnet, { related: [diag(vnet2)] }).verdict).toBe('indeterminate');
  });
});
