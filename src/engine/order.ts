/**
 * The order and grain of evaluation: which request each effect sees.
 *
 * Azure evaluates a create or update request in a fixed order: "disabled is checked first …
 * append and modify are then evaluated. Since either could alter the request, a change made might
 * prevent an audit or deny effect from triggering … deny is then evaluated. By evaluating deny
 * before audit, double logging of an undesired resource is prevented. audit is evaluated."
 * (https://learn.microsoft.com/azure/governance/policy/concepts/effect-basics#order-of-evaluation)
 *
 * And it evaluates every request as it is sent: "When creating or updating a matched resource in a
 * Resource Manager mode, deny prevents the request before being sent to the Resource Provider"
 * (https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny). A template that
 * declares a resource more than once (an account created without a key, then given one by a later
 * nested deployment) sends one PUT per declaration: Deny refuses the first that does not comply and
 * the deployment stops there, while the compliance state Audit reports is that of the resource as
 * it ends up. So Deny (and an Append that would override a value, which "acts as a deny effect")
 * sees each write in deployment order; Audit and the other effects see the end state, after Append
 * and Modify.
 */
import type { Finding } from '../model/finding.js';
import type { Resource, SourcePosition } from '../model/resource.js';
import { own, type Value } from '../model/value.js';
import type { CompiledDefinition, Evaluation, RequestOutcome } from './definition.js';
import { describeChanges, copyBody } from './modify.js';
import { severityOf, toFinding } from './findings.js';
import { foldCase } from '../model/foldCase.js';
import { withCountCheckpoint, type CountBudget } from './count.js';

interface Planned {
  def: CompiledDefinition;
  index: number;
  parameters?: Record<string, Value>;
  effect: string;
}

export interface EvaluateAllOptions {
  /** Assignment parameter values by definition name (an effect parameter set to Deny, say). */
  parameters?: Record<string, Record<string, Value>>;
  /**
   * The resources existence conditions may find (default: the resources evaluated): all of a run's,
   * when the resources of one file are evaluated at a time.
   */
  related?: Resource[];
  /**
   * Called before each resource and each definition on it; it throws to stop the evaluation (the
   * caller's time bound for a file).
   */
  checkpoint?: () => void;
}

/** What every evaluation of one `evaluateInOrder` shares: the resources existence conditions may find, the counts' bound. */
interface Shared {
  related: Resource[];
  counts: CountBudget | undefined;
}

/** One request as Deny and Audit see it: the write after Append and Modify. */
interface Request {
  /** The declaration as written (its positions point at the template). */
  write: Resource;
  /** The request after Append and Modify (the write itself when nothing changed it). */
  resource: Resource;
  /** What each Append/Modify definition did to it. */
  outcomes: Map<CompiledDefinition, RequestOutcome & { skippedByConflict?: string }>;
  /** Set when an Append or a Modify conflict makes Azure reject this request. */
  refused?: { def: CompiledDefinition; reason: string };
}

const where = (position: SourcePosition | null): string =>
  position ? `${position.file.replace(/^.*[\\/]/, '')}:${position.line}` : 'its declaration';

/**
 * Evaluates every definition against every resource (except `existing` references) in Azure's
 * order and grain, and returns a finding for each applicable pair, grouped by definition.
 */
export function evaluateInOrder(
  defs: CompiledDefinition[],
  resources: Resource[],
  options: EvaluateAllOptions = {}
): Finding[] {
  // The checkpoint is read inside counts too: one count nested in another can be most of a file's work.
  return withCountCheckpoint(options.checkpoint, counts => evaluateAll(defs, resources, options, counts));
}

