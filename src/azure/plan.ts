/**
 * The plan: what the scope holds against what the pack compiles to, item by item.
 * - Ownership: cmk-guard changes or deletes only what carries its owner id; a same-named
 *   item without it (or with another) is a conflict, and deploy stops before any write.
 * - Azure refuses to remove or retype a parameter of a definition or an initiative in place
 *   (InvalidPolicyParameterUpdate, InvalidPolicySetParameterUpdate). The initiative has a
 *   parameter per rule, so dropping a rule from the pack cannot update it: the plan replaces
 *   it, deleting the assignment and the initiative and creating both again, and says so.
 *   (Keeping the parameter, unused, is the other way. It is not taken: an initiative whose
 *   parameters no member uses has been reported refused by Azure ("has defined parameters …
 *   which are not used", Azure/Bio-Compliancy#15), and dead parameters would pile up for good.)
 * - Azure refuses to change an assignment's location (InvalidLocationUpdate, also when the
 *   update leaves it out: Azure/enterprise-azure-policy-as-code#246). A new location replaces
 *   the assignment; when no effect needs the managed identity any more, the location Azure
 *   holds is sent again and only the identity goes.
 * - Prune: owned items the pack no longer has are deleted with `--prune`, listed otherwise.
 */
import type { DeploymentPlan, PlanItem, PlanItemKind } from '../model/plan.js';
import type { Json } from '../model/value.js';
import { compareBodies } from './compare.js';
import type { DesiredItem, DesiredState } from './desired.js';
import { ownerOf } from './desired.js';
import type { PolicyStore } from './policyStore.js';
import type { RestPolicyResource } from './restShape.js';
import { exemptionId, exemptionScope, type DesiredExemption, type ExemptionResource } from './exemptions.js';
import { parseScope, sameId, scopeOfId, shortScope, type AzureScope } from './scope.js';
import { Searches } from './searches.js';
import { foldCase } from '../model/foldCase.js';

export interface ExistingState {
  definitions: RestPolicyResource[];
  initiatives: RestPolicyResource[];
  assignments: RestPolicyResource[];
  /** Assignments of the pack's initiative at other scopes than the assignment scope (where Azure lists them). */
  elsewhere?: RestPolicyResource[];
}

/**
 * Where assignments of the initiative at other scopes can be listed: a subscription's list holds
 * those at its resource groups too; a management group's only those at it. So an assignment
 * moved within a subscription, or between a management group and a subscription below it, is
 * listed; one in another subscription under a management group is not (Azure Policy has no list
 * for it), and is found with Resource Graph instead (`readExisting`).
 */
function searchScopes(scope: AzureScope, assignmentScope: AzureScope): AzureScope[] {
  if (scope.kind === 'subscription') return [scope];
  if (assignmentScope.kind === 'managementGroup') return [];
  const subscription = parseScope(`/subscriptions/${assignmentScope.subscription}`, 'the assignment scope');
  return [scope, subscription];
}

/** Reads what the scope holds: three lists, and the initiative's assignments elsewhere, read at once. */
export async function readExisting(
  store: PolicyStore,
  scope: AzureScope,
  assignmentScope: AzureScope,
  initiativeId?: string,
  searches: Searches = new Searches()
): Promise<ExistingState> {
  const searched = initiativeId ? searchScopes(scope, assignmentScope) : [];
  const [definitions, initiatives, assignments, ...found] = await Promise.all([
    store.listDefinitions(scope),
    store.listSetDefinitions(scope),
    store.listAssignments(assignmentScope),
    ...searched.map(at => store.listAssignmentsOf(at, initiativeId as string)),
    // Under a management group, every subscription's and resource group's, with Resource Graph.
    ...(initiativeId && scope.kind === 'managementGroup'
      ? [
          searches.widen(
            `the pack's assignments in the subscriptions and resource groups under ${shortScope(scope)}`,
            'An assignment of the pack there is neither updated nor pruned.',
            () => store.findAssignmentsOf(scope, initiativeId),
            []
          )
        ]
      : [])
  ]);
  const elsewhere = new Map<string, RestPolicyResource>();
  for (const assignment of found.flat())
    if (!sameId(scopeOfId(assignment.id), assignmentScope.id)) elsewhere.set(foldCase(assignment.id), assignment);
  return { definitions, initiatives, assignments, elsewhere: [...elsewhere.values()] };
}

