/**
 * Microsoft.Authorization policy endpoints (api-version 2025-03-01) for the loopback ARM:
 * definitions and initiatives at management groups and subscriptions, assignments at any
 * scope. It answers as Azure does, per the REST spec and the errors seen from real ARM
 * (../shared/corpus/rest-api/policy/arm-errors-observed.json):
 * - PUT: 201 when created, 200 when updated; the body comes back with what Azure adds itself
 *   (`version`/`versions`, `metadata.createdBy/createdOn/updatedBy/updatedOn`, `systemData`,
 *   assignments' `instanceId`, `definitionVersion`, `notScopes`, `enforcementMode`, `scope`,
 *   references' `definitionVersion`), and ids spelled `managementgroups`, as ARM answers;
 * - refused: a rule without `if`/`then`/`effect` (InvalidPolicyRule), a parameter used but not
 *   declared (InvalidPolicyParameters), a member or assigned definition that does not exist
 *   (PolicyDefinitionNotFound), a parameter passed that is not declared (UndefinedPolicyParameter),
 *   a value outside allowedValues (PolicyParameterValueNotAllowed), a parameter removed or
 *   retyped in an update (InvalidPolicyParameterUpdate / InvalidPolicySetParameterUpdate),
 *   deleting a definition an initiative references (InvalidDeletePolicyDefinitionRequest) or an
 *   initiative an assignment references (InvalidDeletePolicySetDefinitionRequest);
 * - an initiative naming definitions that do not exist: 400 PolicyDefinitionNotFound listing them
 *   all ("The following policy definitions could not be found: 'a;b'", Azure/Enterprise-Scale#161,
 *   #337); an assignment of an initiative that does not exist: 400 PolicySetDefinitionNotFound
 *   (Azure/terraform-azurerm-avm-ptn-alz#28);
 * - replication lag (`setPolicyReplicationLag`): Azure Policy's replicas catch up with a write only
 *   after a while, so what references an object written or deleted moments ago may not see the
 *   change: an initiative PUT answers PolicyDefinitionNotFound for a definition just created, an
 *   assignment PUT PolicySetDefinitionNotFound, a DELETE InvalidDelete… for a reference just
 *   removed, and an exemption PUT PolicyAssignmentNotFound (Azure/Enterprise-Scale#902: "occasionally
 *   and randomly" refused, "a simple re-run" works). Modelled by count, not time: the next `n`
 *   reference checks of an object see it as it was before its last write. GET and lists are not
 *   lagged (they show what was written);
 * - an assignment whose effects change resources (Modify, DeployIfNotExists, as its parameters
 *   resolve them) without a managed identity: 400 ResourceIdentityRequired (Azure/azure-cli#13150,
 *   Azure/azure-powershell#11996); with an identity but no location: 400; an update that changes
 *   an assignment's location (or drops it): 400 InvalidLocationUpdate "The existing assignment
 *   location cannot be changed from … to …" (Azure/enterprise-azure-policy-as-code#246);
 * - DELETE: 200 (an assignment's body comes back), or 204 when there is nothing to delete;
 * - GET of something missing: 404 with its NotFound code; lists page with `nextLink`.
 */
import { randomUUID } from 'node:crypto';
import type { ArmModule, ArmReply, ArmRequestContext, ArmServer } from './arm-server.js';
import { ArmHttpError } from './arm-server.js';

export const POLICY_API_VERSION = '2025-03-01';
const API = [POLICY_API_VERSION] as const;

export type PolicyType = 'policyDefinitions' | 'policySetDefinitions' | 'policyAssignments';

export interface StoredPolicyResource {
  id: string;
  name: string;
  type: PolicyType;
  /** The scope's id, lowercased. */
  scope: string;
  /** The resource as GET returns it. */
  body: Record<string, unknown> & { properties: Record<string, unknown> };
}

export interface PolicyState {
  resources: Map<string, StoredPolicyResource>;
  /** Reference checks that still see an object as it was before its last write (0: none). */
  lag: number;
  /** By lowercased id: what a reference check sees for `remaining` more checks. */
  pending: Map<string, { remaining: number; before: StoredPolicyResource | undefined }>;
}

const CALLER = '7f3e2b1a-0c4d-4e5f-8a9b-1c2d3e4f5a6b';

export function policyState(server: ArmServer): PolicyState {
  let state = server.state.get('policy') as PolicyState | undefined;
  if (!state) {
    state = { resources: new Map(), lag: 0, pending: new Map() };
    server.state.set('policy', state);
  }
  return state;
}

