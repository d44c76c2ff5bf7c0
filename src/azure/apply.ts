/**
 * Applies a plan in dependency order, a few requests at a time:
 * 1. exemptions that go (no exception makes them any more, or their assignment is pruned):
 *    Azure keeps an exemption when its assignment is deleted, so they go before any assignment;
 * 2. what is replaced is deleted, users before what they use (assignment, initiative,
 *    definitions);
 * 3. definitions are written (created or updated), `concurrency` at a time;
 * 4. the initiative, which references them;
 * 5. the assignment, which references the initiative;
 * 6. the exemptions the configuration's exceptions make, which name the assignment;
 * 7. with --prune, what left the pack is deleted, users first (assignments, initiatives,
 *    definitions).
 * Azure Policy's replicas catch up with a write only after a while: a write that references what
 * was written or deleted moments before may be refused as if it had not been (an initiative
 * whose definitions are "not found", an assignment of an initiative "not found", an exemption of
 * an assignment "not found", a delete refused as "still referenced"). Those answers are waited out
 * (`settle`: the connection's retry count and delays) before the item is reported failed.
 * A step starts only when every earlier step succeeded: whatever cannot be done is reported as
 * not applied, with why, and a re-run (which plans again from what Azure then holds) finishes
 * the job. Nothing is written twice: an unchanged item makes no request.
 * A write that fails in a way Azure may have done it all the same (no answer, or one lost between
 * tries; a 5xx; a success answer that does not show what was written) is read back: it counts as
 * done when Azure holds it as planned (or, deleted, no longer holds it), and otherwise its result
 * says whether it was done or that this is not known, so the report says exactly what was written.
 */
import type { PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { DeploymentPlan, ItemResult, PlanItem } from '../model/plan.js';
import type { Json } from '../model/value.js';
import { compareBodies } from './compare.js';
import { DEFAULT_CONCURRENCY, runBounded } from './bounded.js';
import { ArmError } from './errors.js';
import { exemptionScope, type ExemptionStore } from './exemptions.js';
import type { PolicyStore, RestBody } from './policyStore.js';
import { parseScope, scopeOfId, type AzureScope } from './scope.js';
import { foldCase } from '../model/foldCase.js';
import { pause, RunTimeoutError, type RunDeadline } from './deadline.js';

/** How long Azure's answers that it does not see a reference yet are waited out. */
export interface SettleOptions {
  /** Tries after the first. */
  retries: number;
  /** The first wait; each next one doubles, up to `maxDelayMs`. */
  delayMs: number;
  maxDelayMs: number;
  /**
   * A number in [0, 1) for each wait's jitter (default Math.random): writes refused together (eight definitions at
   * once, an initiative and its exemptions) do not all come back at the same instant.
   */
  random?: () => number;
}

/** A wait is its delay give or take this share of it, so the waits stay within a quarter of the doubling series. */
export const SETTLE_JITTER = 0.25;

/** `delayMs` moved by up to SETTLE_JITTER of it either way, by `random` (in [0, 1); out of range is clamped). */
export function jittered(delayMs: number, random: () => number = Math.random): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(delayMs * (1 - SETTLE_JITTER + 2 * SETTLE_JITTER * r));
}

/** About a minute in all: 1 + 2 + 4 + 8 + 16 + 30 seconds, each give or take a quarter. */
export const DEFAULT_SETTLE: SettleOptions = { retries: 6, delayMs: 1000, maxDelayMs: 30_000 };

/** The same count and delays as the connection's retries (`CMK_GUARD_AZURE_RETRY_DELAY_MS` sets the first). */
export function settleOptions(retry: PipelineRetryOptions): SettleOptions {
  return {
    retries: retry.maxRetries ?? DEFAULT_SETTLE.retries,
    delayMs: retry.retryDelayInMs ?? DEFAULT_SETTLE.delayMs,
    maxDelayMs: retry.maxRetryDelayInMs ?? DEFAULT_SETTLE.maxDelayMs
  };
}

export interface ApplyOptions {
  concurrency?: number;
  /** Where exemptions are written (raw REST); needed when the plan has exemptions. */
  exemptions?: ExemptionStore;
  settle?: SettleOptions;
  /** Told each time a write is tried again because Azure does not see what it references yet. */
  log?: (line: string) => void;
  /** The run's time limit: no write starts after it, and a write under way when it passes is not waited for. */
  deadline?: RunDeadline;
}

