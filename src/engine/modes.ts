/**
 * Modes: which resources a definition is evaluated against. `All` takes every resource, resource
 * groups and subscriptions too; `Indexed` only resource types that support tags and location, and
 * never resource groups or subscriptions; a resource-provider mode
 * (`Microsoft.KeyVault.Data`, `Microsoft.Kubernetes.Data`, …) only that provider's types. No mode
 * takes the types Azure Policy exempts from evaluation (Microsoft.Resources/templateSpecs, …: exemptPrefixes).
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#mode
 */

import { own } from '../model/value.js';
import { foldCase } from '../model/foldCase.js';
import { SUBSCRIPTION_TYPE } from '../model/resource.js';
import { TAG_SUPPORT } from './tagSupport.data.js';

/**
 * Whether `Indexed` evaluates a resource type, as the table says (tagSupport.data.ts, made by
 * scripts/build-tag-support.js from Microsoft Learn's "Tag support for Azure resources" page and the verified
 * additions beside it in scripts/tag-support/additions.json, each with its source and reason): true for a type
 * that supports tags and has a location, false for one without tags or without a location (a Key Vault secret), or
 * undefined for a type the table does not list. Keyed by the folded type; a namespace's row is read on first use.
 */
const tableAnswers = new Map<string, Map<string, boolean>>();
function tableSaysIndexed(lowerType: string): boolean | undefined {
  const slash = lowerType.indexOf('/');
  if (slash < 0) return undefined;
  const namespace = lowerType.slice(0, slash);
  let types = tableAnswers.get(namespace);
  if (types === undefined) {
    types = new Map();
    for (const entry of (TAG_SUPPORT.get(namespace) ?? '').split(' ')) {
      if (entry) types.set(entry.slice(1), entry[0] === '+');
    }
    tableAnswers.set(namespace, types);
  }
  return types.get(lowerType.slice(slash + 1));
}

/** Top-level types that are proxy resources (no tags or location), for the types the page does not list. */
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
  foldCase(SUBSCRIPTION_TYPE),
  'microsoft.resources/subscriptions/resourcegroups',
  'microsoft.resources/resourcegroups'
]);

/**
 * Resource types Azure Policy never evaluates, whatever the mode: "By design, Azure Policy does not evaluate resources
 * under the Microsoft.Resources resource provider (RP) from policy evaluation, except for subscriptions and resource
 * groups" (https://learn.microsoft.com/azure/governance/policy/concepts/policy-applicability, Not Applicable
 * Resources), and the Azure/azure-policy README's "Resources that are exempt from policy evaluation": "Resource types
 * in the following namespaces are excluded from policy evaluation: Microsoft.Resources/*, except resource groups and
 * subscriptions (for example, Microsoft.Resources/deployments and Microsoft.Resources/templateSpecs are not evaluated
 * by policy), Microsoft.Billing/*, Microsoft.Capacity/reservationOrders/*, Microsoft.Help/*, Microsoft.Diagnostics/*".
 * The Microsoft.Resources entry came with Azure/azure-policy#1044 ("All Microsoft.Resources types are excluded from
 * policy evaluation except resource groups and subscriptions"). Each entry covers the types below it;
 * `Microsoft.Capacity/reservationOrders` itself with its children. The README's second list (single types such as
 * Microsoft.KeyVault/vaults/secrets) is not here: on the pull request that added it (Azure/azure-policy#1306) a policy
 * reviewer says "these are excluded only from brownfield evaluation, not greenfield", so they would leave only a
 * snapshot's and a live scope's resources, which this exemption, made for every source alike, does not model.
 */
const exemptPrefixes = [
  'microsoft.resources/',
  'microsoft.billing/',
  'microsoft.capacity/reservationorders',
  'microsoft.help/',
  'microsoft.diagnostics/'
];

/** Whether Azure Policy evaluates no resource of this type in any mode (see exemptPrefixes). */
function computeExempt(type: string): boolean {
  const lower = foldCase(type);
  if (notIndexedTypes.has(lower)) return false;
  return exemptPrefixes.some(p => (p.endsWith('/') ? lower.startsWith(p) : lower === p || lower.startsWith(`${p}/`)));
}

/**
 * What is known of a resource type as spelled, shared by every definition: a number that
 * definitions index their own per-type answers by, whether `Indexed` mode would evaluate it by its
 * tags and location, and whether Azure Policy evaluates it at all (`exempt`: in no mode).
 */
export interface TypeEntry {
  readonly id: number;
  readonly indexed: boolean;
  readonly exempt: boolean;
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
    entry = { id: nextTypeId++, indexed: computeIndexed(type), exempt: computeExempt(type) };
    typeEntries.set(type, entry);
  }
  lastType = type;
  lastEntry = entry;
  return entry;
}

/**
 * Whether `Indexed` mode takes a resource of this type by its tags and location (the tag-support page); an exempt
 * type (isExemptType) is still evaluated by no mode.
 */
export function isIndexedType(type: string): boolean {
  return typeEntry(type).indexed;
}

/**
 * Whether Azure Policy leaves every resource of this type out of evaluation, in every mode: Microsoft.Resources
 * types other than subscriptions and resource groups, and the other namespaces of exemptPrefixes.
 */
export function isExemptType(type: string): boolean {
  return typeEntry(type).exempt;
}

/**
 * Whether `Indexed` evaluates a type: resource groups and subscriptions never; a type the table lists (the
 * tag-support page and its verified additions) as the table says; a type it does not list by its shape. The page
 * leaves out many types (most of Microsoft.Network's, every child of a storage account's services), so the shape
 * still decides those, as it did before the page was read:
 *  - a top-level type (`Namespace/type`) is evaluated, unless its namespace or type is a known proxy
 *    (proxyNamespaces). Top-level types are nearly all tracked resources, and evaluating is the side a gate
 *    fails closed on: an `Indexed` definition about an unlisted top-level type still judges it;
 *  - a child type is not evaluated (unless the additions list it as tracked). This side fails open, on purpose:
 *    the mode docs' own example of what `Indexed` skips, Microsoft.Network/routeTables/routes, is a child type the
 *    page does not list, and child types are proxy resources far more often than not (of the 1,276 child types
 *    the page lists, 1,107 do not support tags). Evaluating them would report on subnets, containers and
 *    routes that Azure Policy never judges under `Indexed`.
 * Type names compare ignoring case, as ARM compares them.
 */
function computeIndexed(type: string): boolean {
  const lower = foldCase(type);
  if (notIndexedTypes.has(lower)) return false;
  const listed = tableSaysIndexed(lower);
  if (listed !== undefined) return listed;
  // A namespace (ending in '/') covers its types; a type covers itself and its children, not a type
  // whose name merely begins alike (deployments is a proxy, deploymentScripts a tracked resource).
  if (proxyNamespaces.some(p => (p.endsWith('/') ? lower.startsWith(p) : lower === p || lower.startsWith(`${p}/`))))
    return false;
  return lower.split('/').length <= 2;
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
  /** Whether the mode evaluates a resource of this type: never an exempt one (isExemptType). */
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
  if (lower === 'all') return { name: 'All', kind: 'all', appliesToType: type => !typeEntry(type).exempt };
  if (lower === 'indexed') {
    return {
      name: 'Indexed',
      kind: 'indexed',
      appliesToType: type => {
        const entry = typeEntry(type);
        return entry.indexed && !entry.exempt;
      }
    };
  }
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
      return !typeEntry(type).exempt && list.some(p => t === p || t.startsWith(p.endsWith('/') ? p : `${p}/`));
    }
  };
}
