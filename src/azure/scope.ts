/**
 * Azure scopes and the resource ids of what cmk-guard publishes there. Pure: no SDK, so
 * `compile --scope` can use it without loading the Azure clients.
 *
 * ARM compares ids case-insensitively and answers with either spelling
 * (`managementgroups` and `managementGroups` both occur), so every comparison here is too.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */
import { UserError } from '../model/errors.js';
import { foldCase } from '../model/foldCase.js';

export type AzureScope =
  | { kind: 'managementGroup'; id: string; managementGroup: string }
  | { kind: 'subscription'; id: string; subscription: string }
  | { kind: 'resourceGroup'; id: string; subscription: string; resourceGroup: string };

const MANAGEMENT_GROUP = /^\/providers\/microsoft\.management\/managementgroups\/([A-Za-z0-9\-_().]{1,90})$/i;
const SUBSCRIPTION = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const RESOURCE_GROUP =
  /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourcegroups\/([\w\-.()]{0,89}[\w\-()])$/i;

const EXAMPLES =
  '`/providers/Microsoft.Management/managementGroups/<id>`, `/subscriptions/<subscription id>` or `/subscriptions/<subscription id>/resourceGroups/<name>`';

/** A scope as the user wrote it, checked and spelled canonically. `what` names the option in errors. */
export function parseScope(text: string, what: string): AzureScope {
  const trimmed = text.trim().replace(/\/+$/, '');
  const withSlash = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  let match = MANAGEMENT_GROUP.exec(withSlash);
  if (match) {
    const managementGroup = match[1];
    return {
      kind: 'managementGroup',
      id: `/providers/Microsoft.Management/managementGroups/${managementGroup}`,
      managementGroup
    };
  }
  match = SUBSCRIPTION.exec(withSlash);
  if (match) {
    const subscription = foldCase(match[1]);
    return { kind: 'subscription', id: `/subscriptions/${subscription}`, subscription };
  }
  match = RESOURCE_GROUP.exec(withSlash);
  if (match) {
    const subscription = foldCase(match[1]);
    const resourceGroup = match[2];
    return {
      kind: 'resourceGroup',
      id: `/subscriptions/${subscription}/resourceGroups/${resourceGroup}`,
      subscription,
      resourceGroup
    };
  }
  throw new UserError(`${what} is '${text}', which is not an Azure scope; write ${EXAMPLES}.`);
}

/** Where definitions and initiatives can live: a management group or a subscription. */
export function parseDefinitionScope(
  text: string,
  what: string
): AzureScope & { kind: 'managementGroup' | 'subscription' } {
  const scope = parseScope(text, what);
  if (scope.kind === 'resourceGroup') {
    throw new UserError(
      `${what} is a resource group, where Azure keeps no policy definitions; give its subscription or a management group, and the resource group as --assignment-scope.`
    );
  }
  return scope;
}

export type PolicyResourceType = 'policyDefinitions' | 'policySetDefinitions' | 'policyAssignments';

/** The id a definition, initiative or assignment named `name` has at `scope`. */
export function resourceIdAt(scope: AzureScope, type: PolicyResourceType, name: string): string {
  return `${scope.id}/providers/Microsoft.Authorization/${type}/${name}`;
}

/** ARM ids compare case-insensitively. */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && foldCase(a) === foldCase(b);
}

/** The scope part of a policy resource id: everything before `/providers/Microsoft.Authorization/`. */
export function scopeOfId(id: string): string {
  const at = foldCase(id).lastIndexOf('/providers/microsoft.authorization/');
  return at < 0 ? id : id.slice(0, at);
}

/** The last segment of an id: the resource's name. */
export function nameOfId(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/**
 * Whether an assignment at `assignment` can see definitions at `definitions`: the same scope or
 * below it. What is below a management group (its child groups at any depth, their subscriptions and
 * resource groups) is not known without asking Azure, so under a management group every scope is
 * taken as possible here; plan and deploy then ask (see `checkAssignmentScope`).
 */
export function canAssignAt(definitions: AzureScope, assignment: AzureScope): boolean {
  if (definitions.kind === 'managementGroup') return true;
  return assignment.kind !== 'managementGroup' && assignment.subscription === definitions.subscription;
}

/** `mg/contoso`, `sub/0000…`, `rg/name`: how plans name a scope in one short phrase. */
export function shortScope(scope: AzureScope): string {
  switch (scope.kind) {
    case 'managementGroup':
      return `management group ${scope.managementGroup}`;
    case 'subscription':
      return `subscription ${scope.subscription}`;
    case 'resourceGroup':
      return `resource group ${scope.resourceGroup} (subscription ${scope.subscription})`;
  }
}