/**
 * What Azure answers when a write references something its replicas do not see as it is yet
 * (written or deleted moments ago): the codes seen from real Resource Manager in that case
 * (Azure/Enterprise-Scale#161, #337, #902; Azure/terraform-azurerm-avm-ptn-alz#28; the
 * InvalidDelete… codes in ../shared/corpus/rest-api/policy/arm-errors-observed.json).
 */
export function notSeenYet(error: ArmError): boolean {
  const code = foldCase(error.code ?? '');
  if (error.status === 404) return code === 'policyassignmentnotfound';
  if (error.status !== 400) return false;
  if (
    [
      'policydefinitionnotfound',
      'policysetdefinitionnotfound',
      'policyassignmentnotfound',
      'invaliddeletepolicydefinitionrequest',
      'invaliddeletepolicysetdefinitionrequest',
      'invalidpolicydefinitionreference'
    ].includes(code)
  )
    return true;
  // "… is out of scope. Policy definitions should be specified only at or above the policy
  // assignment scope. … please allow up to 30 minutes … and try again." (Azure/Enterprise-Scale#902)
  return (
    (code === 'invalidcreatepolicyassignmentrequest' || code === 'invalidcreatepolicysetdefinitionrequest') &&
    /at or above the policy (set definition|assignment)'?s? scope/i.test(error.armMessage)
  );
}

/**
 * Runs a write; while Azure answers that it does not see what the write references yet, waits
 * (doubling, each wait give or take a quarter at random) and tries again, `settle.retries` times. The last answer is reported with what it
 * most likely means and what to do.
 */
export async function settled<T>(
  write: () => Promise<T>,
  settle: SettleOptions,
  onWait?: (error: ArmError, delayMs: number) => void,
  deadline?: RunDeadline,
  /** Why an answer `notSeenYet` takes for lag is not (what waiting cannot change), said after it; undefined when it may be lag. */
  notLag?: (error: ArmError) => string | undefined
): Promise<T> {
  let delay = settle.delayMs;
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof ArmError) || !notSeenYet(error)) throw error;
      const lasting = notLag?.(error);
      if (lasting !== undefined)
        throw new ArmError(
          `${error.message.replace(/\s*$/, '')} ${lasting}`,
          error.status,
          error.code,
          error.armMessage
        );
      if (attempt >= settle.retries) {
        throw new ArmError(
          `${error.message} cmk-guard tried ${attempt + 1} times over ${Math.round(waited / 1000)} s: Azure Policy's replicas had not caught up with what was written or deleted moments before, or someone changed the scope meanwhile. Run deploy again in a few minutes; it plans from what Azure then holds.`,
          error.status,
          error.code,
          error.armMessage
        );
      }
      const wait = jittered(delay, settle.random);
      onWait?.(error, wait);
      try {
        await pause(wait, deadline);
      } catch (stop) {
        if (!(stop instanceof RunTimeoutError)) throw stop;
        throw new ArmError(
          `${error.message} ${stop.message[0].toUpperCase()}${stop.message.slice(1)} while cmk-guard waited to try again: it was not written.`,
          error.status,
          'RunTimeout',
          error.armMessage
        );
      }
      waited += wait;
      delay = Math.min(delay * 2, settle.maxDelayMs);
    }
  }
}

/**
 * A write that failed, but that Azure may have done all the same: every failure but a refusal
 * (a 4xx other than 408 and 429, which say "not now", after which the answer of an earlier try may
 * have been lost).
 */
export function mayHaveBeenDone(error: ArmError): boolean {
  if (error.status === undefined || error.code === 'UnexpectedAnswer') return true;
  return error.status >= 500 || error.status === 408 || error.status === 429 || error.status < 400;
}

function scopeOf(item: PlanItem): AzureScope {
  return parseScope(scopeOfId(item.id), 'the scope of a resource id');
}