function evaluateAll(
  defs: CompiledDefinition[],
  resources: Resource[],
  options: EvaluateAllOptions,
  counts: CountBudget | undefined
): Finding[] {
  const parameters = defs.map(def => (options.parameters ? own(options.parameters, def.name) : undefined));
  const effectOptions = parameters.map(p => ({ parameters: p }));
  // Resources written more than once, changed by Append or Modify, or not read: decided first, together.
  const shared: Shared = { related: options.related ?? resources, counts };
  const ordered = new Map<Resource, Map<number, Finding>>();
  for (const resource of resources) {
    if (resource.existing || isSimple(defs, effectOptions, resource)) continue;
    options.checkpoint?.();
    const byIndex = new Map<number, Finding>();
    for (const { index, finding } of evaluateResource(defs, resource, shared, options)) byIndex.set(index, finding);
    ordered.set(resource, byIndex);
  }
  const findings: Finding[] = [];
  for (let i = 0; i < defs.length; i++) {
    const def = defs[i];
    for (const resource of resources) {
      if (resource.existing) continue;
      const decided = ordered.size ? ordered.get(resource) : undefined;
      if (decided) {
        const finding = decided.get(i);
        if (finding) findings.push(finding);
        continue;
      }
      // Most resources: one write, nothing changes it: each definition sees the resource as declared, and most
      // definitions are about other types.
      if (!def.mayApply(resource.type)) continue;
      options.checkpoint?.();
      const evaluation = def.evaluate(resource, { parameters: parameters[i], ...shared });
      if (evaluation.applicable) findings.push(toFinding(def, resource, evaluation));
    }
  }
  return findings;
}

/** One write that no Append or Modify can change: every effect sees the resource as it is. */
function isSimple(
  defs: CompiledDefinition[],
  effectOptions: { parameters?: Record<string, Value> }[],
  resource: Resource
): boolean {
  if (resource.unresolved || resource.priorWrites?.length) return false;
  if (resource.origin !== 'template') return true;
  for (let i = 0; i < defs.length; i++) {
    if (!defs[i].appliesToType(resource.type)) continue;
    const effect = defs[i].effectFor(resource, effectOptions[i]);
    if (effect === 'Append' || effect === 'Modify') return false;
  }
  return true;
}

function evaluateResource(
  defs: CompiledDefinition[],
  resource: Resource,
  shared: Shared,
  options: EvaluateAllOptions
): { index: number; finding: Finding }[] {
  const out: { index: number; finding: Finding }[] = [];
  if (resource.unresolved) return unresolvedFindings(defs, resource, options);
  const plan: Planned[] = [];
  defs.forEach((def, index) => {
    if (!def.appliesToType(resource.type)) return;
    const parameters = options.parameters ? own(options.parameters, def.name) : undefined;
    plan.push({ def, index, parameters, effect: def.effectFor(resource, { parameters }) });
  });
  // "When a policy definition using the append effect is run as part of an evaluation cycle, it
  // doesn't make changes to resources that already exist" (the same for modify): only a template's
  // resources are requests; a snapshot's or a live scope's are evaluated as they are.
  const modifiers =
    resource.origin === 'template' ? plan.filter(p => p.effect === 'Append' || p.effect === 'Modify') : [];
  const writes = [...(resource.priorWrites ?? []), resource];
  // The base's definitions see the request as the base's Append and Modify leave it: what a pull request adds
  // changes it once merged (a Modify setting enablePurgeProtection must not make the base's rule pass now).
  const baseModifiers = modifiers.filter(p => !p.def.addedByChange);
  const requests = writes.map(write => modifiedRequest(write, baseModifiers, shared));
  const withAdded =
    baseModifiers.length === modifiers.length
      ? requests
      : writes.map(write => modifiedRequest(write, modifiers, shared));
  for (const planned of plan) {
    options.checkpoint?.();
    const { def, index, parameters, effect } = planned;
    const seen = def.addedByChange ? withAdded : requests;
    const final = seen[seen.length - 1];
    let finding: Finding | undefined;
    if (effect === 'Deny') finding = denyFinding(planned, seen, shared);
    else if (effect === 'Append' || effect === 'Modify') finding = modifierFinding(planned, final, shared);
    else {
      const evaluation = def.evaluate(final.resource, { parameters, ...shared });
      if (evaluation.applicable) finding = toFinding(def, final.resource, evaluation);
    }
    if (finding) out.push({ index, finding });
  }
  return out;
}

