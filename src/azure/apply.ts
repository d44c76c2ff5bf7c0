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
 * A step starts only when every earlier step succeeded: whatever cannot be done is reported as
 * not applied, with why, and a re-run (which plans again from what Azure then holds) finishes
 * the job. Nothing is written twice: an unchanged item makes no request.
 */
import type { DeploymentPlan, ItemResult, PlanItem } from '../model/plan.js';
import { ArmError } from './errors.js';
import { exemptionScope, type ExemptionStore } from './exemptions.js';
import type { PolicyStore, RestBody } from './policyStore.js';
import { parseScope, scopeOfId, type AzureScope } from './scope.js';

export const DEFAULT_CONCURRENCY = 8;

export interface ApplyOptions {
  concurrency?: number;
  /** Where exemptions are written (raw REST); needed when the plan has exemptions. */
  exemptions?: ExemptionStore;
}

/** Runs `tasks` with at most `limit` at once; resolves when all have settled. */
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
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

  // A replaced item is deleted in the first steps and written again later: its result is the write's.
  const deletedForReplace = new Set<PlanItem>();
  for (const step of steps) {
    if (!step.items.length) continue;
    if (failed) {
      for (const item of step.items) {
        if (!step.teardown || !deletedForReplace.has(item))
          record(item, 'not-applied', 'not attempted: an earlier step failed, and this one depends on it');
      }
      continue;
    }
    const run = async (item: PlanItem) => {
      if (step.teardown) {
        try {
          await step.run(item);
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
      await attempt(item, () => step.run(item));
    };
    await runBounded(step.items, step.parallel ? concurrency : 1, run);
  }
  return results;
}