/** A scope for a sentence: `resource group x (subscription y)`, or the id when it is no scope cmk-guard names. */
function scopeName(id: string): string {
  try {
    return shortScope(parseScope(id, 'a scope'));
  } catch {
    return id;
  }
}

export interface PlanOptions {
  scope: AzureScope;
  assignmentScope: AzureScope;
  owner: string;
  prune: boolean;
  enforcementMode: 'Default' | 'DoNotEnforce';
}

const NOUN: Record<PlanItemKind, string> = {
  definition: 'policy definition',
  initiative: 'initiative',
  assignment: 'policy assignment',
  exemption: 'policy exemption'
};

type JsonObject = { [key: string]: Json };

/** Parameter types by lowercased name (Azure's names are case-insensitive), with the name as written. */
function parameterTypes(body: { properties: JsonObject }): Map<string, { name: string; type: string }> {
  const types = new Map<string, { name: string; type: string }>();
  const parameters = body.properties.parameters;
  if (parameters && typeof parameters === 'object' && !Array.isArray(parameters)) {
    for (const [name, spec] of Object.entries(parameters)) {
      const type = spec && typeof spec === 'object' && !Array.isArray(spec) ? spec.type : undefined;
      types.set(foldCase(name), { name, type: foldCase(String(type ?? '')) });
    }
  }
  return types;
}

/** Why Azure would refuse updating `existing` to `desired` in place, or undefined when it would not. */
export function refusedInPlace(
  existing: { properties: JsonObject },
  desired: { properties: JsonObject }
): string | undefined {
  const before = parameterTypes(existing);
  const after = parameterTypes(desired);
  const removed = [...before.keys()].filter(key => !after.has(key)).map(key => before.get(key)?.name);
  const retyped = [...before.keys()]
    .filter(key => after.has(key) && after.get(key)?.type !== before.get(key)?.type)
    .map(key => before.get(key)?.name);
  const parts: string[] = [];
  if (removed.length) parts.push(`removes the parameter${removed.length > 1 ? 's' : ''} ${removed.join(', ')}`);
  if (retyped.length) parts.push(`changes the type of ${retyped.join(', ')}`);
  return parts.length ? parts.join(' and ') : undefined;
}

/** A region as Azure compares them: `West Europe` is `westeurope`. */
function region(location: string): string {
  return foldCase(location.replace(/\s+/g, ''));
}

/** Why the assignment must be replaced rather than updated: Azure refuses a new location in place. */
function movedLocation(existing: RestPolicyResource, desired: { location?: string }): string | undefined {
  if (typeof existing.location !== 'string' || typeof desired.location !== 'string') return undefined;
  if (region(existing.location) === region(desired.location)) return undefined;
  return `Azure cannot change the location of an assignment (${existing.location} to ${desired.location}): it is deleted and created again, with a new managed identity (grant it the roles it needs again), and its compliance results start anew`;
}

/**
 * The assignment as it is PUT: when it needs no location (no effect needs its managed identity)
 * but Azure holds one, the same location, which Azure refuses to drop.
 */
function keepingLocation(desired: DesiredItem, existing: RestPolicyResource | undefined): DesiredItem {
  if (typeof existing?.location !== 'string' || desired.body.location !== undefined) return desired;
  return { ...desired, body: { ...desired.body, location: existing.location } };
}

function byName(resources: RestPolicyResource[]): Map<string, RestPolicyResource> {
  return new Map(resources.map(r => [foldCase(r.name), r]));
}

function conflictReason(kind: PlanItemKind, name: string, scope: AzureScope, owner: string | undefined): string {
  const held = owner === undefined ? 'without a cmk-guard owner id' : `owned by '${owner}'`;
  const mine = owner === undefined ? '' : ` (or pass --owner '${owner}' if it is yours)`;
  return `a ${NOUN[kind]} named ${name} already exists at ${shortScope(scope)}, ${held}; cmk-guard never changes what it does not own. Rename the rule or pack, or delete that ${NOUN[kind]} in Azure${mine}.`;
}

