/**
 * Azure Policy exemptions (api-version 2022-07-01-preview, the newest with a published OpenAPI
 * file) for the loopback ARM, as ../shared/corpus/rest-api/policy/exemptions describes them:
 * - `PUT|GET|DELETE {scope}/providers/Microsoft.Authorization/policyExemptions/{name}` at a
 *   management group, subscription, resource group or resource; PUT answers 201 when created and
 *   200 when updated, with `systemData`; DELETE 200, or 204 when there is nothing to delete;
 * - `policyAssignmentId` and `exemptionCategory` (`Waiver` | `Mitigated`) required; the assignment
 *   must exist (in the policy module) and, unless `assignmentScopeValidation` is `DoNotValidate`,
 *   the exemption must be at or below its scope; `policyDefinitionReferenceIds` only for an
 *   assignment of an initiative, and each must be a member (`InvalidPolicyDefinitionReference`,
 *   the code and message real ARM gives);
 * - lists at a management group, subscription, resource group or resource, with `nextLink`
 *   paging and `$filter`: none (at, above and below the scope; at a management group, at and
 *   above only: its list holds what is "applicable to the management group"), `atScope()` (at
 *   and above), `atExactScope()`, `excludeExpired()`, `policyAssignmentId eq '…'`.
 */
import type { ArmModule, ArmReply, ArmRequestContext, ArmServer } from './arm-server.js';
import { ArmHttpError } from './arm-server.js';
import { referencedResource } from './arm-policy.js';

export const EXEMPTIONS_API_VERSION = '2022-07-01-preview';
const API = [EXEMPTIONS_API_VERSION] as const;
const CALLER = '7f3e2b1a-0c4d-4e5f-8a9b-1c2d3e4f5a6b';

export interface StoredExemption {
  id: string;
  /** The scope's id, lowercased. */
  scope: string;
  body: Record<string, unknown> & { properties: Record<string, unknown> };
}

export interface ExemptionState {
  exemptions: Map<string, StoredExemption>;
  /** Management group (lowercased) → its subscriptions and parent group, for "above" and "below". */
  groups: Map<string, { subscriptions: Set<string>; parent?: string }>;
  /** The clock `excludeExpired()` compares with. */
  now: () => Date;
  /** The Resource Graph module's tree of groups, when it is loaded. */
  tree?: () => Map<string, { subscriptions: Set<string>; children: Set<string> }> | undefined;
}

export function exemptionState(server: ArmServer): ExemptionState {
  let state = server.state.get('exemptions') as ExemptionState | undefined;
  if (!state) {
    state = {
      exemptions: new Map(),
      groups: new Map(),
      now: () => new Date(),
      tree: () =>
        (
          server.state.get('resourceGraph') as
            { groups?: Map<string, { subscriptions: Set<string>; children: Set<string> }> } | undefined
        )?.groups
    };
    server.state.set('exemptions', state);
  }
  return state;
}

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function invalid(code: string, message: string): never {
  throw new ArmHttpError(400, code, message);
}

/**
 * The hierarchy Resource Graph's module holds (`seedManagementGroup`), read without importing it:
 * a group's parent and a subscription's group come from `seedExemptionGroup` first, else from it.
 */
function treeOf(state: ExemptionState): Map<string, { subscriptions: Set<string>; children: Set<string> }> {
  return state.tree?.() ?? new Map();
}

function parentGroup(state: ExemptionState, group: string): string | undefined {
  return state.groups.get(group)?.parent ?? [...treeOf(state)].find(([, node]) => node.children.has(group))?.[0];
}

function groupOfSubscription(state: ExemptionState, subscription: string): string | undefined {
  return (
    [...state.groups].find(([, g]) => g.subscriptions.has(subscription))?.[0] ??
    [...treeOf(state)].find(([, node]) => node.subscriptions.has(subscription))?.[0]
  );
}

/** The chain of scopes a scope sits in, itself first, lowercased: resource → group → subscription → management groups. */
function ancestry(state: ExemptionState, scope: string): string[] {
  const chain: string[] = [];
  let current = scope.toLowerCase().replace(/\/+$/, '');
  for (;;) {
    chain.push(current);
    const mg = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/.exec(current);
    if (mg) {
      const parent = parentGroup(state, mg[1]);
      if (!parent) return chain;
      current = `/providers/microsoft.management/managementgroups/${parent.toLowerCase()}`;
      continue;
    }
    const sub = /^\/subscriptions\/([^/]+)$/.exec(current);
    if (sub) {
      const group = groupOfSubscription(state, sub[1]);
      if (!group) return chain;
      current = `/providers/microsoft.management/managementgroups/${group}`;
      continue;
    }
    const cut = current.lastIndexOf('/providers/');
    const rg = /^(\/subscriptions\/[^/]+)\/resourcegroups\/[^/]+$/.exec(current);
    if (rg) current = rg[1];
    else if (cut > 0) current = current.slice(0, cut);
    else return chain;
  }
}