export async function applyPlan(
  plan: DeploymentPlan,
  store: PolicyStore,
  options: ApplyOptions = {}
): Promise<ItemResult[]> {
  if (plan.items.some(i => i.action === 'conflict')) {
    throw new Error('applyPlan was given a plan with conflicts; deploy stops before this.');
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const settle = options.settle ?? DEFAULT_SETTLE;
  const { deadline } = options;
  // A replaced item is deleted in the first steps and written again later: its result is the write's.
  const deletedForReplace = new Set<PlanItem>();
  /** Why an item is not written when the run's time limit has passed (a replaced one may be deleted already). */
  const timeUp = (item: PlanItem) =>
    `not attempted: ${deadline!.error().message} before it was started${deletedForReplace.has(item) ? `; it was deleted to be created again, so Azure does not hold it until deploy runs again` : ''}`;
  const waiting = (item: PlanItem) => (error: ArmError, delayMs: number) =>
    options.log?.(
      `Azure ${/^InvalidDelete/i.test(error.code ?? '') ? `still sees what referenced the ${item.kind} ${item.name}` : `does not see yet what the ${item.kind} ${item.name} references`} (${error.code}); trying again in ${delayMs < 1000 ? `${delayMs} ms` : `${Math.round(delayMs / 1000)} s`}.`
    );
  // What the pack holds: a reference from one of these goes (it is deleted, replaced or rewritten without it) before
  // the delete it blocks, and Azure's replicas may answer as if it had not for a while.
  const packs = new Set(plan.items.map(i => foldCase(i.id)));
  /** A delete Azure refuses because something this deploy does not delete references what it deletes. */
  const heldElsewhere = (error: ArmError): string | undefined => {
    if (!/^InvalidDeletePolicy(?:Set)?DefinitionRequest$/i.test(error.code ?? '')) return undefined;
    const holder = /referenced by the (policy set definition|policy assignment) '([^']+)'/i.exec(error.armMessage);
    if (holder === null || packs.has(foldCase(holder[2]))) return undefined;
    return `The ${holder[1]} ${holder[2]} is not the pack's (cmk-guard does not own it, or the plan did not see it), so trying again cannot help: remove that reference, then deploy --prune again.`;
  };
  const results: ItemResult[] = [];
  let failed = false;

  const record = (item: PlanItem, outcome: ItemResult['outcome'], message?: string) =>
    results.push({
      kind: item.kind,
      name: item.name,
      id: item.id,
      action: item.action,
      outcome,
      ...(message ? { message } : {}),
      ...(item.source ? { source: item.source } : {})
    });

  const attempt = async (item: PlanItem, write: () => Promise<unknown>) => {
    try {
      await write();
      record(item, 'applied');
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      failed = true;
      record(item, 'failed', error.message);
    }
  };

  const exemptionStore = () => {
    if (!options.exemptions) throw new Error('applyPlan was given exemptions but no exemption store.');
    return options.exemptions;
  };
  const readBack = async (item: PlanItem): Promise<unknown> => {
    if (item.kind === 'exemption') return exemptionStore().get(item.id);
    if (item.kind === 'assignment') return store.getAssignment(item.id);
    if (item.kind === 'initiative') return store.getSetDefinition(scopeOf(item), item.name);
    return store.getDefinition(scopeOf(item), item.name);
  };
  /**
   * After a write that failed as `mayHaveBeenDone` says: whether Azure holds what it was to leave
   * (`true`), or what to add to the error: that it was not done, or that this is not known.
   */
  const confirm = async (item: PlanItem, deleting: boolean): Promise<true | string> => {
    let found: unknown;
    try {
      found = await readBack(item);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      return ` Whether Azure did it is not known: reading it back failed too (${error.message.replace(/\.$/, '')}). Run plan to see what Azure holds.`;
    }
    if (deleting)
      return found === undefined ? true : ' Read back afterwards, Azure still holds it: it was not deleted.';
    if (found === undefined) return ' Read back afterwards, Azure does not hold it: it was not written.';
    const changes = compareBodies(item.kind, found as { [key: string]: Json }, item.body as { [key: string]: Json });
    if (!changes.length) return true;
    return ` Read back afterwards, Azure holds it otherwise (${changes
      .slice(0, 3)
      .map(c => c.path)
      .join(', ')}${changes.length > 3 ? ', …' : ''}): it was not written.`;
  };
  /** Runs a write; one that fails as Azure may have done it is read back, and done when it was. */
  const confirmed = async (item: PlanItem, deleting: boolean, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      if (error instanceof ArmError && error.code === 'RunTimeout' && error.status === undefined)
        throw new ArmError(
          `${error.message.replace(/\.$/, '')}, with the request under way: whether Azure did it is not known (it does a write whole or not at all). Run plan to see what Azure holds; deploy again finishes the job.`,
          undefined,
          error.code,
          ''
        );
      if (!(error instanceof ArmError) || !mayHaveBeenDone(error)) throw error;
      const read = await confirm(item, deleting);
      if (read !== true)
        throw new ArmError(`${error.message.replace(/\s*$/, '')}${read}`, error.status, error.code, error.armMessage);
      options.log?.(
        `The answer to ${deleting ? 'deleting' : 'writing'} the ${item.kind} ${item.name} was lost (${error.code ?? error.status}); read back, Azure ${deleting ? 'no longer holds it' : 'holds it as planned'}.`
      );
    }
  };

  const remove = (item: PlanItem) => {
    if (item.kind === 'exemption') return exemptionStore().delete(exemptionScope(item.id), item.name);
    const scope = scopeOf(item);
    if (item.kind === 'assignment') return store.deleteAssignment(scope, item.name);
    if (item.kind === 'initiative') return store.deleteSetDefinition(scope, item.name);
    return store.deleteDefinition(scope, item.name);
  };
  const put = (item: PlanItem) => {
    const body = item.body as unknown as RestBody;
    if (item.kind === 'exemption') return exemptionStore().put(exemptionScope(item.id), item.name, body.properties);
    const scope = scopeOf(item);
    if (item.kind === 'assignment') return store.putAssignment(scope, item.name, body);
    if (item.kind === 'initiative') return store.putSetDefinition(scope, item.name, body);
    return store.putDefinition(scope, item.name, body);
  };

  /** `teardown`: deletes made so that a replaced item can be created again (its result is the write's). */
  type Step = { items: PlanItem[]; run: (item: PlanItem) => Promise<unknown>; parallel: boolean; teardown?: boolean };
  const of = (kind: PlanItem['kind'], actions: PlanItem['action'][]) =>
    plan.items.filter(i => i.kind === kind && actions.includes(i.action));
  const replaced = plan.items.filter(i => i.action === 'replace');
  // Azure refuses to delete an initiative that is assigned: when it is replaced, assignments
  // pruned (the pack's own, left at another scope) go first, with the one replaced.
  const initiativeReplaced = replaced.some(i => i.kind === 'initiative');
  const prunedAssignments = of('assignment', ['delete']);
  const steps: Step[] = [
    // Exemptions name an assignment, and Azure keeps them when it goes: deleted before any assignment is.
    { items: of('exemption', ['delete']), run: remove, parallel: true },
    {
      items: [...replaced.filter(i => i.kind === 'assignment'), ...(initiativeReplaced ? prunedAssignments : [])],
      run: remove,
      parallel: false,
      teardown: true
    },
    { items: replaced.filter(i => i.kind === 'initiative'), run: remove, parallel: false, teardown: true },
    { items: replaced.filter(i => i.kind === 'definition'), run: remove, parallel: true, teardown: true },
    { items: of('definition', ['create', 'update', 'replace']), run: put, parallel: true },
    { items: of('initiative', ['create', 'update', 'replace']), run: put, parallel: false },
    { items: of('assignment', ['create', 'update', 'replace']), run: put, parallel: false },
    // Exemptions name the assignment: written after it.
    { items: of('exemption', ['create', 'update']), run: put, parallel: true },
    { items: initiativeReplaced ? [] : prunedAssignments, run: remove, parallel: true },
    { items: of('initiative', ['delete']), run: remove, parallel: true },
    { items: of('definition', ['delete']), run: remove, parallel: true }
  ];

  for (const step of steps) {
    if (!step.items.length) continue;
    if (deadline?.expired) {
      for (const item of step.items)
        if (!step.teardown || item.action === 'delete') record(item, 'not-applied', timeUp(item));
      continue;
    }
    if (failed) {
      for (const item of step.items) {
        if (!step.teardown || !deletedForReplace.has(item))
          record(item, 'not-applied', 'not attempted: an earlier step failed, and this one depends on it');
      }
      continue;
    }
    const run = async (item: PlanItem) => {
      // Within a step, what has not started when the limit passes is not started.
      if (deadline?.expired) {
        if (!step.teardown || item.action === 'delete') record(item, 'not-applied', timeUp(item));
        return;
      }
      if (step.teardown) {
        try {
          await confirmed(item, true, () =>
            settled(() => step.run(item), settle, waiting(item), deadline, heldElsewhere)
          );
          // A replaced item's result is its write, later; a pruned one's is this.
          if (item.action === 'delete') record(item, 'applied');
          else deletedForReplace.add(item);
        } catch (error) {
          if (!(error instanceof ArmError)) throw error;
          failed = true;
          record(
            item,
            'failed',
            item.action === 'delete' ? error.message : `could not delete it to create it again: ${error.message}`
          );
        }
        return;
      }
      await attempt(item, () =>
        confirmed(item, step.run === remove, () =>
          settled(() => step.run(item), settle, waiting(item), deadline, heldElsewhere)
        )
      );
    };
    await runBounded(step.items, step.parallel ? concurrency : 1, run);
  }
  return results;
}