function planItem(desired: DesiredItem, existing: RestPolicyResource | undefined, owner: string): PlanItem {
  const base = { kind: desired.kind, name: desired.name, id: desired.id, source: desired.source };
  if (!existing)
    return {
      ...base,
      action: 'create',
      body: desired.body as unknown as Json,
      ...(desired.createNote ? { reason: desired.createNote } : {})
    };
  const theirs = ownerOf(existing);
  if (theirs !== owner) {
    return {
      ...base,
      id: existing.id,
      action: 'conflict',
      reason: conflictReason(desired.kind, desired.name, desired.scope, theirs)
    };
  }
  const changes = compareBodies(desired.kind, existing as unknown as JsonObject, desired.body as unknown as JsonObject);
  if (!changes.length) return { ...base, id: existing.id, action: 'unchanged' };
  const refusedUpdate = desired.kind === 'assignment' ? undefined : refusedInPlace(existing, desired.body);
  const refused =
    desired.kind === 'assignment'
      ? movedLocation(existing, desired.body)
      : refusedUpdate && `the update ${refusedUpdate}, which Azure refuses in place: it is deleted and created again`;
  if (refused) {
    return {
      ...base,
      id: existing.id,
      action: 'replace',
      changes,
      body: desired.body as unknown as Json,
      reason: refused
    };
  }
  return { ...base, id: existing.id, action: 'update', changes, body: desired.body as unknown as Json };
}

/**
 * What, of what the plan read and does not own, references the definition or initiative `id` (an initiative that
 * lists the definition, an assignment of the initiative), so that Azure refuses to delete it
 * (`InvalidDeletePolicyDefinitionRequest`, `InvalidDeletePolicySetDefinitionRequest`): a phrase naming it, or
 * undefined. What the pack owns is deleted or rewritten by the same deploy, and so holds nothing.
 */
function heldBy(kind: PlanItemKind, id: string, existing: ExistingState, owner: string): string | undefined {
  const target = foldCase(id);
  const theirs = (resource: RestPolicyResource) => ownerOf(resource) !== owner;
  if (kind === 'definition') {
    const initiative = existing.initiatives.find(set => {
      const members = set.properties.policyDefinitions;
      return (
        theirs(set) &&
        Array.isArray(members) &&
        members.some(
          member =>
            member !== null &&
            typeof member === 'object' &&
            !Array.isArray(member) &&
            typeof member.policyDefinitionId === 'string' &&
            foldCase(member.policyDefinitionId) === target
        )
      );
    });
    return initiative && `the initiative ${initiative.name} (${initiative.id})`;
  }
  if (kind === 'initiative') {
    const assignment = [...existing.assignments, ...(existing.elsewhere ?? [])].find(
      held =>
        theirs(held) &&
        typeof held.properties.policyDefinitionId === 'string' &&
        foldCase(held.properties.policyDefinitionId) === target
    );
    return assignment && `the policy assignment ${assignment.name} (${assignment.id})`;
  }
  return undefined;
}

