/**
 * `plan` and `deploy`: the compiled pack against what a scope holds, and (for deploy) the
 * writes that make the scope hold the pack. Deploy stops before any write when the plan has a
 * conflict (a same-named item cmk-guard does not own).
 */
import type { DeploymentPlan } from '../model/plan.js';
import { UserError } from '../model/errors.js';
import { applyPlan, settleOptions } from './apply.js';
import { DEFAULT_CONCURRENCY, readEach } from './bounded.js';
import { connectArm, type ArmConnection, type ConnectionSettings } from './connection.js';
import { desiredState, type CompiledPack, type EffectOverride } from './desired.js';
import { checkPackLimits, checkScopeLimits } from './limits.js';
import { resolveOwner } from './owner.js';
import { containment } from './hierarchy.js';
import { exemptionId, ExemptionStore, type DesiredExemption } from './exemptions.js';
import { planDeployment, planExemptions, planExemptionsOfLeaving, readExisting } from './plan.js';
import { ResourceGraph, type ResourceRow } from './resourceGraph.js';
import { PolicyStore } from './policyStore.js';
import { Searches } from './searches.js';
import { canAssignAt, parseDefinitionScope, parseScope, sameId, shortScope, type AzureScope } from './scope.js';
import { foldCase } from '../model/foldCase.js';
import { parseResourceIdChain } from '../model/resourceId.js';

export interface PublishRequest {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--scope`: where the definitions and the initiative go. */
  scope: string;
  /** `--assignment-scope`: where the assignment goes (default: `scope`). */
  assignmentScope?: string;
  owner?: string;
  enforcementMode: 'Default' | 'DoNotEnforce';
  effects: Record<string, string>;
  /** The configuration file's `overrides.<rule>.effect`, for the rules `effects` leaves. */
  effectOverrides?: readonly EffectOverride[];
  location?: string;
  prune: boolean;
  /** Deploy (write) or only plan. */
  apply: boolean;
  concurrency?: number;
  /** How to reach Azure: cloud, endpoint, credential settings, and (for tests) retry settings. */
  connection: Omit<ConnectionSettings, 'env'>;
  /** Progress lines for the log (never a secret). */
  log?: (line: string) => void;
  /**
   * The exemptions to keep for the assignment, made from the configuration's exceptions, given
   * the assignment's id and a way to read the live resources a selector may match. Absent (no
   * configuration file), exemptions are left alone.
   */
  exemptions?: (
    assignmentId: string,
    owner: string,
    readResources: (types: readonly string[] | null) => Promise<ResourceRow[]>
  ) => MadeExemptions | Promise<MadeExemptions>;
}

export interface MadeExemptions {
  exemptions: DesiredExemption[];
  notes: string[];
  /**
   * The resource types the initiative's rules apply to: an exemption on a resource of one of them that Resource
   * Graph does not list (deleted, with its resource group or alone) is left out with a note, as Azure refuses it.
   */
  types?: readonly string[];
}

/** `Namespace/type[/child…]` of a resource id in a resource group, or undefined for any other id. */
export function resourceTypeOf(id: string): string | undefined {
  const chain = parseResourceIdChain(id);
  if (!chain || chain.namespace === '' || chain.scope.length !== 4) return undefined;
  const [subscriptions, , resourceGroups] = chain.scope;
  if (foldCase(subscriptions) !== 'subscriptions' || foldCase(resourceGroups) !== 'resourcegroups') return undefined;
  return [chain.namespace, ...chain.types].join('/');
}

export interface PublishOutcome {
  plan: DeploymentPlan;
  /** Deploy found conflicts and wrote nothing. */
  stoppedForConflicts: boolean;
}

export interface PublishScopes {
  scope: AzureScope & { kind: 'managementGroup' | 'subscription' };
  assignmentScope: AzureScope;
}

/** The scopes of a request, checked: the assignment at the definitions' scope or below it. */
export function publishScopes(scope: string, assignmentScope: string | undefined): PublishScopes {
  const definitions = parseDefinitionScope(scope, '--scope');
  const assignment = assignmentScope ? parseScope(assignmentScope, '--assignment-scope') : definitions;
  if (!canAssignAt(definitions, assignment)) {
    throw new UserError(
      `--assignment-scope is ${shortScope(assignment)}, which cannot use definitions at ${shortScope(definitions)}: an assignment must be at the definitions' scope or below it.`
    );
  }
  return { scope: definitions, assignmentScope: assignment };
}

