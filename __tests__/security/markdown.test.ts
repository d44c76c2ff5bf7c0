/**
 * Markdown and HTML injection in the job summary and the pull request comment, and their
 * size limits: a comment body of at most 65,536 characters
 * (https://docs.github.com/en/rest/issues/comments#create-an-issue-comment answers 422 beyond),
 * a step summary of at most 1 MiB
 * (https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary; the runner refuses "content up to a size of 1024k").
 */
import type { Finding, FindingsDocument } from '../../src/model/finding.js';
import { COMMENT_LIMIT, COMMENT_MARKER, renderComment } from '../../src/report/comment.js';
import { codeSpan, escapeMarkdown, sanitizeMarkdown } from '../../src/report/escape.js';
import { SUMMARY_LIMIT, renderSummary } from '../../src/report/summary.js';
import { buildDocument } from '../../src/run.js';

const context = {
  workspace: '/home/runner/work/r/r',
  serverUrl: 'https://github.com',
  repository: 'o/r',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  runUrl: 'https://github.com/o/r/actions/runs/1'
};
const notes = { hiddenAnnotations: 0, annotationsPerLevel: 10 };

const HOSTILE_NAMES = [
  '<details open><summary>fake</summary>',
  '</table></details>',
  '| pipes | in | names |',
  'back\\|slash pipe',
  'back\\\\|two slashes',
  '`tick` and ```fence```',
  '@octocat and @github/security',
  'see #123 and GH-7 and o/r#9',
  '[click](javascript:alert(1))',
  '![pixel](https://evil.example/p.png)',
  COMMENT_MARKER,
  '<!-- a comment that hides the rest',
  '<img src=x onerror=alert(1)>'
];

function finding(name: string, i: number, overrides: Omit<Partial<Finding>, 'reason'> = {}): Finding {
  return {
    definition: 'cmk-rule',
    displayName: 'Accounts use a customer-managed key',
    effect: 'deny',
    severity: 'error',
    verdict: 'noncompliant',
    reason: null,
    message: `the key source is ${name}`,
    resource: {
      id: `/subscriptions/s/providers/Microsoft.CognitiveServices/accounts/a${i}`,
      type: 'Microsoft.CognitiveServices/accounts',
      name,
      file: `templates/${name}.json`,
      line: i + 1,
      column: 3
    },
    ...overrides
  };
}

/**
 * Splits a table row into cells as GitHub's table extension does, reading a backslash as
 * escaping whatever follows it (the stricter of the two readings), so a row that stays
 * whole here stays whole on GitHub.
 */
function cells(row: string): string[] {
  const out: string[] = [];
  let cell = '';
  for (let i = 1; i < row.length; i++) {
    if (row[i] === '\\' && i + 1 < row.length) {
      cell += row[i] + row[i + 1];
      i++;
    } else if (row[i] === '|') {
      out.push(cell);
      cell = '';
    } else cell += row[i];
  }
  return out;
}

/** The text outside code spans and our own link targets, where GitHub would render HTML, links and mentions. */
function outsideCode(line: string): string {
  return line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '').replace(/\]\(https:\/\/github\.com\/[^)\s]*\)/g, ']');
}

function rowsOf(markdown: string): string[] {
  return markdown.split('\n').filter(line => line.startsWith('| ') && !line.startsWith('| ---'));
}

