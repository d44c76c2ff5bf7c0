/**
 * Where auditIfNotExists / deployIfNotExists look for the related resource, from `details.name`,
 * `details.resourceGroupName` and `details.existenceScope`, using the supplied resources' ids.
 * https://learn.microsoft.com/azure/governance/policy/concepts/effect-audit-if-not-exists#auditifnotexists-properties
 * https://learn.microsoft.com/azure/governance/policy/concepts/effect-deploy-if-not-exists#deployifnotexists-properties
 */
import type { Resource } from '../model/resource.js';
import { fullNameOf, shortName } from './fields.js';
import { foldCase } from '../model/foldCase.js';

const byType = new WeakMap<readonly Resource[], { length: number; types: Map<string, Resource[]> }>();

/**
 * The resources of one type (lower-case) among `related`, in their order: indexed once per list,
 * so that each evaluated resource looks at the resources of the type it needs, not at all of them.
 */
export function relatedOfType(related: readonly Resource[], type: string): Resource[] {
  let index = byType.get(related);
  if (!index || index.length !== related.length) {
    const types = new Map<string, Resource[]>();
    for (const r of related) {
      const lower = foldCase(r.type);
      const list = types.get(lower);
      if (list) list.push(r);
      else types.set(lower, [r]);
    }
    byType.set(related, (index = { length: related.length, types }));
  }
  return index.types.get(type) ?? [];
}

interface Placed {
  subscriptionId?: string;
  resourceGroup?: string;
  /** Extension resources: the id of the resource they extend (lower-cased). */
  extends?: string;
}

/** Subscription, resource group and extended resource of a resource id; undefined when the id is not an Azure id. */
export function placeOf(id: string): Placed | undefined {
  const m = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?/i.exec(id);
  if (!m) return foldCase(id).startsWith('/providers/') ? {} : undefined;
  const lower = foldCase(id);
  const last = lower.lastIndexOf('/providers/');
  const first = lower.indexOf('/providers/');
  // `<resource id>/providers/<type>/<name>`: an extension resource (diagnostic settings, locks, …).
  const extended = last > first && first >= 0 ? lower.slice(0, last) : undefined;
  return {
    subscriptionId: foldCase(m[1]),
    resourceGroup: m[2] === undefined ? undefined : foldCase(m[2]),
    extends: extended
  };
}

/**
 * Whether a resource has the name `details.name` asks for: its full name, its short (last segment)
 * name, the evaluated resource's child of that short name, or `parent/?` (any last segment, the
 * documented wildcard for "a collection of nested resources").
 */
export function nameMatcher(wanted: string, evaluated: Resource): (r: Resource) => boolean {
  const lower = foldCase(wanted);
  if (lower === '?') return () => true;
  if (lower.endsWith('/?')) {
    const parent = lower.slice(0, -1);
    const depth = lower.split('/').length;
    return r => {
      const full = foldCase(fullNameOf(r));
      return full.startsWith(parent) && full.split('/').length === depth;
    };
  }
  // Full names, as fullName reads them: a snapshot's child carries only its short name.
  const childOfEvaluated = `${foldCase(fullNameOf(evaluated))}/${lower}`;
  return r => {
    const full = foldCase(fullNameOf(r));
    return full === lower || full === childOfEvaluated || foldCase(shortName(r)) === lower;
  };
}

/**
 * Whether a resource is where Azure looks for the related resource of a type that is not underneath
 * the evaluated one: the evaluated resource's resource group by default, `resourceGroupName` when
 * given, any resource group of its subscription with `existenceScope: Subscription`. An extension
 * resource counts only when it extends the evaluated resource. A resource whose id is not an Azure
 * resource id cannot be placed and is kept.
 */
export function scopeMatcher(
  evaluated: Resource,
  options: { subscription: boolean; resourceGroup?: string }
): (r: Resource) => boolean {
  const own = placeOf(evaluated.id);
  const ownId = foldCase(evaluated.id);
  const given = options.resourceGroup ?? own?.resourceGroup;
  const group = given === undefined ? undefined : foldCase(given);
  return r => {
    const place = placeOf(r.id);
    if (!place || !own) return true;
    if (place.extends !== undefined && place.extends !== ownId) return false;
    if (own.subscriptionId && place.subscriptionId && own.subscriptionId !== place.subscriptionId) return false;
    if (options.subscription) return true;
    if (group === undefined) return true;
    return place.resourceGroup === group;
  };
}
