/**
 * A finding's id (its fingerprint: rule, resource type and name, file) must not depend on where the
 * deployment goes: a region the run is told (`--resource-group-location`) or does not know would give
 * the same finding another id, and a baseline would count it as new. So a resource whose name is built
 * from such a value (`[concat(parameters('location'), 'store', uniqueString(resourceGroup().id))]`) is
 * also named as the template names it in one fixed placeholder deployment — the subscription, group
 * and tenant placeholders every run has, and every location `westus`, as cmk-guard read them before
 * locations were unknown — and findings are identified by that name. Reports still show the name the
 * run computed.
 */
import { UserError } from '../model/errors.js';
import type { Resource } from '../model/resource.js';
import { isUnknown } from '../model/value.js';
import type { DeploymentContext } from './templates.js';
import { foldCase } from '../model/foldCase.js';

/** The location of the placeholder deployment: the one cmk-guard gave every group before it was unknown. */
export const PLACEHOLDER_LOCATION = 'westus';

/**
 * Whether a resource may be named otherwise in the placeholder deployment: the run was told where the
 * deployment goes, or a name is unknown (it may read a location the run does not know).
 */
export function placeholderDeploymentNeeded(resources: readonly Resource[], given: DeploymentContext = {}): boolean {
  if (Object.values(given).some(value => value !== undefined)) return true;
  return resources.some(r => isUnknown(r.json.name) || r.priorWrites?.some(w => isUnknown(w.json.name)));
}

/** Where a resource is declared: the same declaration in both deployments, one instance after another. */
function declarationKey(resource: Resource): string {
  const at = resource.source;
  return `${foldCase(resource.type)}\0${at?.file ?? ''}\0${at?.line ?? 0}\0${at?.column ?? 0}`;
}

function byDeclaration(resources: readonly Resource[]): Map<string, Resource[]> {
  const groups = new Map<string, Resource[]>();
  for (const resource of resources) {
    const key = declarationKey(resource);
    const group = groups.get(key);
    if (group) group.push(resource);
    else groups.set(key, [resource]);
  }
  return groups;
}

/**
 * Sets `stableName` on each resource (and each earlier write of it) whose name in the placeholder
 * deployment differs. Instances are paired by declaration, in order; a declaration that deploys a
 * different number of instances there (a copy count or condition that reads the location) keeps the
 * names it has, as does every resource when the template fails in the placeholder deployment.
 */
export function giveStableNames(resources: Resource[], placeholder: () => Resource[]): void {
  let inPlaceholder: Resource[];
  try {
    inPlaceholder = placeholder();
  } catch (error) {
    if (error instanceof UserError) return;
    throw error;
  }
  const there = byDeclaration(inPlaceholder.flatMap(r => [...(r.priorWrites ?? []), r]));
  for (const [key, here] of byDeclaration(resources.flatMap(r => [...(r.priorWrites ?? []), r]))) {
    const counterparts = there.get(key);
    if (counterparts?.length !== here.length) continue;
    here.forEach((resource, i) => {
      const name = counterparts[i].name;
      if (name !== resource.name) resource.stableName = name;
    });
  }
}