/**
 * The request Deny and Audit see: each Append and Modify whose `if` holds on the write changes it.
 * Two Modify definitions that change the same property conflict, and their `conflictEffect`
 * decides: "the policy definition with deny takes precedence. Policy definitions with audit skip
 * all operations. If more than one policy definition has the effect deny, the request is denied as
 * a conflict. If all policy definitions have audit, then none of the operations of the conflicting
 * policy definitions are processed." (https://learn.microsoft.com/azure/governance/policy/concepts/effect-modify)
 */
function modifiedRequest(write: Resource, modifiers: Planned[], shared: Shared): Request {
  const outcomes = new Map<CompiledDefinition, RequestOutcome & { skippedByConflict?: string }>();
  for (const { def, parameters } of modifiers) {
    outcomes.set(def, def.changeRequest(write, { parameters, ...shared }));
  }
  const request: Request = { write, resource: write, outcomes };
  // Which definitions change each property.
  const writers = new Map<string, CompiledDefinition[]>();
  for (const [def, outcome] of outcomes) {
    for (const change of outcome.change?.changes ?? []) {
      const key = foldCase(change.pointer);
      const list = writers.get(key) ?? [];
      if (!list.includes(def)) list.push(def);
      writers.set(key, list);
    }
  }
  const skipped = new Set<CompiledDefinition>();
  for (const defs of writers.values()) {
    const modifies = defs.filter(d => modifiers.find(m => m.def === d)?.effect === 'Modify');
    if (modifies.length < 2) continue;
    const denying = modifies.filter(d => outcomes.get(d)!.change!.conflictEffect === 'deny');
    const names = modifies.map(d => `'${d.displayName}'`).join(' and ');
    if (denying.length > 1) {
      request.refused ??= {
        def: denying[0],
        reason: `${names} change the same property and more than one has conflictEffect deny: Azure denies the request as a conflict`
      };
    }
    for (const d of modifies) {
      if (denying.length === 1 && d === denying[0]) continue;
      skipped.add(d);
      outcomes.get(d)!.skippedByConflict =
        `it changes the same property as ${names.replace(`'${d.displayName}'`, '').replace(/^ and | and $/g, '')}, so its operations are skipped (conflictEffect)`;
    }
  }
  for (const [def, outcome] of outcomes) {
    if (outcome.change?.refused) request.refused ??= { def, reason: outcome.change.refused };
  }
  const applied = modifiers.filter(({ def }) => !skipped.has(def) && outcomes.get(def)!.change?.changes.length);
  let json: { [key: string]: Value } | undefined;
  if (applied.length === 1) {
    // One definition changed the request: its own copy is the request.
    json = outcomes.get(applied[0].def)!.json;
  } else {
    for (const { def, parameters } of applied) {
      json ??= copyBody(write.json) as { [key: string]: Value };
      def.changeRequest(write, { parameters, ...shared }, json);
    }
  }
  if (json) request.resource = { ...write, json };
  return request;
}

