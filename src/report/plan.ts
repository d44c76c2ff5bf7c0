/**
 * A deployment plan (and, after deploy, its results) as a reader meets it: text on a
 * terminal, JSON for tools, Markdown for the pull request comment and the job summary. Names,
 * owners and Azure's messages come from rule files and from Azure, so Markdown escapes them.
 */
import type { DeploymentPlan, FieldChange, ItemResult, PlanAction, PlanItem, PlanItemKind } from '../model/plan.js';
import { countActions } from '../model/plan.js';
import type { Json } from '../model/value.js';
import { baseSettingsSection, cellText, Budget } from './markdown.js';
import { codeSpan, escapeMarkdown, escapeTerminal } from './escape.js';
import { plural } from './findings.js';

const KINDS: PlanItemKind[] = ['definition', 'initiative', 'assignment', 'exemption'];
const NOUN: Record<PlanItemKind, [string, string]> = {
  definition: ['policy definition', 'policy definitions'],
  initiative: ['initiative', 'initiatives'],
  assignment: ['assignment', 'assignments'],
  exemption: ['exemption', 'exemptions']
};
const SIGN: Record<PlanAction, string> = {
  create: '+',
  update: '~',
  unchanged: '=',
  replace: '-/+',
  delete: '-',
  orphan: '?',
  conflict: '!'
};

/** `create 2 and update 1 policy definitions`: the changes to one kind, or undefined when none. */
function kindPhrase(plan: DeploymentPlan, kind: PlanItemKind): string | undefined {
  const counts = countActions(plan, kind);
  const verbs = (['create', 'update', 'replace', 'delete'] as const)
    .filter(action => counts[action] > 0)
    .map(action => `${action} ${counts[action]}`);
  if (!verbs.length) return undefined;
  const total = counts.create + counts.update + counts.replace + counts.delete;
  const noun = total === 1 ? NOUN[kind][0] : NOUN[kind][1];
  const last = verbs.pop() as string;
  return `${verbs.length ? `${verbs.join(', ')} and ${last}` : last} ${noun}`;
}

/** One sentence: what the change does, where. */
export function planSentence(plan: DeploymentPlan): string {
  const conflicts = countActions(plan).conflict;
  if (conflicts) {
    return `Deploy would stop before writing anything: ${plural(conflicts, 'item')} at ${plan.scopeName} already ${conflicts === 1 ? 'exists' : 'exist'} under another owner.`;
  }
  const phrases = KINDS.map(kind => kindPhrase(plan, kind)).filter((p): p is string => !!p);
  const where =
    plan.assignmentScope === plan.scope
      ? plan.scopeName
      : `${plan.scopeName} (the assignment at ${plan.assignmentScopeName})`;
  if (!phrases.length) return `No change: ${where} already holds the pack as it is.`;
  const last = phrases.pop() as string;
  return `This change will ${phrases.length ? `${phrases.join(', ')} and ${last}` : last} at ${where}.`;
}

function valueText(value: Json | undefined): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function changeLine(change: FieldChange): string {
  return `${change.path}: ${valueText(change.before)} → ${valueText(change.after)}`;
}

function resultLine(result: ItemResult): string {
  const what = `${NOUN[result.kind][0]} ${result.name}`;
  if (result.outcome === 'applied') return `${what}: ${result.action === 'delete' ? 'deleted' : 'written'}`;
  const where = result.source && result.kind === 'definition' ? `${result.source}: ` : '';
  return `${where}${what}: ${result.outcome === 'failed' ? 'failed' : 'not applied'}: ${result.message ?? ''}`;
}

/** What deploy did: every write done, every one that failed or was not attempted. */
export function resultSentence(plan: DeploymentPlan): string | undefined {
  const results = plan.results;
  if (!results) return undefined;
  const done = results.filter(r => r.outcome === 'applied').length;
  const left = results.length - done;
  if (!results.length) return 'Nothing to write: Azure already holds the pack.';
  if (!left) return `Deployed: ${plural(done, 'write')} done, nothing left.`;
  return `Not finished: ${done} of ${plural(results.length, 'write')} done, ${left} left (failed or not attempted). Run deploy again once the cause is fixed: it plans from what Azure then holds and does the rest.`;
}

