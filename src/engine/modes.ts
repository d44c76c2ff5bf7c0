/**
 * Modes: which resources a definition is evaluated against. `All` takes every resource, resource
 * groups and subscriptions too; `Indexed` only resource types that support tags and location, and
 * never resource groups or subscriptions; a resource-provider mode
 * (`Microsoft.KeyVault.Data`, `Microsoft.Kubernetes.Data`, …) only that provider's types.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#mode
 */

import { own } from '../model/value.js';
import { foldCase } from '../model/foldCase.js';

/** Child types that are tracked resources (they take tags and a location). */
const trackedChildTypes = new Set(
  [
    'Microsoft.Sql/servers/databases',
    'Microsoft.Sql/servers/elasticPools',
    'Microsoft.Sql/servers/jobAgents',
    'Microsoft.Sql/managedInstances/databases',
    'Microsoft.Web/sites/slots',
    'Microsoft.Compute/virtualMachines/extensions',
    'Microsoft.Compute/virtualMachineScaleSets/virtualMachines',
    'Microsoft.Compute/galleries/images',
    'Microsoft.Compute/galleries/images/versions',
    'Microsoft.Synapse/workspaces/sqlPools',
    'Microsoft.Synapse/workspaces/bigDataPools',
    'Microsoft.Synapse/workspaces/kustoPools',
    'Microsoft.MachineLearningServices/workspaces/computes',
    'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
    'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments',
    'Microsoft.MachineLearningServices/workspaces/batchEndpoints',
    'Microsoft.MachineLearningServices/workspaces/serverlessEndpoints',
    'Microsoft.ContainerRegistry/registries/replications',
    'Microsoft.ContainerRegistry/registries/webhooks',
    'Microsoft.ContainerRegistry/registries/tasks',
    'Microsoft.Automation/automationAccounts/runbooks',
    'Microsoft.Automation/automationAccounts/configurations',
    'Microsoft.Kusto/clusters/databases',
    'Microsoft.HybridCompute/machines/extensions',
    'Microsoft.DBforPostgreSQL/serverGroupsv2',
    'Microsoft.Network/virtualHubs',
    'Microsoft.Media/mediaservices/liveEvents',
    'Microsoft.Media/mediaservices/streamingEndpoints',
    'Microsoft.Devices/IotHubs/eventHubEndpoints',
    'Microsoft.DocumentDB/cassandraClusters/dataCenters',
    'Microsoft.AppPlatform/Spring/apps',
    'Microsoft.Blueprint/blueprints',
    'Microsoft.StreamAnalytics/clusters',
    'Microsoft.NetApp/netAppAccounts/capacityPools',
    'Microsoft.NetApp/netAppAccounts/capacityPools/volumes',
    'Microsoft.EventGrid/namespaces/topics'
  ].map(t => foldCase(t))
);

/** Top-level types that are proxy resources (no tags or location). */
const proxyNamespaces = [
  'microsoft.authorization/',
  'microsoft.resources/deployments',
  'microsoft.insights/diagnosticsettings',
  'microsoft.security/',
  'microsoft.policyinsights/',
  'microsoft.management/',
  'microsoft.advisor/',
  'microsoft.consumption/',
  'microsoft.costmanagement/',
  'microsoft.features/',
  'microsoft.guestconfiguration/'
];

/**
 * Resource groups and subscriptions take tags and a location, yet `Indexed` does not evaluate them:
 * the docs name them as the exception, to be targeted by an `All` definition (as the built-in
 * "Allowed locations for resource groups" is). Both spellings of a resource group's type count.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#resource-manager-modes
 */
const notIndexedTypes = new Set([
  'microsoft.resources/subscriptions',
  'microsoft.resources/subscriptions/resourcegroups',
  'microsoft.resources/resourcegroups'
]);

/**
 * What is known of a resource type as spelled, shared by every definition: a number that
 * definitions index their own per-type answers by, and whether `Indexed` mode evaluates it.
 */
