/**
 * The management groups and subscriptions below a management group, from the Management Groups
 * API's descendants list (api-version 2020-05-01): every entity under it, at any depth, paged
 * with `nextLink`. Azure Policy lists nothing below a management group, and Resource Graph's
 * subscriptions say nothing of a group that holds none, so this is where child groups are found.
 * https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants
 */
import type { ArmConnection } from './connection.js';
import { toArmError } from './errors.js';
import { MalformedAnswerError } from './policies.js';
import { parseScope, type AzureScope } from './scope.js';
import { foldCase } from '../model/foldCase.js';

export const MANAGEMENT_GROUPS_API_VERSION = '2020-05-01';

const GROUP_ID = /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/i;

/**
 * The ids of every management group and subscription below `scope` (not itself), in the order
 * Azure lists them. An entry is told by its id (`type` has been spelled
 * `Microsoft.Management/managementGroups` and `/providers/Microsoft.Management/managementGroups`
 * across api-versions, and `/subscriptions` for a subscription). An entry without a string id is
 * a malformed answer, not one to leave out.
 */
export async function descendants(connection: ArmConnection, scope: AzureScope): Promise<string[]> {
  if (scope.kind !== 'managementGroup') return [];
  const doing = `listing what is below the management group ${scope.managementGroup}`;
  const found = new Map<string, string>();
  for await (const entry of connection.rest.list<unknown>({
    path: `${scope.id}/descendants`,
    apiVersion: MANAGEMENT_GROUPS_API_VERSION,
    doing
  })) {
    const id = entry !== null && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' || !id.startsWith('/'))
      throw toArmError(new MalformedAnswerError('a descendant has no id', scope.id), doing, connection.secrets);
    if (foldCase(id) !== foldCase(scope.id)) found.set(foldCase(id), id.replace(/\/+$/, ''));
  }
  return [...found.values()];
}

/** The management groups below `scope` (not itself), as scopes. */
export async function groupsBelow(connection: ArmConnection, scope: AzureScope): Promise<AzureScope[]> {
  const groups: AzureScope[] = [];
  for (const id of await descendants(connection, scope)) {
    if (!GROUP_ID.test(id)) continue;
    try {
      groups.push(parseScope(id, 'a management group Azure listed'));
    } catch {
      // Not a name Azure gives a group: the answer is not what the API documents.
      throw toArmError(
        new MalformedAnswerError(`a descendant's id is not a management group's: ${id}`, scope.id),
        `listing what is below ${scope.id}`,
        connection.secrets
      );
    }
  }
  return groups;
}

/**
 * Whether an id (a scope, or a resource in one) is at or below `scope`: under its path, or, for a
 * management group, under one of the groups or subscriptions Azure lists below it.
 */
export async function containment(connection: ArmConnection, scope: AzureScope): Promise<(id: string) => boolean> {
  const roots = [scope.id, ...(await descendants(connection, scope))].map(id => foldCase(id));
  return id => {
    const lower = foldCase(id).replace(/\/+$/, '');
    return roots.some(root => lower === root || lower.startsWith(`${root}/`));
  };
}
