/**
 * A resource id read the way ARM writes one: (type, name) pairs from the start, where `providers` in a type's
 * place begins a provider's chain (`providers/{namespace}/{type}/{name}[/{childType}/{childName}…]`). An extension
 * resource's id (`…/providers/X/y/n/providers/Z/w/m`) names the resource after its last provider; what comes before
 * is the scope it extends.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid
 */
import { foldCase } from './foldCase.js';

/** The last resource an id names, under its provider. */
export interface ResourceIdChain {
  /** The segments before the last `providers`: `['subscriptions', s, 'resourceGroups', g]`, `[]` at the tenant. */
  scope: string[];
  /** The provider's namespace, as written (`Microsoft.Sql`). */
  namespace: string;
  /** The types of the resource and its parents, parents first (`['servers', 'databases']`). */
  types: string[];
  /** The names of the resource and its parents, parents first (`['srv1', 'db1']`). */
  names: string[];
}

/**
 * The chain of the last resource `id` names under a provider; undefined for an id that names none (a subscription,
 * a resource group) or that is not of that shape (not rooted, an empty type or name, a type without its name).
 */
export function parseResourceIdChain(id: string): ResourceIdChain | undefined {
  const segments = id.split('/');
  if (segments[0] !== '') return undefined;
  let provider = -1;
  let i = 1;
  while (i < segments.length) {
    if (foldCase(segments[i]) === 'providers') {
      // A namespace, then at least one (type, name).
      if (i + 3 >= segments.length) return undefined;
      provider = i;
      i += 2;
      continue;
    }
    if (i + 1 >= segments.length || segments[i] === '' || segments[i + 1] === '') return undefined;
    i += 2;
  }
  if (provider < 0) return undefined;
  const pairs = segments.slice(provider + 2);
  return {
    scope: segments.slice(1, provider),
    namespace: segments[provider + 1],
    types: pairs.filter((_, k) => k % 2 === 0),
    names: pairs.filter((_, k) => k % 2 === 1)
  };
}

/**
 * The subscription and resource group an id lies in (`/subscriptions/{s}/resourceGroups/{g}/…`), as written: no group
 * for an id above any group, neither for one above any subscription.
 */
export function subscriptionAndGroupOf(id: string): { subscriptionId?: string; resourceGroup?: string } {
  const found = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?/i.exec(id);
  return found ? { subscriptionId: found[1], resourceGroup: found[2] } : {};
}
