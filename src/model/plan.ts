/**
 * A deployment plan: what publishing the pack to an Azure scope changes, item by item, and
 * (after `deploy`) what was done. The single currency between src/azure (which makes and
 * applies it) and src/report (which renders it as text, JSON and Markdown).
 */
import type { Json } from './value.js';

export type PlanItemKind = 'definition' | 'initiative' | 'assignment' | 'exemption';

/**
 * - create / update / unchanged: what the pack has, against what the scope has;
 * - replace: Azure refuses the update in place (a parameter removed or retyped), so the item is
 *   deleted and created again, after what uses it is;
 * - delete: owned by us, no longer in the pack, and `--prune` was given;
 * - orphan: owned by us, no longer in the pack, kept because `--prune` was not given;
 * - conflict: the same name exists without our owner id: never touched, and deploy stops.
 */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'replace' | 'delete' | 'orphan' | 'conflict';

export interface FieldChange {
  /** Where in the REST body, e.g. `properties.policyRule.then.effect`. */
  path: string;
  /** Absent when the field is added. */
  before?: Json;
  /** Absent when the field is removed. */
  after?: Json;
}

export interface PlanItem {
  kind: PlanItemKind;
  name: string;
  /** The resource id it has (or will have) in Azure. */
  id: string;
  action: PlanAction;
  /** Field-level differences, for update and replace. */
  changes?: FieldChange[];
  /** Why: the conflict's owner, why a replace, what an orphan is. */
  reason?: string;
  /** The rule or pack file it comes from, relative to the repository. */
  source?: string;
  /** The body cmk-guard will PUT (create, update, replace). */
  body?: Json;
}

export type ItemOutcome = 'applied' | 'failed' | 'not-applied';

export interface ItemResult {
  kind: PlanItemKind;
  name: string;
  id: string;
  action: PlanAction;
  outcome: ItemOutcome;
  /** Azure's answer when it failed, or why it was not attempted. */
  message?: string;
  /** The rule file Azure's refusal is about. */
  source?: string;
}

export interface DeploymentPlan {
  /** Where the definitions and the initiative live. */
  scope: string;
  /** Where the assignment lives. */
  assignmentScope: string;
  /** The scopes in words, for reports: `management group contoso`. */
  scopeName: string;
  assignmentScopeName: string;
  /** The owner id written into what cmk-guard publishes. */
  owner: string;
  prune: boolean;
  enforcementMode: 'Default' | 'DoNotEnforce';
  /** The effect each rule is assigned with. */
  effects: { rule: string; effect: string; overridden: boolean }[];
  items: PlanItem[];
  /** What the plan leaves out and why (an exception that makes no exemption, say). */
  notes?: string[];
  /**
   * On a pull request, each setting of where to connect and what to act on that it changes in the configuration
   * file, taken as the base has it; marked `atBase` as the findings document marks what it takes from the base.
   */
  skipped?: { file: string; reason: string; atBase: true }[];
  /** Deploy results, in the order they were applied; absent for a plan. */
  results?: ItemResult[];
}

export function countActions(plan: DeploymentPlan, kind?: PlanItemKind): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = {
    create: 0,
    update: 0,
    unchanged: 0,
    replace: 0,
    delete: 0,
    orphan: 0,
    conflict: 0
  };
  for (const item of plan.items) if (!kind || item.kind === kind) counts[item.action]++;
  return counts;
}

/** Whether applying the plan writes anything. */
export function planWrites(plan: DeploymentPlan): boolean {
  return plan.items.some(i => ['create', 'update', 'replace', 'delete'].includes(i.action));
}