function isAtOrBelow(state: ExemptionState, scope: string, above: string): boolean {
  return ancestry(state, scope).includes(above.toLowerCase());
}

export const exemptionsModule: ArmModule = server => {
  const state = exemptionState(server);

  const idOf = (scope: string, name: string) => `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`;

  const put = (ctx: ArmRequestContext, scope: string, name: string): ArmReply => {
    const properties = object(object(ctx.body)?.properties);
    if (!properties) invalid('InvalidRequestContent', "The request content was invalid: 'properties' is required.");
    const displayName = String(properties.displayName ?? name);
    if (typeof properties.policyAssignmentId !== 'string')
      invalid('InvalidRequestContent', "The request content was invalid: 'policyAssignmentId' is required.");
    if (properties.exemptionCategory !== 'Waiver' && properties.exemptionCategory !== 'Mitigated')
      invalid(
        'InvalidRequestContent',
        `The request content was invalid: 'exemptionCategory' is '${String(properties.exemptionCategory)}'; it must be Waiver or Mitigated.`
      );
    if (properties.expiresOn !== undefined && Number.isNaN(Date.parse(String(properties.expiresOn))))
      invalid('InvalidRequestContent', `The request content was invalid: 'expiresOn' is not a date-time.`);
    // As the replicas see it: an assignment written moments ago may not be seen yet (arm-policy.ts).
    const assignment = referencedResource(server, properties.policyAssignmentId);
    if (!assignment || assignment.type !== 'policyAssignments')
      throw new ArmHttpError(
        404,
        'PolicyAssignmentNotFound',
        `The policy assignment '${properties.policyAssignmentId}' is not found.`
      );
    if (
      properties.assignmentScopeValidation !== 'DoNotValidate' &&
      !isAtOrBelow(state, scope, String(assignment.body.properties.scope ?? assignment.scope))
    )
      invalid(
        'InvalidPolicyExemptionScope',
        `The policy exemption '${displayName}' create request is invalid. The exemption scope '${scope}' is not at or under the policy assignment scope '${String(assignment.body.properties.scope)}'.`
      );
    const references = properties.policyDefinitionReferenceIds;
    if (Array.isArray(references) && references.length) {
      const definitionId = String(assignment.body.properties.policyDefinitionId ?? '');
      const set = referencedResource(server, definitionId);
      if (!set || set.type !== 'policySetDefinitions')
        invalid(
          'InvalidPolicyDefinitionReference',
          `The policy exemption '${displayName}' create request is invalid. The associated policy assignment is an assignment of a policy definition. The policy definition reference is only valid for policy assignments of policy set definitions.`
        );
      const members = new Set(
        ((set.body.properties.policyDefinitions as { policyDefinitionReferenceId?: string }[]) ?? []).map(m =>
          String(m.policyDefinitionReferenceId).toLowerCase()
        )
      );
      const unknown = references.filter(r => !members.has(String(r).toLowerCase()));
      if (unknown.length)
        invalid(
          'InvalidPolicyDefinitionReference',
          `The policy exemption '${displayName}' create request is invalid. The policy definition reference id(s) '${unknown.join(',')}' are not found in the policy set definition '${set.name}'.`
        );
    }
    const id = idOf(scope, name);
    const existing = state.exemptions.get(id.toLowerCase());
    const now = new Date().toISOString();
    const before = object(existing?.body.systemData);
    const body = {
      id,
      name,
      type: 'Microsoft.Authorization/policyExemptions',
      systemData: {
        createdBy: before?.createdBy ?? CALLER,
        createdByType: 'User',
        createdAt: before?.createdAt ?? now,
        lastModifiedBy: CALLER,
        lastModifiedByType: 'User',
        lastModifiedAt: now
      },
      properties: { assignmentScopeValidation: 'Default', ...properties }
    };
    state.exemptions.set(id.toLowerCase(), { id, scope: scope.toLowerCase(), body });
    return { status: existing ? 200 : 201, body };
  };

  const list = (ctx: ArmRequestContext, scope: string): ArmReply => {
    const filter = (ctx.query.$filter ?? '').trim();
    const here = scope.toLowerCase();
    // A management group's list holds what is "applicable to the management group" (the REST
    // reference of List For Management Group): at it and above it, never below, whatever the
    // filter; a subscription's, resource group's or resource's also holds what is inside it.
    const atGroup = here.startsWith('/providers/microsoft.management/managementgroups/');
    const related = (e: StoredExemption) =>
      isAtOrBelow(state, here, e.scope) || (!atGroup && isAtOrBelow(state, e.scope, here));
    let test: (e: StoredExemption) => boolean;
    if (filter === '') {
      test = related;
    } else if (/^atScope\(\)$/i.test(filter)) {
      test = e => isAtOrBelow(state, here, e.scope);
    } else if (/^atExactScope\(\)$/i.test(filter)) {
      test = e => e.scope === here;
    } else if (/^excludeExpired\(\)$/i.test(filter)) {
      test = e =>
        related(e) &&
        (e.body.properties.expiresOn === undefined ||
          e.body.properties.expiresOn === null ||
          Date.parse(String(e.body.properties.expiresOn)) > state.now().getTime());
    } else {
      const m = /^policyAssignmentId eq '([^']+)'$/i.exec(filter);
      if (!m)
        invalid(
          'InvalidFilterInQueryString',
          `The filter '${filter}' is not valid. Valid values are 'atScope()', 'atExactScope()', 'excludeExpired()' or 'policyAssignmentId eq '{value}''.`
        );
      const assignment = m[1].toLowerCase();
      test = e => related(e) && String(e.body.properties.policyAssignmentId).toLowerCase() === assignment;
    }
    const items = [...state.exemptions.values()]
      .filter(test)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(e => e.body);
    return server.page(ctx, items);
  };

  const item = /^(\/.+)\/providers\/Microsoft\.Authorization\/policyExemptions\/([^/]+)$/i;
  server.route({
    method: 'PUT',
    pattern: item,
    apiVersions: API,
    resource: ctx => idOf(ctx.match[1], ctx.match[2]),
    handle: ctx => put(ctx, ctx.match[1], ctx.match[2])
  });
  server.route({
    method: 'GET',
    pattern: item,
    apiVersions: API,
    handle: ctx => {
      const found = state.exemptions.get(idOf(ctx.match[1], ctx.match[2]).toLowerCase());
      if (!found)
        throw new ArmHttpError(404, 'PolicyExemptionNotFound', `The policy exemption '${ctx.match[2]}' is not found.`);
      return { status: 200, body: found.body };
    }
  });
  server.route({
    method: 'DELETE',
    pattern: item,
    apiVersions: API,
    resource: ctx => idOf(ctx.match[1], ctx.match[2]),
    handle: ctx => {
      const key = idOf(ctx.match[1], ctx.match[2]).toLowerCase();
      if (!state.exemptions.has(key)) return { status: 204 };
      state.exemptions.delete(key);
      return { status: 200 };
    }
  });
  const lists: RegExp[] = [
    /^(\/providers\/Microsoft\.Management\/managementGroups\/[^/]+)\/providers\/Microsoft\.Authorization\/policyExemptions$/i,
    /^(\/subscriptions\/[^/]+)\/providers\/Microsoft\.Authorization\/policyExemptions$/i,
    /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)\/providers\/Microsoft\.Authorization\/policyExemptions$/i,
    /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+)\/providers\/Microsoft\.Authorization\/policyExemptions$/i
  ];
  for (const pattern of lists)
    server.route({ method: 'GET', pattern, apiVersions: API, handle: ctx => list(ctx, ctx.match[1]) });
};

/** A management group, its subscriptions and its parent, for which exemptions apply above and below. */
export function seedExemptionGroup(server: ArmServer, name: string, subscriptions: string[], parent?: string): void {
  exemptionState(server).groups.set(name.toLowerCase(), {
    subscriptions: new Set(subscriptions.map(s => s.toLowerCase())),
    ...(parent ? { parent: parent.toLowerCase() } : {})
  });
}

/** Puts an exemption straight into the store, as someone with the portal would have made it. */
export function seedExemption(
  server: ArmServer,
  scope: string,
  name: string,
  properties: Record<string, unknown>
): StoredExemption {
  const id = `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`;
  const stored: StoredExemption = {
    id,
    scope: scope.toLowerCase(),
    body: { id, name, type: 'Microsoft.Authorization/policyExemptions', properties: { ...properties } }
  };
  exemptionState(server).exemptions.set(id.toLowerCase(), stored);
  return stored;
}