/**
 * From now on, the next `checks` reference checks of an object written or deleted (an initiative's
 * members, an assignment's definition, what still references something deleted, an exemption's
 * assignment) see it as it was before that write, as Azure's replicas do until they catch up.
 */
export function setPolicyReplicationLag(server: ArmServer, checks: number): void {
  const state = policyState(server);
  state.lag = checks;
  // 0: the replicas have caught up.
  if (checks <= 0) state.pending.clear();
}

/** Records a write for the replication lag: `before` is what reference checks go on seeing. */
function noteWrite(state: PolicyState, id: string, before: StoredPolicyResource | undefined): void {
  if (state.lag <= 0) return;
  const pending = state.pending.get(key(id));
  state.pending.set(key(id), {
    remaining: state.lag,
    before: pending && pending.remaining > 0 ? pending.before : before
  });
}

/** An object as a reference check sees it (see `setPolicyReplicationLag`); each look counts. */
export function referencedResource(server: ArmServer, id: string): StoredPolicyResource | undefined {
  const state = policyState(server);
  const pending = state.pending.get(key(id));
  if (pending && pending.remaining > 0) {
    pending.remaining--;
    return pending.before;
  }
  return state.resources.get(key(id));
}

/** The scope of a path, spelled as ARM spells it in ids. */
function canonicalScope(scope: string): string {
  const mg = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)$/i.exec(scope);
  if (mg) return `/providers/Microsoft.Management/managementgroups/${mg[1]}`;
  const rg = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i.exec(scope);
  if (rg) return `/subscriptions/${rg[1]}/resourceGroups/${rg[2]}`;
  return scope;
}

function typeName(type: PolicyType): string {
  return `Microsoft.Authorization/${type}`;
}

const notFound: Record<PolicyType, [string, (name: string) => string]> = {
  policyDefinitions: ['PolicyDefinitionNotFound', name => `The policy definition '${name}' could not be found.`],
  policySetDefinitions: [
    'PolicySetDefinitionNotFound',
    name => `The policy set definition '${name}' could not be found.`
  ],
  policyAssignments: ['PolicyAssignmentNotFound', name => `The policy assignment '${name}' is not found.`]
};

function idOf(scope: string, type: PolicyType, name: string): string {
  return `${canonicalScope(scope)}/providers/Microsoft.Authorization/${type}/${name}`;
}

function key(id: string): string {
  return id.toLowerCase();
}

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function invalid(code: string, message: string): never {
  throw new ArmHttpError(400, code, message);
}