describe('hostile names in the summary and the comment', () => {
  const document = buildDocument(
    HOSTILE_NAMES.map((name, i) => finding(name, i)),
    HOSTILE_NAMES.length,
    1,
    HOSTILE_NAMES.map(name => ({ file: `${name}.json`, line: 2, column: 1, message: name })),
    HOSTILE_NAMES.map(name => ({ file: `${name}.json`, reason: name }))
  );
  const outputs = {
    summary: renderSummary(document, context, notes),
    comment: renderComment(document, context)
  };

  it.each(Object.keys(outputs))('%s: every table row keeps its cells', which => {
    const markdown = outputs[which as keyof typeof outputs];
    for (const row of rowsOf(markdown)) {
      const header = markdown
        .split('\n')
        .find(line => line.startsWith('| ') && cells(line).length === cells(row).length);
      expect({ row, fits: header !== undefined }).toEqual({ row, fits: true });
    }
    const findingRows = rowsOf(markdown).filter(row => row.includes('noncompliant'));
    expect(findingRows).toHaveLength(HOSTILE_NAMES.length);
    for (const row of findingRows) expect(cells(row)).toHaveLength(5);
  });

  it.each(Object.keys(outputs))('%s: no HTML, link, image or mention is rendered from the input', which => {
    const markdown = outputs[which as keyof typeof outputs];
    const generated = /^<\/?(details|summary|sub)>|<details><summary>[A-Za-z ]+<\/summary>$|<sub>/;
    for (const line of markdown.split('\n')) {
      const text = outsideCode(line);
      if (line === COMMENT_MARKER || generated.test(line)) continue;
      expect({ line, html: /<[A-Za-z!/]/.test(text) }).toEqual({ line, html: false });
      expect({ line, mention: /(^|[^\w])@[A-Za-z0-9]/.test(text) }).toEqual({ line, mention: false });
      expect({ line, issue: /(#|GH-)\d/.test(text) }).toEqual({ line, issue: false });
      expect({ line, link: /(^|[^\\])\]\((?!https:\/\/github\.com\/)/.test(text) }).toEqual({ line, link: false });
    }
  });

  it('the comment opens with the marker once, and a name holding the marker shows as code', () => {
    const comment = outputs.comment;
    expect(comment.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    // Elsewhere it is only ever inside a code span, which GitHub shows as text.
    expect(comment.split('\n').filter(line => outsideCode(line).includes('<!--'))).toEqual([COMMENT_MARKER]);
    expect(comment).toContain(codeSpan(COMMENT_MARKER, true));
  });
});

describe('escaping functions', () => {
  it('a backslash before a pipe in a table cell cannot free the pipe', () => {
    expect(codeSpan('a\\|b', true)).toBe('`a\\\\\\|b`');
    expect(cells(`| ${codeSpan('a\\|b', true)} | x |`)).toHaveLength(2);
    expect(cells(`| ${codeSpan('a\\\\|<img>', true)} | x |`)).toHaveLength(2);
  });

  it('issue references are broken so they leave no cross-reference', () => {
    expect(escapeMarkdown('#12 GH-3 o/r#4')).toBe('#\u200b12 GH-\u200b3 o/r#\u200b4');
    expect(escapeMarkdown('# heading, C# code')).toBe('# heading, C# code');
  });

  it('bare URLs are broken so that GitHub makes no link of them, where they stand as words', () => {
    expect(escapeMarkdown('vault is "https://evil.example/login", see http://x.io or www.evil.example')).toBe(
      'vault is "https\u200b://evil.example/login", see http\u200b://x.io or www\u200b.evil.example'
    );
    expect(escapeMarkdown('HTTPS://A.B WWW.A.B')).toBe('HTTPS\u200b://A.B WWW\u200b.A.B');
    // After the characters GFM lets an autolink follow (`*`, `_`, `~`, `(`), escaped or not.
    expect(escapeMarkdown('_https://a (www.a')).toBe('\\_https\u200b://a (www\u200b.a');
    // Not inside other words, and not a scheme GitHub does not link.
    expect(escapeMarkdown('xhttps://a rewww.a ftp://a shttp')).toBe('xhttps://a rewww.a ftp://a shttp');
  });

  it('a remediation with an unclosed fence cannot swallow the rest of the text', () => {
    expect(sanitizeMarkdown('Fix it:\n```json\n{"a": 1}\n</details>')).toBe(
      'Fix it:\n```json\n{"a": 1}\n</details>\n```'
    );
    expect(sanitizeMarkdown('~~~~\ncode\n~~~')).toBe('~~~~\ncode\n~~~\n~~~~');
  });
});

describe('size limits', () => {
  const long = 'x'.repeat(70_000);
  function hugeDocument(): FindingsDocument {
    const findings = Array.from({ length: 3_000 }, (_, i) =>
      finding(`acct-${i}-${'€'.repeat(100)}`, i, {
        definition: `rule-${i % 7}`,
        message: i % 100 === 0 ? long : 'no key',
        remediation: 'Set `keySource`.\n```\nunclosed'
      })
    );
    const errors = Array.from({ length: 5_000 }, (_, i) => ({
      file: `broken/${i}.json`,
      line: 1,
      column: 1,
      message: i % 50 === 0 ? long : 'Unexpected token'
    }));
    const skipped = Array.from({ length: 40_000 }, (_, i) => ({
      file: `data/${i}-${'ü'.repeat(20)}.json`,
      reason: long
    }));
    return buildDocument(findings, findings.length, 7, errors, skipped);
  }

  it('the comment stays under 65,536 characters and says what it left out', () => {
    const comment = renderComment(hugeDocument(), context);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment).toMatch(/more input errors are in the SARIF and JSON files/);
    expect(comment).toMatch(/more findings are in the \[job summary\]/);
    expect(comment).toContain('This comment is updated on every push.');
  });

  it('the summary stays under 1 MiB of UTF-8 and says what it left out', () => {
    const summary = renderSummary(hugeDocument(), context, notes);
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(summary).toMatch(/more findings are left out: the summary is full/);
    expect(summary).toMatch(/more files are in the JSON file/);
    expect(summary.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('a message longer than a cell shows is cut and says so', () => {
    const document = buildDocument([finding('a', 0, { message: long })], 1, 1);
    const row = rowsOf(renderSummary(document, context, notes)).find(r => r.includes('noncompliant'))!;
    expect(row).toContain('… (cut: 70000 characters)');
    expect(row.length).toBeLessThan(3_000);
  });
});