/** Deny: the first write Azure would refuse, on its line; compliant when every write passes. */
function denyFinding(planned: Planned, requests: Request[], shared: Shared): Finding | undefined {
  const { def, parameters } = planned;
  const n = requests.length;
  const evaluations: { request: Request; evaluation: Evaluation; verdict: Finding['verdict'] }[] = [];
  for (const request of requests) {
    const evaluation = def.evaluate(request.resource, { parameters, ...shared });
    const finding = evaluation.applicable ? toFinding(def, request.resource, evaluation) : undefined;
    evaluations.push({ request, evaluation, verdict: finding?.verdict ?? 'compliant' });
    // A request Azure rejects ends the deployment: later writes are never sent.
    if (request.refused) break;
  }
  if (!evaluations.some(e => e.evaluation.applicable)) return undefined;
  const denied =
    evaluations.find(e => e.verdict === 'noncompliant') ?? evaluations.find(e => e.verdict === 'indeterminate');
  const last = evaluations[evaluations.length - 1];
  if (!denied) return toFinding(def, last.request.resource, last.evaluation);
  const finding = toFinding(def, denied.request.resource, denied.evaluation);
  const position = evaluations.indexOf(denied);
  if (n === 1) return finding;
  const others = requests.filter(r => r !== denied.request).map(r => where(r.write.source));
  let note = ` Deny evaluates each write as it is sent: this is write ${position + 1} of ${n} of ${denied.request.write.name} (the other${others.length > 1 ? 's' : ''} at ${others.join(', ')})`;
  const finalEvaluation =
    position < n - 1 ? def.evaluate(requests[n - 1].resource, { parameters, ...shared }) : undefined;
  if (finalEvaluation && (!finalEvaluation.applicable || finalEvaluation.verdict === 'compliant')) {
    note += `; Azure refuses it and the deployment stops, though the write at ${where(requests[n - 1].write.source)} would comply. Give the resource its final properties in its first write`;
  }
  return { ...finding, message: `${finding.message}${note}.` };
}

/**
 * A nested deployment whose template is not read (a remote URI): what it deploys is unknown, so
 * every definition that is not disabled is indeterminate on it, saying why.
 */
function unresolvedFindings(
  defs: CompiledDefinition[],
  resource: Resource,
  options: EvaluateAllOptions
): { index: number; finding: Finding }[] {
  const out: { index: number; finding: Finding }[] = [];
  defs.forEach((def, index) => {
    const parameters = options.parameters ? own(options.parameters, def.name) : undefined;
    // Resource provider modes (Kubernetes, Key Vault data) evaluate what ARM templates do not deploy.
    if (!/^(all|indexed)$/i.test(def.mode)) return;
    const effect = def.effectFor(resource, { parameters });
    if (effect === 'Disabled') return;
    const reason = resource.unresolved!;
    out.push({
      index,
      finding: toFinding(def, resource, {
        applicable: true,
        verdict: 'indeterminate',
        effect,
        reason,
        message: `${def.displayName}: cannot be decided for what this deployment deploys; ${reason}.`,
        pointers: []
      })
    });
  });
  return out;
}

/** Append and Modify: their verdict on the end state, and what they change on the way there. */
function modifierFinding(planned: Planned, final: Request, shared: Shared): Finding | undefined {
  const { def, parameters } = planned;
  const outcome = final.outcomes.get(def);
  if (outcome?.change?.notApplicable) return undefined;
  if (final.refused?.def === def) {
    const evaluation = def.evaluate(final.write, { parameters, ...shared });
    const finding = toFinding(def, final.write, evaluation);
    return {
      ...finding,
      verdict: 'noncompliant',
      severity: severityOf(def, 'Deny'),
      message: `${def.displayName}: ${final.refused.reason}.`
    };
  }
  const evaluation = def.evaluate(final.resource, { parameters, ...shared });
  if (!evaluation.applicable) return undefined;
  const finding = toFinding(def, final.resource, evaluation);
  const change = outcome?.change;
  const notes: string[] = [];
  if (outcome?.skippedByConflict) notes.push(`Its operations are not applied: ${outcome.skippedByConflict}.`);
  else if (change && change.changes.length) {
    notes.push(`On deployment Azure changes the request: ${describeChanges(change.changes)}.`);
    if (def.addedByChange)
      notes.push(
        'This change adds the definition: the other definitions see what it changes once the change is merged.'
      );
  }
  if (change?.skipped.length) notes.push(`Skipped: ${change.skipped.join('; ')}.`);
  if (change?.unknown)
    notes.push(`Whether an operation applies cannot be known before deployment (${change.unknown.reason}).`);
  return notes.length ? { ...finding, message: `${finding.message} ${notes.join(' ')}` } : finding;
}