/**
 * Under a management group, an assignment may go to any scope below it: a child group at any depth, a
 * subscription or a resource group in one. Whether `assignmentScope` is one is asked of the Management Groups
 * API before anything is planned, so a scope elsewhere is refused with why, not by Azure halfway through a
 * deploy. An endpoint without that API leaves the question to Azure (noted in the plan).
 */
async function checkAssignmentScope(
  connection: ArmConnection,
  scope: AzureScope,
  assignmentScope: AzureScope,
  searches: Searches
): Promise<void> {
  if (scope.kind !== 'managementGroup' || sameId(scope.id, assignmentScope.id)) return;
  const below = await searches.widen(
    `the management groups and subscriptions under ${shortScope(scope)}`,
    `Whether ${shortScope(assignmentScope)} is below it is left to Azure, which refuses the assignment if it is not.`,
    () => containment(connection, scope),
    null
  );
  if (below && !below(assignmentScope.id))
    throw new UserError(
      `--assignment-scope is ${shortScope(assignmentScope)}, which is not below ${shortScope(scope)}, where the definitions are: an assignment must be at the definitions' scope or below it. Give a scope under ${shortScope(scope)}, or publish the definitions higher up.`
    );
}

export async function publishCompiled(compiled: CompiledPack, request: PublishRequest): Promise<PublishOutcome> {
  const log = request.log ?? (() => undefined);
  const { scope, assignmentScope } = publishScopes(request.scope, request.assignmentScope);
  const owner = resolveOwner(request.owner, request.env, request.cwd);
  const desired = desiredState(compiled, {
    scope,
    assignmentScope,
    owner,
    enforcementMode: request.enforcementMode,
    effects: request.effects,
    effectOverrides: request.effectOverrides,
    location: request.location
  });
  checkPackLimits(desired, compiled.pack, compiled.members);
  const connection = connectArm({ ...request.connection, env: request.env });
  connection.log = log;
  log(`Signed in to ${connection.endpoint.description} with ${connection.signedInWith}.`);
  const store = new PolicyStore(connection);
  // What an endpoint does not offer (Resource Graph, the Management Groups API) is left unsearched and noted.
  const searches = new Searches(log);
  await checkAssignmentScope(connection, scope, assignmentScope, searches);
  log(
    `Reading what ${shortScope(scope)} holds${sameId(assignmentScope.id, scope.id) ? '' : ` and the assignments at ${shortScope(assignmentScope)}`}.`
  );
  const existing = await readExisting(store, scope, assignmentScope, desired.initiative.id, searches);
  const plan = planDeployment(desired, existing, {
    scope,
    assignmentScope,
    owner,
    prune: request.prune,
    enforcementMode: request.enforcementMode
  });
  checkScopeLimits(plan, existing, scope, assignmentScope);
  if (desired.notes.length) plan.notes = [...desired.notes];
  const exemptions = new ExemptionStore(connection, searches);
  if (request.exemptions) {
    const made = await request.exemptions(desired.assignment.id, owner, types =>
      new ResourceGraph(connection).resources(assignmentScope, types)
    );
    // Azure refuses an exemption outside its assignment's scope unless it is made with
    // assignmentScopeValidation DoNotValidate (meant for what is about to move under it).
    const within = await searches.widen(
      `the management groups and subscriptions under ${shortScope(assignmentScope)}`,
      "Every exemption is written with Azure's default scope validation, which refuses one outside the assignment's scope.",
      () => containment(connection, assignmentScope),
      () => true
    );
    made.exemptions = made.exemptions.map(e =>
      within(e.scope) ? e : { ...e, properties: { ...e.properties, assignmentScopeValidation: 'DoNotValidate' } }
    );
    // An exception that names by id a resource Azure no longer holds: Azure refuses an exemption there (404
    // ResourceNotFound, or ResourceGroupNotFound) at every deploy. Resource Graph lists what the scope holds.
    const ruled = new Set((made.types ?? []).map(type => foldCase(type)));
    const named = made.exemptions.filter(e => {
      const type = resourceTypeOf(e.scope);
      return type !== undefined && ruled.has(foldCase(type)) && within(e.scope);
    });
    if (named.length) {
      const types = [...new Set(named.map(e => resourceTypeOf(e.scope) as string))];
      const rows = await searches.widen(
        `whether the resources the exceptions name by id are in ${shortScope(assignmentScope)}`,
        'An exemption on a resource that is gone is written all the same, and Azure refuses it.',
        () => new ResourceGraph(connection).resources(assignmentScope, types),
        undefined
      );
      if (rows !== undefined) {
        const held = new Set(rows.map(row => foldCase(String(row.id))));
        const gone = new Set(named.filter(e => !held.has(foldCase(e.scope))));
        for (const e of gone)
          made.notes.push(
            `${e.source}: ${e.scope} is not in Azure (Resource Graph does not list it), so no exemption is written on it: Azure refuses one on a resource that does not exist. Take it out of the exception once it is gone for good.`
          );
        made.exemptions = made.exemptions.filter(e => !gone.has(e));
      }
    }
    log(`Reading the exemptions of ${desired.assignment.id}.`);
    // All of them: a same-named exemption of another assignment is updated (or a conflict), not created over.
    const held = await exemptions.affecting(assignmentScope);
    const seen = new Set(held.map(e => foldCase(e.id)));
    // Those of the assignment made outside its scope (assignmentScopeValidation DoNotValidate).
    const outside = (await exemptions.naming([desired.assignment.id])).filter(e => !seen.has(foldCase(e.id)));
    for (const e of outside) seen.add(foldCase(e.id));
    // An exemption to create that no list showed is read by its id: what a list misses (a scope
    // it does not reach, an index not caught up) is never created over unseen.
    const unseen = made.exemptions.map(e => exemptionId(e.scope, e.name)).filter(id => !seen.has(foldCase(id)));
    const read = await readEach(unseen, request.concurrency ?? DEFAULT_CONCURRENCY, id => exemptions.get(id));
    // Azure no longer honours an exemption past its expiresOn, and keeps it for the record: one Azure holds is
    // kept (updated as the entry says), but none is created for an exception that has already expired.
    const present = new Set([...held, ...outside, ...read].map(e => foldCase(e.id)));
    const now = Date.now();
    made.exemptions = made.exemptions.filter(e => {
      const ends = typeof e.properties.expiresOn === 'string' ? Date.parse(e.properties.expiresOn) : NaN;
      if (!(ends <= now) || present.has(foldCase(exemptionId(e.scope, e.name)))) return true;
      const lastDay = new Date(ends - 1).toISOString().slice(0, 10);
      made.notes.push(
        `${e.source}: the exception expired on ${lastDay}, so no exemption is written on ${e.scope}: Azure does not honour an exemption past its expiresOn. Renew the exception, or take it out.`
      );
      return false;
    });
    plan.items.push(
      ...planExemptions(made.exemptions, [...held, ...outside, ...read], {
        owner,
        prune: request.prune,
        assignmentId: desired.assignment.id,
        outside: new Set(outside.map(e => foldCase(e.id)))
      })
    );
    if (made.notes.length) plan.notes = [...(plan.notes ?? []), ...made.notes];
  }
  // Azure keeps an exemption when its assignment is deleted: those of an assignment leaving go with it.
  const leaving = plan.items.filter(i => i.kind === 'assignment' && (i.action === 'delete' || i.action === 'orphan'));
  if (leaving.length) {
    log(`Reading the exemptions of ${leaving.map(i => i.id).join(', ')}.`);
    const ofLeaving = planExemptionsOfLeaving(leaving, await exemptions.ofAssignments(leaving.map(i => i.id)), owner);
    const planned = new Set(plan.items.map(i => foldCase(i.id)));
    plan.items.push(...ofLeaving.items.filter(i => !planned.has(foldCase(i.id))));
    if (ofLeaving.notes.length) plan.notes = [...(plan.notes ?? []), ...ofLeaving.notes];
  }
  if (searches.notes.length) plan.notes = [...(plan.notes ?? []), ...searches.notes];
  if (!request.apply) return { plan, stoppedForConflicts: false };
  if (plan.items.some(i => i.action === 'conflict')) return { plan, stoppedForConflicts: true };
  log(`Applying the plan, ${request.concurrency ?? DEFAULT_CONCURRENCY} requests at a time.`);
  plan.results = await applyPlan(plan, store, {
    concurrency: request.concurrency,
    exemptions,
    settle: settleOptions(connection.retry),
    log,
    ...(connection.deadline ? { deadline: connection.deadline } : {})
  });
  return { plan, stoppedForConflicts: false };
}