export interface TypeEntry {
  readonly id: number;
  readonly indexed: boolean;
}

const typeEntries = new Map<string, TypeEntry>();
let nextTypeId = 0;
// The last type asked about: every definition asks about the same resource in turn.
let lastType: string | undefined;
let lastEntry: TypeEntry | undefined;

/** The entry of a resource type as spelled (there are few distinct spellings). */
export function typeEntry(type: string): TypeEntry {
  if (type === lastType && lastEntry !== undefined) return lastEntry;
  let entry = typeEntries.get(type);
  if (entry === undefined) {
    if (typeEntries.size >= 10_000) typeEntries.clear();
    entry = { id: nextTypeId++, indexed: computeIndexed(type) };
    typeEntries.set(type, entry);
  }
  lastType = type;
  lastEntry = entry;
  return entry;
}

/** Whether `Indexed` mode evaluates a resource of this type. */
export function isIndexedType(type: string): boolean {
  return typeEntry(type).indexed;
}

function computeIndexed(type: string): boolean {
  const lower = foldCase(type);
  if (notIndexedTypes.has(lower)) return false;
  // A namespace (ending in '/') covers its types; a type covers itself and its children, not a type
  // whose name merely begins alike (deployments is a proxy, deploymentScripts a tracked resource).
  if (proxyNamespaces.some(p => (p.endsWith('/') ? lower.startsWith(p) : lower === p || lower.startsWith(`${p}/`))))
    return false;
  const segments = lower.split('/').length;
  if (segments <= 2) return true;
  return trackedChildTypes.has(lower);
}

/** Resource-provider modes and the resource types (lower-cased prefixes) they evaluate. */
const providerModes: Record<string, string[]> = {
  'microsoft.kubernetes.data': ['microsoft.containerservice/managedclusters', 'microsoft.kubernetes/connectedclusters'],
  'microsoft.containerservice.data': ['microsoft.containerservice/managedclusters'],
  'microsoft.keyvault.data': ['microsoft.keyvault/vaults'],
  'microsoft.managedhsm.data': ['microsoft.keyvault/managedhsms'],
  'microsoft.network.data': ['microsoft.network/'],
  'microsoft.machinelearningservices.data': ['microsoft.machinelearningservices/'],
  'microsoft.machinelearningservices.v2.data': ['microsoft.machinelearningservices/'],
  'microsoft.cognitiveservices.data': ['microsoft.cognitiveservices/'],
  'microsoft.datafactory.data': ['microsoft.datafactory/'],
  'microsoft.loadtestservice.data': ['microsoft.loadtestservice/']
};

export interface Mode {
  /** As Azure spells it: `All`, `Indexed`, or the provider mode. */
  name: string;
  kind: 'all' | 'indexed' | 'provider';
  appliesToType(type: string): boolean;
}

/**
 * The mode named, or undefined when it is not one Azure has. Without a name, `Indexed`: "A null mode is the
 * same as using indexed" (definition-structure-basics#resource-manager-modes), and the REST API's `mode`
 * defaults to `Indexed`.
 */
export function resolveMode(name: string | undefined): Mode | undefined {
  if (name === undefined) return resolveMode('Indexed');
  const lower = foldCase(name);
  if (lower === 'all') return { name: 'All', kind: 'all', appliesToType: () => true };
  if (lower === 'indexed') return { name: 'Indexed', kind: 'indexed', appliesToType: isIndexedType };
  let prefixes = own(providerModes, lower);
  if (!prefixes) {
    const m = /^([a-z0-9]+\.[a-z0-9]+)(\.v\d+)?\.data$/.exec(lower);
    if (!m) return undefined;
    prefixes = [`${m[1]}/`];
  }
  const list = prefixes;
  return {
    name,
    kind: 'provider',
    appliesToType: type => {
      const t = foldCase(type);
      return list.some(p => t === p || t.startsWith(p.endsWith('/') ? p : `${p}/`));
    }
  };
}
