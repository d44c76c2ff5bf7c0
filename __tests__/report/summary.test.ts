import { renderSummary } from '../../src/report/summary.js';
import { context, documentOf, finding, golden, hostileDocument } from './fixture.js';

const notes = {
  hiddenAnnotations: 2,
  annotationsPerLevel: 10,
  checkRunUrl: 'https://github.com/Codertocat/Hello-World/runs/1001',
  notes: ['The pull request comment could not be posted: the token is read-only (a pull request from a fork).']
};

describe('renderSummary', () => {
  it('renders totals, hidden annotations, input errors and one table per rule, exactly', () => {
    expect(renderSummary(hostileDocument(), context, notes)).toBe(golden('hostile.summary.md'));
  });

  // Rows a reviewer reads, with every PR-controlled value escaped or in code.
  it.each([
    [
      'an HTML name renders as code',
      '| `<img src=x onerror=alert(1)>` | `Microsoft.CognitiveServices/accounts` | [`templates/ai\\|prod.json:12`]'
    ],
    ['a mention in a name stays in code', '| `@everyone` |'],
    ['a pipe and a backtick in a name keep the table whole', '| ``vault`s\\|name next`` |'],
    ['HTML in a message is shown, not rendered', 'the account &lt;img src=x onerror=alert(1)&gt; uses'],
    [
      'each finding links to its line at the head commit',
      '(https://github.com/Codertocat/Hello-World/blob/ec26c3e57ca3a959ca5aad62de7213c562f8c821/templates/a%2Cb%3Ac%25d.json#L40)'
    ],
    [
      'indeterminate findings say what they depend on',
      '| indeterminate | Purge protection cannot be checked before deployment. Depends on parameter \\`enablePurgeProtection\\`. |'
    ],
    ['a pipe in a rule name is escaped in the heading', '### ❌ Keys should rotate \\| yearly'],
    [
      'HTML in a rule author’s remediation is shown, mentions broken',
      'point &lt;b>keyVaultProperties&lt;/b> at a key; ask @\u200bsecurity-team.'
    ],
    [
      'the count of findings not shown as annotations',
      '> 2 findings are not shown as annotations: GitHub shows 10 errors, 10 warnings and 10 notices per step.'
    ]
  ])('%s', (_why, expected) => {
    expect(renderSummary(hostileDocument(), context, notes)).toContain(expected);
  });

  it('says nothing about hidden annotations when all were shown', () => {
    expect(renderSummary(hostileDocument(), context, { hiddenAnnotations: 0, annotationsPerLevel: 10 })).not.toContain(
      'not shown as annotations'
    );
  });

  it('is all clear for a clean document', () => {
    const summary = renderSummary(documentOf([finding(1, 'error', { verdict: 'compliant' })]), context, {
      hiddenAnnotations: 0,
      annotationsPerLevel: 10
    });
    expect(summary).toBe(
      [
        '## cmk-guard: ✅ all clear',
        '',
        '| Resources | Definitions | Compliant | Noncompliant | Indeterminate |',
        '| ---: | ---: | ---: | ---: | ---: |',
        '| 1 | 1 | 1 | 0 | 0 |',
        ''
      ].join('\n')
    );
  });

  it('shows paths without links when it does not know the repository and commit', () => {
    const summary = renderSummary(
      documentOf([finding(8)]),
      { workspace: context.workspace },
      { hiddenAnnotations: 0, annotationsPerLevel: 10 }
    );
    expect(summary).toContain(
      '| `acct8` | `Microsoft.CognitiveServices/accounts` | `templates/many.json:8` | noncompliant |'
    );
  });

  it('stays under GitHub’s 1 MiB step-summary limit and says how many findings it left out', () => {
    const findings = Array.from({ length: 6000 }, (_, i) => finding(i + 1, 'error', { message: 'x'.repeat(200) }));
    const summary = renderSummary(documentOf(findings), context, { hiddenAnnotations: 5990, annotationsPerLevel: 10 });
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    expect(summary).toMatch(/> \d+ more findings are left out: the summary is full\./);
  });
});