/** Names used as `parameters('x')` in a JSON value. */
function parametersUsed(value: unknown): Set<string> {
  const used = new Set<string>();
  for (const m of JSON.stringify(value ?? null).matchAll(/parameters\(\s*'([^']+)'\s*\)/gi)) used.add(m[1]);
  return used;
}

function declared(parameters: unknown): Map<string, Record<string, unknown>> {
  const map = new Map<string, Record<string, unknown>>();
  for (const [name, spec] of Object.entries(object(parameters) ?? {})) map.set(name.toLowerCase(), object(spec) ?? {});
  return map;
}

function systemData(previous?: Record<string, unknown>) {
  const now = new Date().toISOString();
  return {
    createdBy: (previous?.createdBy as string) ?? CALLER,
    createdByType: 'User',
    createdAt: (previous?.createdAt as string) ?? now,
    lastModifiedBy: CALLER,
    lastModifiedByType: 'User',
    lastModifiedAt: now
  };
}

/** `metadata` with the bookkeeping Azure adds to it. */
function stampMetadata(metadata: unknown, previous: unknown): Record<string, unknown> {
  const before = object(previous) ?? {};
  const now = new Date().toISOString();
  return {
    ...(object(metadata) ?? {}),
    createdBy: before.createdBy ?? CALLER,
    createdOn: before.createdOn ?? now,
    updatedBy: before.createdBy ? CALLER : null,
    updatedOn: before.createdOn ? now : null
  };
}

/** Azure refuses an update that removes or retypes a parameter. */
function checkParameterUpdate(kind: 'policy' | 'policy set', existing: unknown, next: unknown): void {
  const code = kind === 'policy' ? 'InvalidPolicyParameterUpdate' : 'InvalidPolicySetParameterUpdate';
  const before = declared(existing);
  const after = declared(next);
  const missing = [...before.keys()].filter(name => !after.has(name));
  if (after.size < before.size) {
    invalid(
      code,
      `The existing policy has '${before.size}' parameter(s) which is greater than the count of parameter(s) '${after.size}' in the policy being added. Policy parameters cannot be removed during policy update.`
    );
  }
  if (missing.length) {
    invalid(
      code,
      `The existing ${kind} parameter(s) '${missing.join(',')}' were not found in the ${kind} being updated. The parameter names can not be changed.`
    );
  }
  for (const [name, spec] of before) {
    const type = String(spec.type ?? '').toLowerCase();
    if (type !== String(after.get(name)?.type ?? '').toLowerCase())
      invalid(code, `The existing ${kind} parameter(s) '${name}' type is being updated which is not allowed.`);
  }
}

function validateRule(name: string, properties: Record<string, unknown>): void {
  const rule = object(properties.policyRule);
  if (!rule)
    invalid('InvalidPolicyRule', `Failed to parse policy rule: 'Required property 'policyRule' not found in JSON.'.`);
  if (!object(rule.if))
    invalid('InvalidPolicyRule', `Failed to parse policy rule: 'Required property 'if' not found in JSON. Path ''.'.`);
  const then = object(rule.then);
  if (!then)
    invalid(
      'InvalidPolicyRule',
      `Failed to parse policy rule: 'Required property 'then' not found in JSON. Path ''.'.`
    );
  if (typeof then.effect !== 'string')
    invalid(
      'InvalidPolicyRule',
      `Failed to parse policy rule: 'Required property 'effect' not found in JSON. Path 'then'.'.`
    );
  const params = declared(properties.parameters);
  for (const used of parametersUsed(rule)) {
    if (!params.has(used.toLowerCase())) {
      invalid(
        'InvalidPolicyParameters',
        `A function or parameter in policy '${name}' could not be validated. If using template functions, try following the tips in: https://aka.ms/policy-avoiding-template-failures. The inner exception 'The policy '${name}' has undefined parameter '${used}' which is used in the policy rule. Please either define it in policy definition or remove the reference in policy rule.'.`
      );
    }
  }
  const mode = properties.mode;
  if (mode !== undefined && (typeof mode !== 'string' || !/^(All|Indexed|Microsoft\.[A-Za-z.]+)$/i.test(mode)))
    invalid('InvalidPolicyMode', `The policy mode '${String(mode)}' is not supported.`);
}

/** Checks that the values passed for a definition's parameters are declared, present when required, and allowed. */
function checkParameterValues(
  who: string,
  values: unknown,
  definition: StoredPolicyResource,
  codes: { undefined: string }
): void {
  const params = declared(definition.body.properties.parameters);
  const given = object(values) ?? {};
  const extra = Object.keys(given).filter(name => !params.has(name.toLowerCase()));
  if (extra.length) {
    invalid(
      codes.undefined,
      `${who} ${definition.type === 'policyDefinitions' ? 'is attempting to assign' : 'has'} the parameter(s) '${extra.join(',')}' which are not defined in the policy definition '${definition.name}'.`
    );
  }
  for (const [name, spec] of params) {
    const entry = Object.entries(given).find(([n]) => n.toLowerCase() === name);
    const value = entry ? object(entry[1])?.value : undefined;
    if (value === undefined) {
      if (!('defaultValue' in spec))
        invalid(
          'MissingPolicyParameter',
          `${who} is missing the parameter '${name}' as defined in the policy definition '${definition.name}'.`
        );
      continue;
    }
    const allowed = spec.allowedValues;
    if (Array.isArray(allowed) && typeof value === 'string' && !value.startsWith('[') && !allowed.includes(value)) {
      invalid(
        'PolicyParameterValueNotAllowed',
        `The value '${value}' is not allowed for policy parameter '${name}' in policy definition '${definition.name}'. The allowed values are '${allowed.join(', ')}'.`
      );
    }
  }
}

/**
 * Whether a definition at `definitionScope` can be used at `scope`. Under a management group: every
 * subscription and resource group (which group holds a subscription is not modelled here), and the groups
 * below it in the management group tree the server was seeded with (`seedManagementGroup`'s children).
 */
function scopeIsAtOrAbove(server: ArmServer, definitionScope: string, scope: string): boolean {
  const d = definitionScope.toLowerCase();
  const s = scope.toLowerCase();
  if (d === s || d === '') return true;
  const group = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/;
  const parent = group.exec(d)?.[1];
  if (parent !== undefined) {
    const child = group.exec(s)?.[1];
    if (!s.startsWith('/providers/microsoft.management/')) return true;
    return child !== undefined && groupIsBelow(server, parent, child);
  }
  return s.startsWith(`${d}/`);
}

/**
 * The identity as Azure answers it (policy 2025-03-01 examples createPolicyAssignmentWithIdentity and
 * …WithUserAssignedIdentity): a system-assigned one gets its `principalId` and `tenantId`, each
 * user-assigned one its `principalId` and `clientId`. An update keeps the identity the assignment
 * has (only a new assignment gets a new one).
 */
function identityAnswer(identity: Record<string, unknown>, previous: Record<string, unknown> | undefined) {
  if (identity.type === 'SystemAssigned')
    return {
      type: 'SystemAssigned',
      principalId: previous?.type === 'SystemAssigned' ? previous.principalId : randomUUID(),
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47'
    };
  if (identity.type === 'UserAssigned') {
    const before = object(previous?.userAssignedIdentities) ?? {};
    const entries = Object.keys(object(identity.userAssignedIdentities) ?? {}).map(id => {
      const held = Object.entries(before).find(([k]) => k.toLowerCase() === id.toLowerCase())?.[1];
      return [id, object(held) ?? { principalId: randomUUID(), clientId: randomUUID() }];
    });
    return { type: 'UserAssigned', userAssignedIdentities: Object.fromEntries(entries) };
  }
  return identity;
}

/** Whether management group `child` is below `parent` at any depth, in the seeded tree (names lowercased). */
function groupIsBelow(server: ArmServer, parent: string, child: string): boolean {
  const tree = server.state.get('resourceGraph') as { groups?: Map<string, { children: Set<string> }> } | undefined;
  const seen = new Set<string>();
  const below = (group: string): boolean => {
    if (seen.has(group)) return false;
    seen.add(group);
    for (const next of tree?.groups?.get(group)?.children ?? []) if (next === child || below(next)) return true;
    return false;
  };
  return below(parent);
}

export const policyModule: ArmModule = server => {
  const state = policyState(server);
  const { resources } = state;

  const store = (scope: string, type: PolicyType, name: string, body: StoredPolicyResource['body']) => {
    const id = idOf(scope, type, name);
    const resource: StoredPolicyResource = { id, name, type, scope: canonicalScope(scope).toLowerCase(), body };
    noteWrite(state, id, resources.get(key(id)));
    resources.set(key(id), resource);
    return resource;
  };

  const find = (id: string) => resources.get(key(id));
  /** What a reference to `id` sees, replicas lagging or not. */
  const referenced = (id: string) => referencedResource(server, id);

  const refersTo = (r: StoredPolicyResource, id: string) => {
    if (r.type === 'policySetDefinitions') {
      const members = (r.body.properties.policyDefinitions as { policyDefinitionId?: string }[] | undefined) ?? [];
      return members.some(m => key(m.policyDefinitionId ?? '') === key(id));
    }
    if (r.type === 'policyAssignments') return key(String(r.body.properties.policyDefinitionId ?? '')) === key(id);
    return false;
  };
  /** What references `id`, as the replicas see it: an object written moments ago may still be seen as it was. */
  const referencesTo = (id: string) => {
    const seen = new Map(resources);
    for (const [k, pending] of state.pending) {
      if (pending.remaining <= 0) continue;
      if (pending.before) seen.set(k, pending.before);
      else seen.delete(k);
    }
    return [...seen.entries()]
      .filter(([, r]) => refersTo(r, id))
      .map(([k, r]) => {
        const pending = state.pending.get(k);
        if (pending && pending.remaining > 0) pending.remaining--;
        return r;
      });
  };

  const listAt = (ctx: ArmRequestContext, scope: string, type: PolicyType): ArmReply => {
    const filter = (ctx.query.$filter ?? '').trim();
    const here = canonicalScope(scope).toLowerCase();
    // `policyDefinitionId eq '<id>'`: the assignments of that definition; at a subscription, also
    // those at its resource groups (the spec's "all policy assignments of the policy definition"),
    // elsewhere those at the scope (the spec's "that apply to" it; ancestors are not modelled).
    const ofDefinition = /^policyDefinitionId eq '([^']*)'$/i.exec(filter);
    if (ofDefinition && type === 'policyAssignments') {
      const inside = here.startsWith('/subscriptions/') && !here.includes('/resourcegroups/');
      const assigned = [...resources.values()]
        .filter(
          r => r.type === type && key(String(r.body.properties.policyDefinitionId ?? '')) === key(ofDefinition[1])
        )
        .filter(r => r.scope === here || (inside && r.scope.startsWith(`${here}/resourcegroups/`)))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map(r => r.body);
      return server.page(ctx, assigned);
    }
    const items = [...resources.values()]
      .filter(r => r.type === type)
      .filter(r => {
        if (r.scope === here) return true;
        // Without atExactScope(), lists also hold what is inherited: here, built-ins (scope '').
        return !/atExactScope\(\)/i.test(filter) && r.scope === '' && type !== 'policyAssignments';
      })
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(r => r.body);
    return server.page(ctx, items);
  };

  const get = (scope: string, type: PolicyType, name: string): ArmReply => {
    const found = find(idOf(scope, type, name));
    if (!found) {
      const [code, message] = notFound[type];
      return { status: 404, body: { error: { code, message: message(name) } } };
    }
    return { status: 200, body: found.body };
  };

  const putDefinition = (ctx: ArmRequestContext, scope: string, name: string): ArmReply => {
    const properties = object(object(ctx.body)?.properties);
    if (!properties) invalid('InvalidRequestContent', "The request content was invalid: 'properties' is required.");
    validateRule(name, properties);
    const id = idOf(scope, 'policyDefinitions', name);
    const existing = find(id);
    if (existing) checkParameterUpdate('policy', existing.body.properties.parameters, properties.parameters);
    const version = typeof properties.version === 'string' ? properties.version : '1.0.0';
    const body = {
      id,
      name,
      type: typeName('policyDefinitions'),
      systemData: systemData(existing?.body.systemData as Record<string, unknown> | undefined),
      properties: {
        ...properties,
        policyType: properties.policyType ?? 'Custom',
        mode: properties.mode ?? 'Indexed',
        metadata: stampMetadata(properties.metadata, existing?.body.properties.metadata),
        version,
        versions: [version]
      }
    };
    store(scope, 'policyDefinitions', name, body);
    return { status: existing ? 200 : 201, body };
  };

  const putSetDefinition = (ctx: ArmRequestContext, scope: string, name: string): ArmReply => {
    const properties = object(object(ctx.body)?.properties);
    if (!properties) invalid('InvalidRequestContent', "The request content was invalid: 'properties' is required.");
    const members = properties.policyDefinitions;
    if (!Array.isArray(members) || members.length === 0)
      invalid(
        'InvalidCreatePolicySetDefinitionRequest',
        `The policy set definition '${name}' request is invalid. At least one policy definition must be referenced.`
      );
    const setParameters = declared(properties.parameters);
    const referenceIds = new Set<string>();
    const missing = members
      .map(member => String(object(member)?.policyDefinitionId ?? ''))
      .filter(definitionId => /\/providers\/Microsoft\.Authorization\/policyDefinitions\/[^/]+$/i.test(definitionId))
      .filter(definitionId => !referenced(definitionId));
    if (missing.length)
      invalid(
        'PolicyDefinitionNotFound',
        `The policy set definition '${name}' request is invalid. The following policy definitions could not be found: '${missing.join(';')}'.`
      );
    const stored = members.map(member => {
      const ref = object(member) ?? {};
      const definitionId = String(ref.policyDefinitionId ?? '');
      if (!/\/providers\/Microsoft\.Authorization\/policyDefinitions\/[^/]+$/i.test(definitionId))
        invalid(
          'InvalidCreatePolicySetDefinitionRequest',
          `The policy set definition '${name}' request is invalid. Referenced policy definitions must be of type 'Microsoft.Authorization/policyDefinitions'.`
        );
      const definition = find(definitionId);
      if (!definition)
        invalid('PolicyDefinitionNotFound', `The policy definition '${definitionId}' could not be found.`);
      if (!scopeIsAtOrAbove(server, definition.scope, canonicalScope(scope)))
        invalid(
          'InvalidCreatePolicySetDefinitionRequest',
          `The policy set definition '${name}' request is invalid. Policy definitions should be specified only at or above the policy set definition's scope. The following policy definitions are invalid: '${definition.name}'.`
        );
      const referenceId = String(ref.policyDefinitionReferenceId ?? definition.name);
      if (referenceIds.has(referenceId.toLowerCase()))
        invalid(
          'InvalidCreatePolicySetDefinitionRequest',
          `The policy set definition '${name}' request is invalid. The policy definition reference id '${referenceId}' is used more than once.`
        );
      referenceIds.add(referenceId.toLowerCase());
      checkParameterValues(`The policy set definition '${name}'`, ref.parameters, definition, {
        undefined: 'UndefinedPolicyParameter'
      });
      for (const used of parametersUsed(ref.parameters)) {
        if (!setParameters.has(used.toLowerCase()))
          invalid(
            'InvalidPolicyParameters',
            `The policy set '${name}' has undefined parameter '${used}' which is used in the policy definition reference '${referenceId}'.`
          );
      }
      return { definitionVersion: '1.*.*', ...ref, policyDefinitionReferenceId: referenceId };
    });
    const id = idOf(scope, 'policySetDefinitions', name);
    const existing = find(id);
    if (existing) checkParameterUpdate('policy set', existing.body.properties.parameters, properties.parameters);
    const version = typeof properties.version === 'string' ? properties.version : '1.0.0';
    const body = {
      id,
      name,
      type: typeName('policySetDefinitions'),
      systemData: systemData(existing?.body.systemData as Record<string, unknown> | undefined),
      properties: {
        ...properties,
        policyType: properties.policyType ?? 'Custom',
        metadata: stampMetadata(properties.metadata, existing?.body.properties.metadata),
        policyDefinitions: stored,
        version,
        versions: [version]
      }
    };
    store(scope, 'policySetDefinitions', name, body);
    return { status: existing ? 200 : 201, body };
  };

  const putAssignment = (ctx: ArmRequestContext, scope: string, name: string): ArmReply => {
    const request = object(ctx.body) ?? {};
    const properties = object(request.properties);
    if (!properties) invalid('InvalidRequestContent', "The request content was invalid: 'properties' is required.");
    if (/\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope) && name.length > 24)
      invalid(
        'InvalidPolicyAssignmentName',
        `The policy assignment name '${name}' is invalid. The name of a policy assignment at a management group can be at most 24 characters long.`
      );
    const definitionId = String(properties.policyDefinitionId ?? '');
    const definition = referenced(definitionId);
    if (!definition) {
      if (/\/policySetDefinitions\/[^/]+$/i.test(definitionId))
        invalid(
          'PolicySetDefinitionNotFound',
          `The policy assignment create request is invalid. The policy set definition '${definitionId}' could not be found.`
        );
      invalid(
        'PolicyDefinitionNotFound',
        `The policy assignment create request is invalid. The policy definition '${definitionId}' could not be found.`
      );
    }
    if (!scopeIsAtOrAbove(server, definition.scope, canonicalScope(scope)))
      invalid(
        'InvalidCreatePolicyAssignmentRequest',
        `The policy assignment '${name}' request is invalid. The policy definition '${definitionId}' is not at or above the assignment scope.`
      );
    checkParameterValues(`The policy assignment '${name}'`, properties.parameters, definition, {
      undefined: 'UndefinedPolicyParameter'
    });
    const mode = properties.enforcementMode ?? 'Default';
    if (!['Default', 'DoNotEnforce', 'Enroll'].includes(String(mode)))
      invalid(
        'InvalidRequestContent',
        `The request content was invalid: enforcementMode '${String(mode)}' is not one of Default, DoNotEnforce, Enroll.`
      );
    const identity = object(request.identity);
    const hasIdentity = identity !== undefined && identity.type !== undefined && identity.type !== 'None';
    const changing = effectsOf(definition, object(properties.parameters) ?? {}).find(e =>
      ['modify', 'deployifnotexists'].includes(e.toLowerCase())
    );
    if (changing && !hasIdentity)
      invalid(
        'ResourceIdentityRequired',
        `The policy assignment '${name}' request is invalid. Policy assignments must include a resource identity when assigning '${changing}' policy definitions.`
      );
    if (hasIdentity && typeof request.location !== 'string')
      invalid('PolicyAssignmentMissingLocation', 'A policy assignment with a managed identity must have a location.');
    const id = idOf(scope, 'policyAssignments', name);
    const existing = find(id);
    const region = (value: unknown) => (typeof value === 'string' ? value.replace(/\s+/g, '').toLowerCase() : '');
    if (
      existing &&
      typeof existing.body.location === 'string' &&
      region(existing.body.location) !== region(request.location)
    )
      invalid(
        'InvalidLocationUpdate',
        `The existing assignment location cannot be changed from "${existing.body.location}" to "${typeof request.location === 'string' ? request.location : ''}".`
      );
    const body: StoredPolicyResource['body'] = {
      id,
      name,
      type: typeName('policyAssignments'),
      systemData: systemData(existing?.body.systemData as Record<string, unknown> | undefined),
      ...(typeof request.location === 'string' ? { location: request.location } : {}),
      ...(identity ? { identity: identityAnswer(identity, object(existing?.body.identity)) } : {}),
      properties: {
        ...properties,
        scope: canonicalScope(scope),
        notScopes: properties.notScopes ?? [],
        enforcementMode: mode,
        definitionVersion: properties.definitionVersion ?? '1.*.*',
        metadata: stampMetadata(properties.metadata, existing?.body.properties.metadata),
        instanceId: (existing?.body.properties.instanceId as string) ?? randomUUID()
      }
    };
    store(scope, 'policyAssignments', name, body);
    return { status: existing ? 200 : 201, body };
  };

  /**
   * The effects an assignment of `definition` gives, its `[parameters('x')]` resolved as Azure
   * resolves them: an initiative member's value (itself maybe the initiative's parameter), the
   * assignment's value, else the default.
   */
  const effectsOf = (definition: StoredPolicyResource, values: Record<string, unknown>): string[] => {
    const resolve = (raw: unknown, given: Record<string, unknown>, declarations: unknown): unknown => {
      const named = typeof raw === 'string' ? /^\[parameters\('([^']+)'\)\]$/i.exec(raw.trim()) : null;
      if (!named) return raw;
      const key = Object.keys(given).find(n => n.toLowerCase() === named[1].toLowerCase());
      const value = key !== undefined ? object(given[key])?.value : undefined;
      return value !== undefined ? value : declared(declarations).get(named[1].toLowerCase())?.defaultValue;
    };
    if (definition.type === 'policyDefinitions') {
      const effect = object(object(definition.body.properties.policyRule)?.then)?.effect;
      const resolved = resolve(effect, values, definition.body.properties.parameters);
      return typeof resolved === 'string' ? [resolved] : [];
    }
    const members = (definition.body.properties.policyDefinitions as Record<string, unknown>[] | undefined) ?? [];
    return members.flatMap(member => {
      const target = find(String(member.policyDefinitionId ?? ''));
      if (!target || target.type !== 'policyDefinitions') return [];
      // The member's values, each resolved against the initiative's parameters first.
      const memberValues: Record<string, unknown> = {};
      for (const [n, v] of Object.entries(object(member.parameters) ?? {}))
        memberValues[n] = { value: resolve(object(v)?.value, values, definition.body.properties.parameters) };
      return effectsOf(target, memberValues);
    });
  };

  const remove = (scope: string, type: PolicyType, name: string): ArmReply => {
    const id = idOf(scope, type, name);
    const found = find(id);
    if (!found) return { status: 204 };
    const users = type === 'policyAssignments' ? [] : referencesTo(id);
    if (type === 'policyDefinitions') {
      const set = users.find(u => u.type === 'policySetDefinitions');
      if (set)
        invalid(
          'InvalidDeletePolicyDefinitionRequest',
          `The policy definition '${name}' cannot be deleted.  It is referenced by the policy set definition '${set.id}'. Please remove this policy definition from all policy set definitions that reference it.`
        );
    }
    if (type === 'policySetDefinitions') {
      const assignment = users.find(u => u.type === 'policyAssignments');
      if (assignment)
        invalid(
          'InvalidDeletePolicySetDefinitionRequest',
          `The policy set definition '${name}' cannot be deleted. It is referenced by the policy assignment '${assignment.id}'. Please delete all policy assignments referencing the policy.`
        );
    }
    noteWrite(state, id, found);
    resources.delete(key(id));
    return type === 'policyAssignments' ? { status: 200, body: found.body } : { status: 200 };
  };

  const definitionTypes = '(policyDefinitions|policySetDefinitions)';
  const at = {
    managementGroup: '/providers/Microsoft\\.Management/managementGroups/([^/]+)',
    subscription: '/subscriptions/([^/]+)'
  };
  const scopeOf = (kind: keyof typeof at, value: string) =>
    kind === 'managementGroup'
      ? `/providers/Microsoft.Management/managementGroups/${value}`
      : `/subscriptions/${value}`;
  for (const kind of Object.keys(at) as (keyof typeof at)[]) {
    const item = new RegExp(`^${at[kind]}/providers/Microsoft\\.Authorization/${definitionTypes}/([^/]+)$`, 'i');
    const list = new RegExp(`^${at[kind]}/providers/Microsoft\\.Authorization/${definitionTypes}$`, 'i');
    const type = (m: RegExpExecArray) =>
      (m[2].toLowerCase() === 'policydefinitions' ? 'policyDefinitions' : 'policySetDefinitions') as PolicyType;
    server.route({
      method: 'GET',
      pattern: list,
      apiVersions: API,
      handle: ctx => listAt(ctx, scopeOf(kind, ctx.match[1]), type(ctx.match))
    });
    server.route({
      method: 'GET',
      pattern: item,
      apiVersions: API,
      handle: ctx => get(scopeOf(kind, ctx.match[1]), type(ctx.match), ctx.match[3])
    });
    server.route({
      method: 'PUT',
      pattern: item,
      apiVersions: API,
      resource: ctx => idOf(scopeOf(kind, ctx.match[1]), type(ctx.match), ctx.match[3]),
      handle: ctx =>
        type(ctx.match) === 'policyDefinitions'
          ? putDefinition(ctx, scopeOf(kind, ctx.match[1]), ctx.match[3])
          : putSetDefinition(ctx, scopeOf(kind, ctx.match[1]), ctx.match[3])
    });
    server.route({
      method: 'DELETE',
      pattern: item,
      apiVersions: API,
      resource: ctx => idOf(scopeOf(kind, ctx.match[1]), type(ctx.match), ctx.match[3]),
      handle: ctx => remove(scopeOf(kind, ctx.match[1]), type(ctx.match), ctx.match[3])
    });
  }
  // Built-ins: tenant-wide, read-only.
  server.route({
    method: 'GET',
    pattern: new RegExp(`^/providers/Microsoft\\.Authorization/${definitionTypes}$`, 'i'),
    apiVersions: API,
    handle: ctx =>
      listAt(ctx, '', ctx.match[1].toLowerCase() === 'policydefinitions' ? 'policyDefinitions' : 'policySetDefinitions')
  });

  // Assignments: lists at a management group, a subscription or a resource group; items at any scope.
  const assignmentLists: [RegExp, (m: RegExpExecArray) => string][] = [
    [
      /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)\/providers\/Microsoft\.Authorization\/policyAssignments$/i,
      m => scopeOf('managementGroup', m[1])
    ],
    [
      /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Authorization\/policyAssignments$/i,
      m => scopeOf('subscription', m[1])
    ],
    [
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Authorization\/policyAssignments$/i,
      m => `/subscriptions/${m[1]}/resourceGroups/${m[2]}`
    ]
  ];
  for (const [pattern, scope] of assignmentLists) {
    server.route({
      method: 'GET',
      pattern,
      apiVersions: API,
      handle: ctx => listAt(ctx, scope(ctx.match), 'policyAssignments')
    });
  }
  const assignment = /^(\/.+)\/providers\/Microsoft\.Authorization\/policyAssignments\/([^/]+)$/i;
  server.route({
    method: 'GET',
    pattern: assignment,
    apiVersions: API,
    handle: ctx => get(ctx.match[1], 'policyAssignments', ctx.match[2])
  });
  server.route({
    method: 'PUT',
    pattern: assignment,
    apiVersions: API,
    resource: ctx => idOf(ctx.match[1], 'policyAssignments', ctx.match[2]),
    handle: ctx => putAssignment(ctx, ctx.match[1], ctx.match[2])
  });
  server.route({
    method: 'DELETE',
    pattern: assignment,
    apiVersions: API,
    resource: ctx => idOf(ctx.match[1], 'policyAssignments', ctx.match[2]),
    handle: ctx => remove(ctx.match[1], 'policyAssignments', ctx.match[2])
  });
};

/**
 * Puts a resource straight into the store, as someone else's tool would have: for tests of
 * ownership (a same-named definition without our owner id) and of what Azure already holds.
 */
export function seedPolicyResource(
  server: ArmServer,
  scope: string,
  type: PolicyType,
  name: string,
  properties: Record<string, unknown>
): StoredPolicyResource {
  const id = idOf(scope, type, name);
  const resource: StoredPolicyResource = {
    id,
    name,
    type,
    scope: canonicalScope(scope).toLowerCase(),
    body: { id, name, type: typeName(type), properties: { ...properties } }
  };
  policyState(server).resources.set(key(id), resource);
  return resource;
}

/** The stored resources of a type at a scope (lowercased compare), for assertions. */
export function storedAt(server: ArmServer, scope: string, type: PolicyType): StoredPolicyResource[] {
  const here = canonicalScope(scope).toLowerCase();
  return [...policyState(server).resources.values()].filter(r => r.type === type && r.scope === here);
}
