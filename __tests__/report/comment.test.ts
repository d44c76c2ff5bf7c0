import { COMMENT_MARKER, needsAttention, renderComment } from '../../src/report/comment.js';
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