export function renderPlanText(plan: DeploymentPlan): string {
  const lines: string[] = [];
  const assignment =
    plan.assignmentScope === plan.scope ? '' : `, assignment at ${escapeTerminal(plan.assignmentScopeName)}`;
  lines.push(`cmk-guard plan for ${escapeTerminal(plan.scopeName)}${assignment} (owner ${escapeTerminal(plan.owner)})`);
  for (const kind of KINDS) {
    const items = plan.items.filter(i => i.kind === kind);
    if (!items.length) continue;
    lines.push('', `${NOUN[kind][1][0].toUpperCase()}${NOUN[kind][1].slice(1)}:`);
    const width = Math.max(...items.map(i => i.name.length));
    for (const item of items) {
      const from = item.source && ['create', 'update', 'replace'].includes(item.action) ? `  ${item.source}` : '';
      lines.push(
        `  ${SIGN[item.action].padEnd(3)} ${escapeTerminal(item.name.padEnd(width))}  ${item.action}${escapeTerminal(from)}`
      );
      if (item.reason) lines.push(`        ${escapeTerminal(item.reason)}`);
      for (const change of item.changes ?? []) lines.push(`        ${escapeTerminal(changeLine(change))}`);
    }
  }
  lines.push(
    '',
    `Enforcement: ${plan.enforcementMode}. Effects: ${plan.effects.map(e => `${e.rule} ${e.effect}${e.overridden ? ' (chosen)' : ''}`).join(', ')}.`
  );
  if (plan.notes?.length) lines.push('', 'Notes:', ...plan.notes.map(note => `  ${escapeTerminal(note)}`));
  if (plan.skipped?.length)
    lines.push(
      '',
      "Taken from the base (this pull request changes them; until it is merged, the base's configuration applies):",
      ...plan.skipped.map(entry => `  ${escapeTerminal(`${entry.file}: ${entry.reason}`)}`)
    );
  lines.push('', planSentence(plan));
  if (plan.results) {
    const problems = plan.results.filter(r => r.outcome !== 'applied');
    if (problems.length) lines.push('', ...problems.map(r => escapeTerminal(resultLine(r))));
    const sentence = resultSentence(plan);
    if (sentence) lines.push('', sentence);
  }
  return `${lines.join('\n')}\n`;
}

export function renderPlanJson(plan: DeploymentPlan): string {
  return `${JSON.stringify({ tool: 'cmk-guard', ...plan, summary: { sentence: planSentence(plan), counts: countActions(plan) } }, null, 2)}\n`;
}

const ACTION_WORD: Record<PlanAction, string> = {
  create: '➕ create',
  update: '✏️ update',
  unchanged: 'unchanged',
  replace: '♻️ replace',
  delete: '🗑️ delete',
  orphan: 'kept (not in the pack)',
  conflict: '⛔ conflict'
};

function itemRow(item: PlanItem): string {
  const source = item.source ? codeSpan(item.source, true) : '';
  const note = item.reason ? cellText(item.reason) : item.changes ? plural(item.changes.length, 'field') : '';
  return `| ${NOUN[item.kind][0]} | ${codeSpan(item.name, true)} | ${ACTION_WORD[item.action]} | ${note} | ${source} |`;
}

function changeDetails(item: PlanItem): string[] {
  if (!item.changes?.length) return [];
  return [
    '<details>',
    `<summary>${escapeMarkdown(`${item.action} ${NOUN[item.kind][0]} ${item.name}: ${plural(item.changes.length, 'field')}`)}</summary>`,
    '',
    '| Field | Before | After |',
    '| --- | --- | --- |',
    ...item.changes.map(
      c =>
        `| ${codeSpan(c.path, true)} | ${codeSpan(valueText(c.before), true)} | ${codeSpan(valueText(c.after), true)} |`
    ),
    '',
    '</details>'
  ];
}

/**
 * The plan as Markdown: a heading, the sentence, a table of what changes (unchanged items are
 * counted, not listed), the field changes folded away, and deploy's results. It fits `limit`
 * bytes: rows and details that do not fit are counted instead.
 */
export function renderPlanMarkdown(plan: DeploymentPlan, options: { heading: '###' | '####'; limit: number }): string {
  const title = plan.results ? 'cmk-guard deploy' : 'cmk-guard plan';
  const lines = [
    `${options.heading} ${title}: ${escapeMarkdown(plan.scopeName)}`,
    '',
    escapeMarkdown(planSentence(plan))
  ];
  const budget = new Budget(options.limit - 2_000);
  const shown = plan.items.filter(i => i.action !== 'unchanged');
  const unchanged = plan.items.length - shown.length;
  if (shown.length) {
    const table = ['', '| Kind | Name | Change | Why | From |', '| --- | --- | --- | --- | --- |'];
    budget.take(lines, table);
    let omitted = 0;
    for (const item of shown) if (!budget.take(lines, [itemRow(item)])) omitted++;
    if (omitted) lines.push('', `${plural(omitted, 'more change is', 'more changes are')} in the job summary.`);
  }
  if (unchanged) lines.push('', `${plural(unchanged, 'item is', 'items are')} unchanged.`);
  lines.push(
    '',
    `Owner ${codeSpan(plan.owner)}, enforcement ${codeSpan(plan.enforcementMode)}${plan.assignmentScope === plan.scope ? '' : `, assigned at ${escapeMarkdown(plan.assignmentScopeName)}`}. ${plan.prune ? 'Prune is on: owned items no longer in the pack are deleted.' : ''}`.trimEnd()
  );
  if (plan.notes?.length) budget.take(lines, ['', ...plan.notes.map(note => `- ${cellText(note)}`)]);
  lines.push(...baseSettingsSection(plan, '####', budget, 'where cmk-guard connects or what it acts on'));
  for (const item of shown) {
    const details = changeDetails(item);
    if (details.length && !budget.take(lines, ['', ...details])) break;
  }
  if (plan.results) {
    const problems = plan.results.filter(r => r.outcome !== 'applied');
    lines.push('', escapeMarkdown(resultSentence(plan) ?? ''));
    for (const problem of problems) if (!budget.take(lines, [`- ${cellText(resultLine(problem))}`])) break;
  }
  return `${lines.join('\n')}\n`;
}
