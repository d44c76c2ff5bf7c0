import { COMMENT_MARKER, needsAttention, renderComment } from '../../src/report/comment.js';
import { renderSummary } from '../../src/report/summary.js';
import { context, documentOf, finding, golden, hostileDocument } from './fixture.js';

describe('renderComment', () => {
  it('renders the marker, verdict and findings per rule, exactly', () => {
    expect(
      renderComment(hostileDocument(), {
        ...context,
        runUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/9'
      })
    ).toBe(golden('hostile.comment.md'));
  });

  it('starts with the hidden marker it is found by on the next push', () => {
    expect(renderComment(hostileDocument(), context).split('\n')[0]).toBe(COMMENT_MARKER);
    expect(COMMENT_MARKER).toMatch(/^<!--.*-->$/);
  });

  it('says all clear once the findings are gone, so no stale findings remain', () => {
    const clean = documentOf([
      finding(1, 'error', { verdict: 'compliant' }),
      finding(2, 'error', { verdict: 'compliant' })
    ]);
    expect(needsAttention(clean)).toBe(false);
    expect(renderComment(clean, context)).toBe(
      [
        COMMENT_MARKER,
        '### cmk-guard: ✅ all clear',
        '',
        '2 resources checked against 1 definition at ec26c3e: nothing noncompliant, nothing indeterminate.',
        ''
      ].join('\n')
    );
  });

  it.each([
    ['HTML names render as code', '| `<img src=x onerror=alert(1)>` |'],
    ['mentions in names stay in code', '| `@everyone` |'],
    ['HTML in messages is escaped', '&lt;img src=x onerror=alert(1)&gt;'],
    ['mentions in remediation are broken', '@\u200bsecurity-team']
  ])('%s', (_why, expected) => {
    expect(renderComment(hostileDocument(), context)).toContain(expected);
  });

  it('never renders a raw mention or tag taken from the pull request', () => {
    const body = renderComment(hostileDocument(), context);
    const outsideCode = body.replace(/```[\s\S]*?```/g, '').replace(/(`+)[\s\S]*?\1/g, '');
    expect(outsideCode).not.toMatch(/@[A-Za-z0-9]/);
    expect(outsideCode).not.toMatch(/<(img|b|i|script)\b/);
  });

  it('stays under GitHub’s 65,536-character comment limit and points to the job summary for the rest', () => {
    const findings = Array.from({ length: 2000 }, (_, i) => finding(i + 1, 'error', { message: 'x'.repeat(100) }));
    const body = renderComment(documentOf(findings), { ...context, runUrl: 'https://github.com/o/r/actions/runs/9' });
    expect(body.length).toBeLessThan(65536);
    expect(body).toMatch(
      /\d+ more findings are in the \[job summary\]\(https:\/\/github.com\/o\/r\/actions\/runs\/9\)\./
    );
  });
});

describe('what a pull request changed in the gate and the run took from the base', () => {
  // Values a pull request writes into cmk-guard.yaml: a pipe, backticks, HTML and a mention.
  const pinned = {
    file: 'cmk-guard.yaml',
    reason:
      '`parameter-values` is {"a|b":"<img src=x onerror=alert(1)>","c":"``@team``"} in this change and not set at the base: the base\'s applies until the change is merged.',
    atBase: true as const
  };
  const notTemplate = { file: 'package.json', reason: 'not a deployment template' };
  const clean = { ...documentOf([finding(1, 'error', { verdict: 'compliant' })]), skipped: [notTemplate, pinned] };
  const row =
    '| `cmk-guard.yaml` | \\`parameter-values\\` is {"a\\|b":"&lt;img src=x onerror=alert(1)&gt;","c":"\\`\\`@\u200bteam\\`\\`"} in this change and not set at the base: the base\'s applies until the change is merged. |';

  it('makes the comment be written though nothing fails, and lists each entry escaped', () => {
    expect(needsAttention({ ...clean, skipped: [notTemplate] })).toBe(false);
    expect(needsAttention(clean)).toBe(true);
    const body = renderComment(clean, context);
    expect(body).toContain('#### Taken from the base');
    expect(body.split('\n')).toContain(row);
    // Files passed over for other reasons are the summary's business, not the comment's.
    expect(body).not.toContain('package.json');
  });

  it('shows them in the job summary in their own section, not folded among the files passed over', () => {
    const summary = renderSummary(clean, context, { hiddenAnnotations: 0, annotationsPerLevel: 10 });
    const lines = summary.split('\n');
    expect(lines).toContain('### Taken from the base');
    expect(lines.filter(line => line === row)).toHaveLength(1);
    expect(lines.indexOf(row)).toBeLessThan(lines.indexOf('<details><summary>1 file passed over</summary>'));
  });
});

describe('what the pull request itself accepts', () => {
  /** 3,000 indeterminate findings (they fail nothing by default) and one the pull request's own exception accepts. */
  const flooded = () => {
    const findings = Array.from({ length: 3_000 }, (_, i) =>
      finding(i + 1, 'error', { verdict: 'indeterminate', reason: 'depends on parameter `purge`' })
    );
    const accepted = finding(5_000, 'error', {
      suppressed: {
        kind: 'external',
        category: 'waiver',
        reason: 'Reviewed, honestly.',
        file: 'cmk-guard.yaml',
        line: 3,
        new: true
      }
    });
    const document = documentOf([...findings, accepted]);
    document.summary.suppressed = 1;
    return document;
  };

  it('is shown before the findings, so no number of them pushes it out of the comment or the summary', () => {
    const document = flooded();
    for (const text of [
      renderComment(document, { ...context, runUrl: 'https://github.com/o/r/actions/runs/9' }),
      renderSummary(document, context, { hiddenAnnotations: 0, annotationsPerLevel: 10 })
    ]) {
      expect(text).toMatch(
        / What this pull request accepts\n\n\*\*1 finding is accepted by exceptions this pull request adds or changes\.\*\*/
      );
      expect(text).toContain('| `acct5000` |');
      expect(text).toContain('**new:**');
      // Listed once: the section of accepted findings does not repeat it.
      expect(text.split('| `acct5000` |')).toHaveLength(2);
      expect(text.indexOf('What this pull request accepts')).toBeLessThan(text.indexOf('`acct1`'));
    }
  });

  it('says when the pull request changes the baseline, and by how many findings', () => {
    const document = flooded();
    document.baseline = { file: '.cmk-guard/baseline.json', entries: 3, matched: 2, changed: true, added: 2 };
    const comment = renderComment(document, context);
    expect(comment).toContain(
      '**This pull request changes the baseline `.cmk-guard/baseline.json`: it adds 2 findings.**'
    );
  });
});