export function planDeployment(desired: DesiredState, existing: ExistingState, options: PlanOptions): DeploymentPlan {
  const definitions = byName(existing.definitions);
  const initiatives = byName(existing.initiatives);
  const assignments = byName(existing.assignments);
  const items: PlanItem[] = [];

  const definitionItems = [...desired.definitions]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(d => planItem(d, definitions.get(foldCase(d.name)), options.owner));
  const initiative = planItem(desired.initiative, initiatives.get(foldCase(desired.initiative.name)), options.owner);
  const heldAssignment = assignments.get(foldCase(desired.assignment.name));
  const assignment = planItem(keepingLocation(desired.assignment, heldAssignment), heldAssignment, options.owner);

  // A definition replaced must first leave the initiative, which is replaced too; an initiative
  // replaced must first lose its assignment, which is replaced too.
  const replacedDefinitions = definitionItems.filter(d => d.action === 'replace');
  if (replacedDefinitions.length && ['update', 'unchanged'].includes(initiative.action)) {
    initiative.action = 'replace';
    initiative.body = desired.initiative.body as unknown as Json;
    initiative.reason = `it references ${replacedDefinitions.map(d => d.name).join(', ')}, which ${replacedDefinitions.length > 1 ? 'are' : 'is'} replaced: it is deleted and created again`;
  }
  if (initiative.action === 'replace' && ['update', 'unchanged'].includes(assignment.action)) {
    assignment.action = 'replace';
    assignment.body = desired.assignment.body as unknown as Json;
    assignment.reason = `it assigns the initiative ${initiative.name}, which is replaced: it is deleted and created again, and its compliance results start anew`;
  }
  items.push(...definitionItems, initiative, assignment);

  const leftOver = (kind: PlanItemKind, resources: RestPolicyResource[], wanted: Set<string>) => {
    for (const resource of resources) {
      if (wanted.has(foldCase(resource.name)) || ownerOf(resource) !== options.owner) continue;
      const holder = options.prune ? heldBy(kind, resource.id, existing, options.owner) : undefined;
      items.push({
        kind,
        name: resource.name,
        id: resource.id,
        action: options.prune && holder === undefined ? 'delete' : 'orphan',
        reason:
          holder !== undefined
            ? `owned by '${options.owner}' and no longer in the pack, but ${holder}, which cmk-guard does not own, references it, and Azure refuses to delete a ${NOUN[kind]} while anything does: it is kept. Remove that reference, and deploy --prune deletes it`
            : options.prune
              ? `owned by '${options.owner}' and no longer in the pack`
              : `owned by '${options.owner}' and no longer in the pack; --prune deletes it`
      });
    }
  };
  leftOver('assignment', existing.assignments, new Set([foldCase(desired.assignment.name)]));
  // The pack's own assignment at another scope: left behind when --assignment-scope moved.
  for (const resource of existing.elsewhere ?? []) {
    if (ownerOf(resource) !== options.owner) continue;
    const blocks =
      initiative.action === 'replace' && !options.prune
        ? ' Azure refuses to delete an initiative that is still assigned, so the replace fails until it is gone.'
        : '';
    items.push({
      kind: 'assignment',
      name: resource.name,
      id: resource.id,
      action: options.prune ? 'delete' : 'orphan',
      reason: `an assignment of the pack's initiative at ${scopeName(scopeOfId(resource.id))}, owned by '${options.owner}'; the pack is now assigned at ${shortScope(options.assignmentScope)}${options.prune ? '' : '; --prune deletes it'}.${blocks}`
    });
  }
  leftOver('initiative', existing.initiatives, new Set([foldCase(desired.initiative.name)]));
  leftOver('definition', existing.definitions, new Set(desired.definitions.map(d => foldCase(d.name))));

  return {
    scope: options.scope.id,
    assignmentScope: options.assignmentScope.id,
    scopeName: shortScope(options.scope),
    assignmentScopeName: shortScope(options.assignmentScope),
    owner: options.owner,
    prune: options.prune,
    enforcementMode: options.enforcementMode,
    effects: desired.effects,
    items
  };
}

/**
 * The exemptions the configuration's exceptions make, against those Azure holds for the
 * assignment: owned like everything else (a same-named exemption without our owner id is a
 * conflict), and pruned like everything else (an owned exemption no exception makes any more is
 * deleted with --prune, listed otherwise).
 */
export function planExemptions(
  desired: readonly DesiredExemption[],
  existing: readonly ExemptionResource[],
  options: Pick<PlanOptions, 'owner' | 'prune'> & {
    /**
     * The assignment the exemptions are for. `existing` may hold exemptions of other
     * assignments (a same-named one is then updated or a conflict, never created over);
     * only the pack's own exemptions of this assignment are pruned.
     */
    assignmentId?: string;
    /** Exemptions (lowercased ids) found outside the assignment's scope, for the plan to say so. */
    outside?: ReadonlySet<string>;
  }
): PlanItem[] {
  const where = (found: ExemptionResource) =>
    options.outside?.has(foldCase(found.id))
      ? `at ${scopeName(exemptionScope(found.id))}, outside the assignment's scope (made with assignmentScopeValidation DoNotValidate, which Azure allows there)`
      : undefined;
  const held = new Map(existing.map(e => [foldCase(e.id), e]));
  const items: PlanItem[] = [];
  const wanted = new Set<string>();
  for (const exemption of desired) {
    const id = exemptionId(exemption.scope, exemption.name);
    wanted.add(foldCase(id));
    const body = { properties: exemption.properties };
    const base = { kind: 'exemption' as const, name: exemption.name, id, source: exemption.source };
    const found = held.get(foldCase(id));
    if (!found) {
      const outside = /^DoNotValidate$/i.test(String(exemption.properties.assignmentScopeValidation ?? ''));
      items.push({
        ...base,
        action: 'create',
        body: body as unknown as Json,
        ...(outside
          ? {
              reason: `at ${scopeName(exemptionScope(id))}, outside the assignment's scope: written with assignmentScopeValidation DoNotValidate, without which Azure refuses it there`
            }
          : {})
      });
      continue;
    }
    const theirs = ownerOf(found as unknown as { properties: JsonObject });
    if (theirs !== options.owner) {
      const who = theirs === undefined ? 'without a cmk-guard owner id' : `owned by '${theirs}'`;
      items.push({
        ...base,
        id: found.id,
        action: 'conflict',
        reason: `a policy exemption named ${exemption.name} already exists at ${exemption.scope}, ${who}; cmk-guard never changes what it does not own.`
      });
      continue;
    }
    // Made with DoNotValidate (e.g. outside the assignment's scope): kept so, or Azure may refuse the update.
    const keepsValidation = /^DoNotValidate$/i.test(String(found.properties.assignmentScopeValidation ?? ''));
    if (keepsValidation) body.properties = { ...body.properties, assignmentScopeValidation: 'DoNotValidate' };
    const changes = compareBodies('exemption', found as unknown as JsonObject, body as unknown as JsonObject);
    const reason =
      where(found) ??
      (keepsValidation ? 'made with assignmentScopeValidation DoNotValidate, which is kept' : undefined);
    items.push(
      changes.length
        ? {
            ...base,
            id: found.id,
            action: 'update',
            changes,
            body: body as unknown as Json,
            ...(reason ? { reason } : {})
          }
        : { ...base, id: found.id, action: 'unchanged', ...(reason ? { reason } : {}) }
    );
  }
  for (const found of existing) {
    if (wanted.has(foldCase(found.id))) continue;
    if (options.assignmentId !== undefined && !sameId(found.properties.policyAssignmentId, options.assignmentId))
      continue;
    if (ownerOf(found as unknown as { properties: JsonObject }) !== options.owner) continue;
    const at = where(found);
    items.push({
      kind: 'exemption',
      name: found.name,
      id: found.id,
      action: options.prune ? 'delete' : 'orphan',
      reason: `owned by '${options.owner}'${at ? `, ${at},` : ''} and no exception makes it any more${options.prune ? '' : '; --prune deletes it'}`
    });
  }
  return items.sort((a, b) => (foldCase(a.id) < foldCase(b.id) ? -1 : 1));
}

