/**
 * The management group hierarchy for the loopback ARM, as the Management Groups REST API gives
 * it (https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants):
 * `GET /providers/Microsoft.Management/managementGroups/{groupId}/descendants` lists every entity
 * below the group, at any depth, child groups (`type` `Microsoft.Management/managementGroups`)
 * and subscriptions (`type` `/subscriptions`), each with `properties.displayName` and
 * `properties.parent.id`; paged with `nextLink` (`$skiptoken`, `$top`). A group that does not
 * exist (or that the caller cannot read) answers 404 in ARM's error shape.
 *
 * The hierarchy is the one Resource Graph's `managementGroups` scope reads
 * (`resourceGraphState(server).groups`), so both APIs see the same tree.
 */
import type { ArmServer } from './arm-server.js';
import { ArmHttpError } from './arm-server.js';

/** The part of the Resource Graph module's state this reads (not imported: that module registers these routes). */
interface Hierarchy {
  groups: Map<string, { subscriptions: Set<string>; children: Set<string> }>;
  subscriptions: Map<string, string>;
}
const resourceGraphState = (server: ArmServer) => server.state.get('resourceGraph') as Hierarchy;

export const MANAGEMENT_GROUPS_API_VERSION = '2020-05-01';

const groupId = (name: string) => `/providers/Microsoft.Management/managementGroups/${name}`;

/** The descendants of a group, depth first, children before their own children. */
export function descendantsOf(server: ArmServer, group: string): Record<string, unknown>[] {
  const state = resourceGraphState(server);
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const walk = (name: string) => {
    const node = state.groups.get(name.toLowerCase());
    if (!node || seen.has(name.toLowerCase())) return;
    seen.add(name.toLowerCase());
    const parent = { id: groupId(name) };
    for (const sub of [...node.subscriptions].sort())
      out.push({
        id: `/subscriptions/${sub}`,
        type: '/subscriptions',
        name: sub,
        properties: { displayName: state.subscriptions.get(sub) ?? sub, parent }
      });
    for (const child of [...node.children].sort()) {
      out.push({
        id: groupId(child),
        type: 'Microsoft.Management/managementGroups',
        name: child,
        properties: { displayName: child, parent }
      });
      walk(child);
    }
  };
  walk(group);
  return out;
}

/** Registers the descendants route (called by the Resource Graph module, which holds the tree). */
export function managementGroupRoutes(server: ArmServer): void {
  server.route({
    method: 'GET',
    pattern: /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)\/descendants$/i,
    apiVersions: [MANAGEMENT_GROUPS_API_VERSION],
    handle: ctx => {
      const name = decodeURIComponent(ctx.match[1]);
      if (!resourceGraphState(server).groups.has(name.toLowerCase()))
        throw new ArmHttpError(404, 'NotFound', `'${name}' not found`);
      return server.page(ctx, descendantsOf(server, name));
    }
  });
}
