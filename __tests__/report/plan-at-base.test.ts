/**
 * What a pull request changes of where `plan` connects is taken from the base and said where the plan is read: the
 * log, the job summary and comment (Markdown), and the plan JSON. The values come from the pull request's
 * cmk-guard.yaml, so they are escaped like any text it controls.
 */
import type { DeploymentPlan } from '../../src/model/plan.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../src/report/plan.js';

const reason =
  '`azure.tenant-id` is "<img src=x onerror=alert(1)> @everyone \u001b[2J" in this change and not set at the base: the base\'s applies until the change is merged.';
const plan: DeploymentPlan = {
  scope: '/subscriptions/00000000-0000-0000-0000-0000000000aa',
  assignmentScope: '/subscriptions/00000000-0000-0000-0000-0000000000aa',
  scopeName: 'subscription 00000000-0000-0000-0000-0000000000aa',
  assignmentScopeName: 'subscription 00000000-0000-0000-0000-0000000000aa',
  owner: 'github.com/contoso/policies',
  prune: false,
  enforcementMode: 'Default',
  effects: [],
  items: [],
  skipped: [{ file: 'cmk-guard.yaml', reason, atBase: true }]
};

describe("the plan says what it took from the pull request's base", () => {
  it('in Markdown, under "Taken from the base", escaped', () => {
    const markdown = renderPlanMarkdown(plan, { heading: '###', limit: 64 * 1024 });
    expect(markdown).toContain(
      "#### Taken from the base\n\nThis pull request changes where cmk-guard connects or what it acts on; until it is merged, the base's configuration applies.\n\n| File | What |\n| --- | --- |\n| `cmk-guard.yaml` |"
    );
    expect(markdown).not.toContain('<img');
    expect(markdown).not.toContain('@everyone');
    expect(markdown).not.toContain('\u001b');
  });

  it('in the log, with control characters shown', () => {
    const text = renderPlanText(plan);
    expect(text).toContain(
      "Taken from the base (this pull request changes them; until it is merged, the base's configuration applies):\n  cmk-guard.yaml: `azure.tenant-id` is"
    );
    expect(text).not.toContain('\u001b');
  });

  it('in JSON, marked atBase, as the findings document marks it', () => {
    expect(JSON.parse(renderPlanJson(plan)).skipped).toEqual([{ file: 'cmk-guard.yaml', reason, atBase: true }]);
  });

  it('and says nothing when nothing was taken from the base', () => {
    const { skipped: _, ...alone } = plan;
    expect(renderPlanMarkdown(alone, { heading: '###', limit: 64 * 1024 })).not.toContain('Taken from the base');
    expect(renderPlanText(alone)).not.toContain('Taken from the base');
  });
});