/**
 * The exemptions that name an assignment the plan deletes (with --prune) or keeps as an orphan.
 * Azure does not delete an exemption with its assignment: it stays, naming an assignment that
 * no longer exists, and exempts again whatever assignment is later created with that id. So
 * the pack's own exemptions of such an assignment go with it (deleted before it, with
 * --prune; listed with it otherwise). Someone else's are never touched: the plan's notes name
 * each, so its owner can delete it or keep it knowingly.
 */
export function planExemptionsOfLeaving(
  leaving: readonly PlanItem[],
  held: readonly ExemptionResource[],
  owner: string
): { items: PlanItem[]; notes: string[] } {
  const assignments = new Map(leaving.map(a => [foldCase(a.id), a]));
  const items: PlanItem[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const exemption of [...held].sort((a, b) => (foldCase(a.id) < foldCase(b.id) ? -1 : 1))) {
    const assignment = assignments.get(foldCase(String(exemption.properties.policyAssignmentId)));
    if (!assignment || seen.has(foldCase(exemption.id))) continue;
    seen.add(foldCase(exemption.id));
    const theirs = ownerOf(exemption as unknown as { properties: JsonObject });
    const where = scopeName(exemptionScope(exemption.id));
    if (theirs !== owner) {
      const who = theirs === undefined ? 'without a cmk-guard owner id' : `owned by '${theirs}'`;
      const fate =
        assignment.action === 'delete'
          ? 'this deploy deletes that assignment; cmk-guard leaves the exemption, which Azure keeps, naming an assignment that no longer exists (and exempting again if one is created with that id). Delete it in Azure if it is no longer wanted.'
          : '--prune would delete that assignment and leave this exemption, which Azure keeps.';
      notes.push(
        `The policy exemption ${exemption.name} at ${where}, ${who}, exempts from the assignment ${assignment.name} at ${scopeName(scopeOfId(assignment.id))}: ${fate}`
      );
      continue;
    }
    items.push({
      kind: 'exemption',
      name: exemption.name,
      id: exemption.id,
      action: assignment.action === 'delete' ? 'delete' : 'orphan',
      reason:
        assignment.action === 'delete'
          ? `owned by '${owner}' and exempts from the assignment ${assignment.name} at ${scopeName(scopeOfId(assignment.id))}, which is deleted: it goes first, as Azure would keep it`
          : `owned by '${owner}' and exempts from the assignment ${assignment.name} at ${scopeName(scopeOfId(assignment.id))}, which is kept; --prune deletes both`
    });
  }
  return { items, notes };
}
